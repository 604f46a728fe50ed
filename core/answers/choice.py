"""Multiple-choice and ranked-list answers, shared by every domain that asks them (medical MCQ
and differentials, finance and legal multiple choice).

* :func:`parse_choice` reads one option letter from an answer block (never from the reasoning);
  an answer that names two different options is ``multiple``, not a lucky hit.
* :func:`parse_list` reads a numbered list; :class:`Normaliser` maps free text to a canonical
  name (case, punctuation, articles, abbreviations and synonyms from a domain's knowledge base).
* :func:`rank_metrics` gives hit@k, reciprocal rank and recall@k of a list against a preferred
  answer and a set of acceptable ones; :func:`list_reward` combines them so that padding,
  duplicating or demoting the right answer never pays (property-tested).
* :func:`letter_bias` compares the distribution of chosen letters with the gold letters
  (Pearson chi-square, scipy) and :func:`plot_letter_bias` draws it.

Pure functions on strings; they never raise on model output.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

LETTERS = "ABCDEFGHIJ"
# "Answer: B", "The answer is (B) because ...", "Option B - text": a named option, then anything
_PREFIXED = re.compile(r"^\s*(?:the\s+)?(?:correct\s+|best\s+|final\s+)?(?:answer|option|choice)\s*(?:is|:|=)?\s*"
                       r"[(\[]?([A-J])[)\]]?(?=$|[\s.):,;\-])", re.I)
# "B", "(B)", "[B]", "B.", "B)", "B: text", "(B) text"; a bare letter followed by a word is not an
# option ("A patient ...", "I think ...")
_BARE = re.compile(r"^\s*(?:\(([A-J])\)|\[([A-J])\]|([A-J])(?=\s*$|\s*[.):,;]))", re.I)
# two letters joined: "B and C", "B or C", "B, C", "B/C", "B & C"
_TWO = re.compile(r"(?<![A-Za-z])\(?([A-J])\)?\s*(?:,|/|&|\+|(?i:\band\b|\bor\b))\s*\(?([A-J])\)?(?![A-Za-z])")
_OPTION_WORD = re.compile(r"\b(?:option|choice|answer)\s*\(?([A-J])\)?(?![A-Za-z])", re.I)


@dataclass
class Choice:
    """The option an answer picked: ``letter`` or None, with ``reason`` when None
    (``no_answer``, ``no_option``, ``multiple``, ``bad_letter``)."""

    letter: str | None
    reason: str = ""


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _strict(text: str) -> str:
    """Option text compared as written: NFKC, lower case, whitespace collapsed, end punctuation dropped;
    signs and arrows kept (``Rh+ve`` / ``Rh-ve``, ``CD 5+, CD 23-``, ``>50 degree``, ``↑ ALP``)."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split()).strip(" .;:")


def option_of_text(text: str, options: dict) -> str | None:
    """The one option whose text ``text`` is: compared as written first (:func:`_strict`), then with
    punctuation dropped (:func:`_norm`) when that is still unambiguous; None otherwise."""
    for norm in (_strict, _norm):
        said = norm(text)
        if not said:
            return None
        hits = [k for k, v in options.items() if norm(str(v)) == said]
        if len(hits) == 1:
            return hits[0]
        if hits:  # several options read alike once punctuation is dropped: no answer by text
            return None
    return None


_LEADING = re.compile(r"^\s*[(\[]?([A-J])[)\]]?\s*[.):\-]?\s+(\S.*)$", re.S)


def parse_choice(answer: str | None, letters: str = "ABCD", options: dict | None = None) -> Choice:
    """The option letter an answer block names.

    Accepted: a letter alone or bracketed (``B``, ``(B)``, ``B.``), a leading letter followed by the
    option's text (``B. Tell the attending``), ``Answer: B``, ``The answer is (B)``, ``option B``,
    or, when ``options`` ({letter: text}) is given, exactly the text of one option. With options,
    the option's own text wins over letters inside it: ``E. faecalis`` (an option of A-D) is that
    option, and ``A. Brownish inclusions ... on H&E staining`` is A (the ``H&E`` is not two letters).
    Two different letters (``B or C``, ``B, C``) are ``multiple``; a letter outside ``letters`` is
    ``bad_letter``.
    """
    if not isinstance(answer, str):
        return Choice(None, "no_answer")
    text = answer.strip()[:2000]
    if not text:
        return Choice(None, "no_option")
    if options:
        by_text = option_of_text(text, options) if len(_norm(text)) > 1 else None
        if by_text is not None:
            return Choice(by_text) if by_text in letters else Choice(None, "bad_letter")
        lead = _LEADING.match(text)
        if lead and lead.group(1).upper() in options and option_of_text(lead.group(2), options) == lead.group(1).upper():
            letter = lead.group(1).upper()
            return Choice(letter) if letter in letters else Choice(None, "bad_letter")
    for a, b in _TWO.findall(text.upper() if len(text) <= 12 else text):
        if a.upper() != b.upper():
            return Choice(None, "multiple")
    named = {m.upper() for m in _OPTION_WORD.findall(text)}
    if len(named) > 1:
        return Choice(None, "multiple")
    found = _PREFIXED.match(text) or _BARE.match(text)
    letter = next(g for g in found.groups() if g).upper() if found else (next(iter(named)) if named else None)
    if letter is None:
        return Choice(None, "no_option")
    if letter not in letters:
        return Choice(None, "bad_letter")
    return Choice(letter)


@lru_cache(maxsize=4096)
def _options_json(raw: str) -> dict:
    try:
        value = json.loads(raw) if raw else {}
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def read_options(raw) -> dict:
    """An example's ``options`` column: a dict, or a JSON object string ({letter: text}); {} when
    it is neither (a dataset column, so read once per distinct string)."""
    if isinstance(raw, dict):
        return raw
    return _options_json(raw) if isinstance(raw, str) else {}


def read_choice(answer: str | None, raw_options) -> Choice:
    """:func:`parse_choice` against an example's ``options`` column: the letters it offers (A-D
    when it offers none) and the option texts."""
    options = read_options(raw_options)
    letters = "".join(sorted(k for k in options if k in LETTERS)) or "ABCD"
    return parse_choice(answer, letters, options)


# ---------------------------------------------------------------- ranked lists
_ITEM = re.compile(r"^\s*(?:(\d{1,2})\s*[.):]|[-*•])\s*(.*)$")
MAX_ITEMS = 50


def parse_list(answer: str | None) -> tuple[list[str], bool]:
    """Items of a list answer and whether it is a well-formed numbered list.

    Well-formed: every non-empty line is ``n. item`` (or ``n)``/``n:``) with n = 1, 2, 3, ... in
    order and a non-empty item. Otherwise the items are still read, best effort, from bullet or
    numbered lines, or else from the text split on newlines or semicolons (so a model is scored on
    what it listed, and the format reward says whether the layout was right). At most 50 items.
    """
    if not isinstance(answer, str) or not answer.strip():
        return [], False
    lines = [ln for ln in answer.strip()[:20_000].splitlines() if ln.strip()]
    marked = [_ITEM.match(ln) for ln in lines]
    numbers = [m.group(1) for m in marked if m]
    if all(marked):
        items = [m.group(2).strip() for m in marked]
        ok = (all(n is not None for n in numbers) and [int(n) for n in numbers] == list(range(1, len(lines) + 1))
              and all(items))
        return [i for i in items if i][:MAX_ITEMS], ok
    if len(lines) == 1:
        parts = re.split(r";|\s+\d{1,2}[.)]\s+", lines[0])
        return [p.strip(" .") for p in parts if p.strip(" .")][:MAX_ITEMS], False
    return [(m.group(2) if m else ln).strip() for m, ln in zip(marked, lines, strict=True)][:MAX_ITEMS], False


_ARTICLES = {"a", "an", "the"}


class Normaliser:
    """Canonical names for free-text answers. ``canon(text)``: Unicode NFKC, lower case, only
    letters and digits kept (so punctuation and hyphens become spaces), leading articles dropped,
    then looked up in ``synonyms`` (alias -> canonical name; aliases are normalised the same way,
    so ``"MI"``, ``"m.i."`` and ``"myocardial infarction"`` can all map to one name). Text that is no
    known alias is returned normalised."""

    def __init__(self, synonyms: dict[str, str] | None = None):
        self.table: dict[str, str] = {}
        for alias, name in (synonyms or {}).items():
            self.table[self._key(alias)] = self._key(name)
        for name in set((synonyms or {}).values()):
            self.table.setdefault(self._key(name), self._key(name))

    @staticmethod
    def _key(text: str) -> str:
        words = _norm(str(text)).split()
        while words and words[0] in _ARTICLES:
            words = words[1:]
        merged: list[str] = []  # "m.i." -> "m i" -> "mi": a run of single letters is one abbreviation
        run = False
        for w in words:
            single = len(w) == 1 and w.isalpha()
            if single and run:
                merged[-1] += w
            else:
                merged.append(w)
            run = single
        return " ".join(merged)

    def canon(self, text: str) -> str:
        key = self._key(text) if isinstance(text, str) else ""
        return self.table.get(key, key)


def rank_metrics(items: list[str], preferred: str, acceptable: list[str], k: int) -> dict:
    """Metrics of a list of canonical names (first = most likely):

    * ``rank``: 1-based position of the preferred answer (None when absent);
    * ``hit@k``: 1 when the preferred answer is among the first k items;
    * ``rr``: reciprocal rank of the first acceptable answer (0 when none);
    * ``recall@k``: distinct acceptable answers among the first k items / min(k, |acceptable|);
    * ``extra``: items beyond k plus repeated items (what padding costs).
    ``acceptable`` includes the preferred answer.
    """
    accept = set(acceptable) | {preferred}
    rank = next((i + 1 for i, x in enumerate(items) if x == preferred), None)
    first = next((i + 1 for i, x in enumerate(items) if x in accept), None)
    top = set(items[:k]) & accept
    dup = len(items) - len(set(items))
    return {"rank": rank, "hit@k": float(rank is not None and rank <= k), "rr": 1.0 / first if first else 0.0,
            "recall@k": len(top) / min(k, len(accept)), "extra": max(0, len(items) - k) + dup}


# weights of :func:`list_reward` (documented in the domains' READMEs)
LIST_WEIGHTS = {"hit": 0.5, "rr": 0.3, "recall": 0.2, "penalty": 1.0}


def list_reward(items: list[str], preferred: str, acceptable: list[str], k: int) -> float:
    """One number in [-1, 1] for a ranked answer::

        0.5 * (1 / rank of the preferred answer, 0 when absent or below k)
      + 0.3 * reciprocal rank of the first acceptable answer
      + 0.2 * recall@k of the acceptable set
      - 1.0 * min(1, (items beyond k + repeated items) / k)

    Every term is non-increasing when the preferred answer moves down. The short correct list
    (preferred first, then the other acceptable answers, at most k) has the best hit, rr and
    recall there are; appending items to it or repeating one never raises a term, and the penalty
    makes padding past k or repeating an item strictly worse (property-tested). The penalty's
    weight is the whole scale (it was 0.25 until ``foundry medical audit`` found that listing
    every condition, or a wrong list followed by the right one, kept 64-91 % of the reward): k
    extra items cancel a perfect list."""
    m = rank_metrics(items, preferred, acceptable, k)
    w = LIST_WEIGHTS
    pref = 1.0 / m["rank"] if m["rank"] is not None and m["rank"] <= k else 0.0
    return w["hit"] * pref + w["rr"] * m["rr"] + w["recall"] * m["recall@k"] - w["penalty"] * min(1.0, m["extra"] / k)


# ---------------------------------------------------------------- letter bias
def letter_bias(chosen: list[str | None], gold: list[str], letters: str | None = None) -> dict | None:
    """How the chosen letters are distributed against the gold letters.

    Returns counts per letter (``chosen``, ``gold``), ``unparsed`` (answers with no letter), and a
    Pearson chi-square goodness-of-fit test of the chosen counts against the counts expected from
    the gold distribution (scipy.stats.chisquare; letters never gold are pooled into the test only
    when chosen, which makes any such choice count as bias). None when there are no gold letters.
    """
    from scipy.stats import chisquare

    gold = [g for g in gold if g]
    if not gold:
        return None
    letters = letters or "".join(sorted(set(gold) | {c for c in chosen if c}))
    g_counts = {x: sum(1 for g in gold if g == x) for x in letters}
    c_counts = {x: sum(1 for c in chosen if c == x) for x in letters}
    n = sum(c_counts.values())
    out = {"letters": letters, "gold": g_counts, "chosen": c_counts, "unparsed": sum(1 for c in chosen if not c),
           "chi2": None, "p_value": None}
    if n == 0:
        return out
    used = [x for x in letters if g_counts[x] > 0]
    expected = [g_counts[x] / len(gold) * n for x in used]
    observed = [c_counts[x] for x in used]
    stray = sum(c_counts[x] for x in letters if g_counts[x] == 0)
    if stray:  # chosen letters that are never the answer: a bin with (almost) nothing expected
        observed.append(stray)
        expected = [e * (n - 1e-6) / n for e in expected] + [1e-6]
    if len(observed) < 2:
        return out
    res = chisquare(observed, expected)
    out["chi2"], out["p_value"] = float(res.statistic), float(res.pvalue)
    return out


def plot_letter_bias(bias: dict, path: str, title: str = "option-letter bias") -> str:
    """A bar chart of chosen vs gold letter frequencies (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    letters = list(bias["letters"])
    n_gold = max(1, sum(bias["gold"].values()))
    n_chosen = max(1, sum(bias["chosen"].values()))
    xs = range(len(letters))
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.bar([x - 0.2 for x in xs], [bias["gold"][x] / n_gold for x in letters], width=0.4, label="gold")
    ax.bar([x + 0.2 for x in xs], [bias["chosen"][x] / n_chosen for x in letters], width=0.4, label="chosen")
    ax.set_xticks(list(xs), letters)
    ax.set_ylabel("share of answers")
    p = bias.get("p_value")
    ax.set_title(title + (f"  (chi-square p = {p:.3g})" if p is not None else ""), fontsize=9)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
