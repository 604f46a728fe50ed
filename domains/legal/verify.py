"""The legal verifier, shared by rewards (:mod:`domains.legal.rewards`) and evals
(:mod:`domains.legal.evals`). Answers are read from the final answer (the last ``<answer>``
block; see :func:`core.answers.final_answer`), never from the reasoning.

========  =============================================================================
mbe       the answer block in the example's ``layout`` (json | markdown | numbered, see
          :mod:`domains.legal.layouts`); the option is read from its ``answer`` section
          with :func:`core.choice.read_choice` (a letter, "(B)", "Answer: B" or the option's
          exact text); if the requested layout does not parse, the other two are tried, so
          a right option in the wrong layout still counts as right (the layout reward and the
          ``parse_fail`` metric say what went wrong)
rule      ``answer_type`` yesno: the first word is yes or no; date: exactly one date
          (2024-03-01, March 1, 2024, 1 March 2024, 03/01/2024 read month first) equal to the
          gold ISO date; number: exactly one number equal to the gold
classify  the answer normalised as LegalBench's ``evaluation.py`` does (punctuation removed,
          stripped, lower-cased) equals the normalised gold label
========  =============================================================================
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass

from r1_foundry.core.answers.choice import read_choice
from r1_foundry.core.answers.text import final_answer, parse_number
from r1_foundry.core.util.errors import FoundryError
from r1_foundry.domains.legal import layouts

TASKS = ("mbe", "rule", "classify")
ANSWER_TYPES = ("option", "yesno", "date", "number", "label")

_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
     "December"], 1)}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MON = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_DATES = (
    ("ymd", re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")),
    ("mdy_text", re.compile(_MON + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)", re.I)),
    ("dmy_text", re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r",?\s+(\d{4})(?!\d)", re.I)),
    ("mdy_num", re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")),
)


def parse_date(answer) -> dt.date | None:
    """The one date an answer gives (several different dates, or none: None)."""
    if not isinstance(answer, str):
        return None
    text, found = answer[:500], set()
    for kind, pattern in _DATES:
        for m in pattern.finditer(text):
            try:
                if kind == "ymd":
                    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
                elif kind == "mdy_text":
                    y, mo, d = int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2))
                elif kind == "dmy_text":
                    y, mo, d = int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))
                else:
                    y, mo, d = int(m.group(3)), int(m.group(1)), int(m.group(2))
                found.add(dt.date(y, mo, d))
            except (ValueError, KeyError):
                continue
    return found.pop() if len(found) == 1 else None


def normalize(text) -> str:
    """LegalBench's ``normalize(text, stem=False)``: punctuation removed, stripped, lower-cased."""
    return str(text).translate(str.maketrans("", "", string.punctuation)).strip().lower()


def yes_no(answer) -> str | None:
    """"yes" or "no" when the answer opens with it and no sentence or line of it opens with the
    other ("yes no", "Yes.\nNo." are two answers, not one)."""
    words = normalize(answer).split()
    if not words or words[0] not in ("yes", "no"):
        return None
    openers = {(normalize(part).split() or [""])[0] for part in re.split(r"[.!?;\n]+", str(answer)[:2000])}
    openers.add(words[1] if len(words) > 1 and words[1] in ("yes", "no") else words[0])
    return words[0] if len(openers & {"yes", "no"}) == 1 else None


@dataclass
class Verdict:
    """A checked answer: ``correct``, a ``reason`` code when not, and what was read (``choice``
    for mbe, ``value`` for rule/classify); for mbe also the layout found (``fmt``), whether it
    is the requested one in the requested order (``layout_ok``) and the IRAC completeness."""

    correct: bool
    reason: str = ""
    choice: str | None = None
    value: str | None = None
    fmt: str | None = None
    layout_ok: bool = False
    order_ok: bool = False
    irac: float = 0.0


def check(text, example: dict) -> Verdict:
    """Verify a completion against ``example``; never raises on model output (FoundryError for
    a broken example)."""
    task = example.get("task")
    if task not in TASKS:
        raise FoundryError(f"unknown task '{task}'; expected one of {', '.join(TASKS)}")
    answer = final_answer(text)
    if not answer:
        return Verdict(False, "no_answer")
    gold = str(example.get("answer") or "").strip()
    if task == "mbe":
        want = example.get("layout") or "json"
        if want not in layouts.FORMATS:
            raise FoundryError(f"field 'layout' must be one of {', '.join(layouts.FORMATS)}, got {want!r}")
        fmt, parsed = layouts.parse_any(answer, want)
        if fmt is None:
            return Verdict(False, f"layout_{parsed.reason}")
        order = example.get("order") or "option_first"
        c = read_choice(str(parsed.sections["answer"]), example.get("options"))
        v = Verdict(False, fmt=fmt, layout_ok=fmt == want and parsed.ordered(order), order_ok=parsed.ordered(order),
                    irac=parsed.irac_share(), choice=c.letter)
        if c.letter is None:
            v.reason = c.reason
        else:
            v.correct = c.letter == gold.upper()
            v.reason = "" if v.correct else "wrong_option"
        return v
    kind = example.get("answer_type") or ("label" if task == "classify" else "yesno")
    if kind == "yesno":
        said = yes_no(answer)
        if said is None:
            return Verdict(False, "not_yes_no")
        return Verdict(said == gold.lower(), "" if said == gold.lower() else "wrong_label", value=said)
    if kind == "date":
        day = parse_date(answer)
        if day is None:
            return Verdict(False, "not_a_date")
        ok = day.isoformat() == gold
        return Verdict(ok, "" if ok else "wrong_date", value=day.isoformat())
    if kind == "number":
        value = parse_number(answer)
        if value is None:
            return Verdict(False, "not_a_number")
        ok = abs(value - float(gold)) < 1e-9
        return Verdict(ok, "" if ok else "wrong_number", value=repr(value))
    said = normalize(answer)
    ok = said == normalize(gold)
    return Verdict(ok, "" if ok else "wrong_label", value=said)
