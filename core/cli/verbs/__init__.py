"""One module per verb. A domain verb module has ``register(app, domain)``, a root verb module
``register_root(root)``; each keeps its logic in a plain function (``run``) that tests call
without Typer. :data:`DOMAIN_VERBS` and :data:`ROOT_VERBS` are the order ``--help`` lists them in."""

DOMAIN_VERBS = ("data", "train", "pipeline", "eval", "reward", "card", "audit", "export", "merge", "ls", "validate")
ROOT_VERBS = ("ls", "doctor", "serve_rollouts")
