"""The two consoles every command prints through, with Rich markup turned off.

User-facing text holds brackets that Rich would swallow as markup (``pip install
'r1-foundry[gpu]'``, ``stages.grpo.args[0]``, a path like ``runs/[exp]``), so markup is off on
both consoles and colour is given as a style: ``err.print(tag("error:", "red"), message)``.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

out = Console(markup=False, highlight=False, soft_wrap=True)
err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


def tag(label: str, style: str) -> Text:
    """A coloured label (``tag("done", "green")``) for a line that is otherwise plain text."""
    return Text(label, style=style)
