"""Training stages: one run function per kind of :data:`r1_foundry.core.schema.kinds.KINDS`
(:mod:`.sft`, :mod:`.dpo`, :mod:`.grpo`, :mod:`.merge`) over TRL (:mod:`.trl`) and self-sampling
(:mod:`.sampling`); :mod:`.runner` dispatches."""
