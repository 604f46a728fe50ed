"""Wall seconds by phase within one process: where a pipeline's minutes go.

``with phase("sampling"): ...`` adds the block's wall time to ``PHASES["sampling"]``. Phases
may nest (a stage's time holds its held-out monitor and its sampling); the pipeline writes them
under ``"phases"`` in the run's ``timings.json`` beside each stage's wall time, and clears
them when a pipeline starts (one process may run several).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

PHASES: dict[str, float] = {}


@contextmanager
def phase(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        PHASES[name] = PHASES.get(name, 0.0) + time.perf_counter() - start
