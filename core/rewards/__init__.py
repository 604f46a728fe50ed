"""Rewards: the :class:`base.Reward` every domain's rewards subclass, their composition from recipes
(:mod:`.compose`), length shaping (:mod:`.length`) and the reward-hacking audit (:mod:`.audit`)."""
