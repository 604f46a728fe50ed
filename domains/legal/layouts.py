"""The answer layouts of multiple-choice (``mbe``) answers: the chosen option and an IRAC
explanation (issue, rule, application, conclusion), as bar-llama compared them: three formats
x two orders, chosen in the recipe (``data.args.layouts`` / ``orders``), one parser each.

``json``::

    {"answer": "B", "issue": "...", "rule": "...", "application": "...", "conclusion": "..."}

``markdown``::

    ## Answer
    B
    ## Issue
    ...            (then ## Rule, ## Application, ## Conclusion)

``numbered``::

    1. Answer: B
    2. Issue: ...
    3. Rule: ...
    4. Application: ...
    5. Conclusion: ...

``option_first`` puts the answer first, ``explanation_first`` last (JSON: key order). A parse
has every section exactly once or fails with a reason; :func:`parse` never raises.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

FORMATS = ("json", "markdown", "numbered")
ORDERS = ("option_first", "explanation_first")
IRAC = ("issue", "rule", "application", "conclusion")
SECTIONS = ("answer", *IRAC)
MIN_WORDS = 3  # a section counts towards IRAC completeness with at least this many words

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(answer|issue|rule|application|conclusion)\s*:?\s*$", re.I)
_NUMBERED = re.compile(r"^\s*(\d{1,2})\s*[.)]\s*(answer|issue|rule|application|conclusion)\s*:\s*(.*)$", re.I)
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S | re.I)


@dataclass
class Parsed:
    ok: bool
    sections: dict = field(default_factory=dict)
    order: list = field(default_factory=list)
    reason: str = ""

    def ordered(self, order: str) -> bool:
        if not self.order:
            return False
        return self.order[0] == "answer" if order == "option_first" else self.order[-1] == "answer"

    def irac_share(self) -> float:
        return sum(len(str(self.sections.get(k, "")).split()) >= MIN_WORDS for k in IRAC) / len(IRAC)


def render(fmt: str, order: str, answer: str, irac: dict) -> str:
    keys = list(IRAC) + ["answer"] if order == "explanation_first" else ["answer", *IRAC]
    values = {"answer": answer, **irac}
    if fmt == "json":
        return json.dumps({k: values[k] for k in keys})
    if fmt == "markdown":
        return "\n".join(f"## {k.capitalize()}\n{values[k]}" for k in keys)
    if fmt == "numbered":
        return "\n".join(f"{i}. {k.capitalize()}: {values[k]}" for i, k in enumerate(keys, 1))
    raise ValueError(f"unknown layout '{fmt}'; expected one of {', '.join(FORMATS)}")


def _finish(found: dict, order: list) -> Parsed:
    missing = [k for k in SECTIONS if k not in found]
    if missing:
        return Parsed(False, found, order, f"missing_{missing[0]}")
    return Parsed(True, found, order)


class _Repeated(ValueError):
    pass


def _no_repeats(pairs):
    seen = set()
    for key, _ in pairs:
        k = str(key).strip().lower()
        if k in seen and k in SECTIONS:
            raise _Repeated(k)
        seen.add(k)
    return dict(pairs)


def parse_json(text: str) -> Parsed:
    fenced = _FENCE.match(text)
    raw = fenced.group(1) if fenced else text.strip()
    try:
        obj = json.loads(raw, object_pairs_hook=_no_repeats)
    except _Repeated as exc:  # {"answer": "B", "answer": "C"}: json would keep the last silently
        return Parsed(False, reason=f"repeated_{exc.args[0]}")
    except (ValueError, RecursionError):
        return Parsed(False, reason="bad_json")
    if not isinstance(obj, dict):
        return Parsed(False, reason="not_an_object")
    found, order = {}, []
    for key, value in obj.items():
        k = str(key).strip().lower()
        if k in SECTIONS:
            found[k] = value if isinstance(value, str) else json.dumps(value)
            order.append(k)
    return _finish(found, order)


def parse_markdown(text: str) -> Parsed:
    found, order, current = {}, [], None
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            current = m.group(1).lower()
            if current in found:
                return Parsed(False, found, order, f"repeated_{current}")
            found[current] = ""
            order.append(current)
        elif current is not None:
            found[current] = (found[current] + "\n" + line).strip()
        elif line.strip():
            return Parsed(False, reason="text_before_first_heading")
    return _finish(found, order) if order else Parsed(False, reason="no_headings")


def parse_numbered(text: str) -> Parsed:
    found, order, current, expect = {}, [], None, 1
    for line in text.splitlines():
        m = _NUMBERED.match(line)
        if m:
            if int(m.group(1)) != expect:
                return Parsed(False, found, order, "bad_numbering")
            expect += 1
            current = m.group(2).lower()
            if current in found:
                return Parsed(False, found, order, f"repeated_{current}")
            found[current] = m.group(3).strip()
            order.append(current)
        elif current is not None:
            found[current] = (found[current] + "\n" + line).strip()
        elif line.strip():
            return Parsed(False, reason="text_before_first_item")
    return _finish(found, order) if order else Parsed(False, reason="no_items")


PARSERS = {"json": parse_json, "markdown": parse_markdown, "numbered": parse_numbered}


def parse(text, fmt: str) -> Parsed:
    """Parse ``text`` (an answer block) in layout ``fmt``; never raises on model output."""
    if not isinstance(text, str) or not text.strip():
        return Parsed(False, reason="empty")
    return PARSERS[fmt](text[:20_000])


def parse_any(text, prefer: str) -> tuple[str | None, Parsed]:
    """The first layout that parses, ``prefer`` first: ``(format, parsed)`` or ``(None, failed parse of prefer)``."""
    first = parse(text, prefer)
    if first.ok:
        return prefer, first
    for fmt in FORMATS:
        if fmt != prefer:
            p = parse(text, fmt)
            if p.ok:
                return fmt, p
    return None, first
