"""``python -m r1_foundry.core.cli``: what ``accelerate launch`` runs on every process (--launcher)."""

from r1_foundry.core.cli.app import main

main()
