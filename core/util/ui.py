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


def progress(iterable=None, *, total: int | None = None, desc: str = "", unit: str = "it", min_total: int = 200):
    """A progress bar on stderr (tqdm) for work that can take more than a few seconds; none for fewer than
    ``min_total`` items. Use as an iterable wrapper, or with ``total`` and ``.update(n)``."""
    from tqdm.auto import tqdm

    n = total if total is not None else (len(iterable) if hasattr(iterable, "__len__") else None)
    return tqdm(iterable, total=n, desc=desc, unit=unit, leave=False, dynamic_ncols=True,
                disable=n is not None and n < min_total)


def tag(label: str, style: str) -> Text:
    """A coloured label (``tag("done", "green")``) for a line that is otherwise plain text."""
    return Text(label, style=style)
