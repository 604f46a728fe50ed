"""R1 Foundry core: model loading, training stages over TRL, rewards, generation, evaluation,
model cards and the CLI framework. Core never imports a particular domain; domains are
discovered (see :mod:`core.domain`)."""

__version__ = "0.1.0"
