"""Reading model output: the completion's text, its ``<answer>`` block, the think/answer layout,
and numbers. Pure string functions (no heavy imports), shared by every domain's verifier.

Completions are hostile input: every function here accepts any object and never raises.
"""

from __future__ import annotations

import math
import re

_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.S | re.I)
_LAYOUT = re.compile(r"^\s*<think>.*?</think>\s*<answer>.*?</answer>\s*$", re.S | re.I)
# a number as people write it: sign, thousands separators, decimals, exponent
# (not a digit inside a unit or name: "m2", "HCO3", "x^2")
_NUMBER = re.compile(r"(?<![A-Za-z_^])[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+−]?\.\d+(?:[eE][-+]?\d+)?")
MAX_ANSWER_CHARS = 20_000  # longer answers are cut before any parser sees them


def completion_text(completion) -> str:
    """Plain text of a TRL completion: a string, a chat message or a list of chat messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        parts = [m.get("content", "") for m in completion if isinstance(m, dict)]
        return "".join(p if isinstance(p, str) else "" for p in parts)
    if isinstance(completion, dict):
        content = completion.get("content", "")
        return content if isinstance(content, str) else ""
    return ""


def answer_blocks(text) -> list[str]:
    """Every ``<answer>...</answer>`` block's inside, as written (not stripped), in order."""
    return _ANSWER.findall(text) if isinstance(text, str) else []


def answer_block(text: str) -> str | None:
    """The last ``<answer>...</answer>`` block, stripped; None when there is none. The reasoning
    outside it is never read, so a model cannot score by naming every option while thinking."""
    found = answer_blocks(text)
    return found[-1].strip()[:MAX_ANSWER_CHARS] if found else None


def has_layout(text) -> bool:
    """True for ``<think>...</think>`` followed by ``<answer>...</answer>`` and nothing else (any case)."""
    return isinstance(text, str) and _LAYOUT.match(text) is not None


_THINK = re.compile(r"<think>(.*?)</think>", re.S | re.I)


def final_answer(text) -> str:
    """The final answer of a completion: the last ``<answer>`` block; without one, the text after
    the last ``</think>``; "" when a ``<think>`` is never closed (all reasoning, no answer); a
    completion without tags (a plain chat model, a benchmark's prediction file) is its own answer."""
    text = completion_text(text)
    block = answer_block(text)
    if block is not None:
        return block
    low = text.lower()
    end = low.rfind("</think>")
    if end >= 0:
        return text[end + len("</think>"):].strip()[:MAX_ANSWER_CHARS]
    if "<think>" in low:
        return ""
    return text.strip()[:MAX_ANSWER_CHARS]


def read_answer(text) -> str | None:
    """The one rule every domain reads a final answer by: :func:`final_answer` (the last ``<answer>``
    block; else the text after the last ``</think>``; else, for a completion without tags, the whole
    text), None when that is empty. A bare "B" or "yes" is an answer in every domain; the layout is
    scored separately (each domain's format reward, ``layout_score``), so training still pays for it."""
    answer = final_answer(text)
    return answer or None


def reasoning(text) -> str:
    """The first ``<think>`` block of a completion, stripped ("" when there is none)."""
    found = _THINK.search(completion_text(text))
    return found.group(1).strip() if found else ""


def layout_score(text: str) -> float:
    """1 for exactly one ``<think>...</think>`` followed by one ``<answer>...</answer>``, 0.5 for an
    answer block in any other layout, 0 for no answer block."""
    if not isinstance(text, str) or answer_block(text) is None:
        return 0.0
    return 1.0 if has_layout(text) and text.lower().count("<answer>") == 1 else 0.5


def parse_number(answer: str | None) -> float | None:
    """The number an answer gives: ``24.2``, ``24.2 kg/m2``, ``1,250 mg``, ``= 98 mmHg``. Exactly
    one number must be present (``"24 or 25"`` and ranges are not an answer); None otherwise or
    when it is not finite."""
    if not isinstance(answer, str):
        return None
    found = _NUMBER.findall(answer[:200])
    if len(found) != 1:
        return None
    try:
        value = float(found[0].replace(",", "").replace("−", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def within(pred: float | None, gold: float, tolerance: float = 0.0) -> bool:
    """``pred`` equals ``gold`` within a relative ``tolerance`` (0.05 = 5 %); exact for 0."""
    if pred is None or not math.isfinite(pred):
        return False
    if tolerance <= 0:
        return math.isclose(pred, gold, rel_tol=1e-9, abs_tol=1e-9)
    return abs(pred - gold) <= tolerance * abs(gold) + 1e-9
