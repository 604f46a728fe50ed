"""A recipe end to end (:mod:`.run`), its model card (:mod:`.card`) and exports to verl/OpenRLHF (:mod:`.export`)."""
