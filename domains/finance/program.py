"""FinQA's program language, parsed and executed with the semantics of FinQA's official
``code/evaluate/evaluate.py`` (Chen et al., 2021), written here from its definitions and checked
against them case by case (``tests/domains/finance/test_program.py``).

A program is a comma-separated list of steps ``op(arg1, arg2)``; an argument is a number
(``5829``, ``3.5%`` -> 0.035, ``1,200``), a constant (``const_100``, ``const_m1`` = -1), a step
reference ``#k`` or, for ``table_*`` ops, a table row name (the second argument is ``none``).

What the official evaluator does, reproduced here (deliberately, quirks included, so that
``exe_acc``/``prog_acc`` equal its numbers on the same inputs):

* tokens: ``program_tokenization`` splits on ``", "`` and around parentheses and appends ``EOF``;
  the executor drops the last token whatever it is, then requires every 4th token to be an
  ``op(`` and every 4th+3 a ``)``;
* steps are recovered by joining tokens with ``|`` and splitting on ``)``; an argument is the
  first/second ``|`` field;
* numbers: commas removed, ``float()``; else ``%`` -> /100; else ``const_`` (``m1`` = -1); a
  table cell also drops ``$`` and everything from ``(`` on (``"-36 ( 36 )"`` -> -36);
* ``greater`` gives ``"yes"``/``"no"``; the final result, unless yes/no, is ``round(x, 5)``;
  execution accuracy is exact equality with the gold ``exe_ans``;
* a ``table_*`` op whose first argument is a ``#k`` reference reuses the row of the previous
  table op (the official code never reassigns it);
* any error (unknown op, missing row, division by zero, a complex power, ...) makes the program
  invalid; an empty program is valid with result ``"n/a"``;
* program accuracy: both programs turned into symbolic expressions (numbers and table steps of
  the gold as symbols) and compared after ``sympy.simplify(..., evaluate=False)``.

No text is ever passed to ``eval``: arithmetic is Python's on parsed floats.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

OPS = ("add", "subtract", "multiply", "divide", "exp", "greater", "table_max", "table_min", "table_sum",
       "table_average")
ARITH = OPS[:6]
MAX_TOKENS = 400  # longer "programs" are not parsed (a model writing forever)


def tokenize(program: str) -> list[str]:
    """FinQA's ``program_tokenization``: ``"divide(#0, 5735)"`` -> ``["divide(", "#0", "5735", ")", "EOF"]``."""
    out: list[str] = []
    for piece in str(program).split(", "):
        cur = ""
        for ch in piece:
            if ch == ")" and cur:
                out.append(cur)
                cur = ""
            cur += ch
            if ch in "()":
                out.append(cur)
                cur = ""
        if cur:
            out.append(cur)
    out.append("EOF")
    return out


def to_number(text: str):
    """FinQA's ``str_to_num``: a float, or ``"n/a"``; raises ValueError for a bad ``const_``."""
    text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        pass
    if "%" in text:
        try:
            return float(text.replace("%", "")) / 100.0
        except ValueError:
            return "n/a"
    if "const" in text:
        text = text.replace("const_", "")
        return float("-1" if text == "m1" else text)  # ValueError -> invalid program, as officially
    return "n/a"


def cell_number(cell: str):
    """A table cell as FinQA reads it: ``$`` dropped, everything from ``(`` cut, then :func:`to_number`."""
    return to_number(cell.replace("$", "").strip().split("(")[0].strip())


def row_numbers(cells: list[str]):
    values = []
    for cell in cells:
        v = cell_number(cell)
        if v == "n/a":
            return "n/a"
        values.append(v)
    return values


@dataclass
class Result:
    """``invalid`` as the official ``invalid_flag`` (0/1), ``value`` its result (a float rounded to
    5 places, ``"yes"``/``"no"``, or ``"n/a"``) and ``reason`` why it is invalid."""

    invalid: int
    value: object
    reason: str = ""
    steps: int = 0


def _split_step(step: str):
    op = step.split("(")[0].strip("|").strip()
    args = step.split("(")[1].strip("|").strip()
    fields = args.split("|")
    return op, fields[0].strip(), fields[1].strip()


def _structure(tokens: list[str]) -> str:
    for i, tok in enumerate(tokens):
        if i % 4 == 0 and tok.strip("(") not in OPS:
            return "unknown_op"
        if (i + 1) % 4 == 0 and tok != ")":
            return "bad_arity"
    return ""


def execute(tokens: list[str], table: list[list[str]]) -> Result:
    """Run a tokenised program (with its trailing ``EOF``) on ``table`` as ``eval_program`` does."""
    if len(tokens) > MAX_TOKENS:
        return Result(1, "n/a", "too_long")
    tokens = tokens[:-1]
    bad = _structure(tokens)
    if bad:
        return Result(1, "n/a", bad)
    steps = "|".join(tokens).split(")")[:-1]
    results: dict[int, object] = {}
    value: object = "n/a"
    row = None  # the official code keeps the last table row across steps
    try:
        for i, step in enumerate(steps):
            step = step.strip()
            if len(step.split("(")) > 2:
                return _broke(value, "bad_arity", i)
            try:
                op, a1, a2 = _split_step(step)
            except IndexError:
                return Result(1, value, "bad_arity", i)
            if op in ARITH:
                x = _arg(a1, results)
                y = _arg(a2, results)
                if x == "n/a" or y == "n/a":
                    return _broke(value, "bad_number", i)
                if op == "add":
                    value = x + y
                elif op == "subtract":
                    value = x - y
                elif op == "multiply":
                    value = x * y
                elif op == "divide":
                    value = x / y
                elif op == "exp":
                    value = x ** y
                else:
                    value = "yes" if x > y else "no"
                results[i] = value
            elif "table" in op:
                rows = {}
                for r in table:  # built for every table step, as officially (an empty row fails)
                    rows[r[0]] = r[1:]
                if "#" in a1:
                    _ref(a1, results)  # evaluated (it can fail) but, officially, not used
                else:
                    if a1 not in rows:
                        return _broke(value, "missing_row", i)
                    row = row_numbers(rows[a1])
                if row is None:
                    return Result(1, value, "missing_row", i)
                if row == "n/a":
                    return _broke(value, "bad_cell", i)
                if op == "table_max":
                    value = max(row)
                elif op == "table_min":
                    value = min(row)
                elif op == "table_sum":
                    value = sum(row)
                else:
                    value = sum(row) / len(row)
                results[i] = value
        if value not in ("yes", "no", "n/a"):
            value = round(value, 5)
    except ZeroDivisionError:
        return Result(1, value, "division_by_zero")
    except _BadRef:
        return Result(1, value, "bad_reference")
    except OverflowError:
        return Result(1, value, "overflow")
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return Result(1, value, "bad_value")  # e.g. arithmetic on yes/no, a complex power, max([])
    return Result(0, value, "", len(steps))


class _BadRef(Exception):
    pass


def _broke(value, reason: str, step: int) -> Result:
    """An invalid program whose official ``eval_program`` left the loop by ``break``: the code after the
    loop still runs, so the last value is rounded to 5 places there (an exception skips that rounding)."""
    if value not in ("yes", "no", "n/a"):
        value = round(value, 5)
    return Result(1, value, reason, step)


def _ref(arg: str, results: dict):
    try:
        return results[int(arg.replace("#", ""))]
    except (ValueError, KeyError):
        raise _BadRef(arg) from None


def _arg(arg: str, results: dict):
    if "#" in arg:
        return _ref(arg, results)
    return to_number(arg)


def run(program: str, table: list[list[str]]) -> Result:
    """Tokenise and execute a program string."""
    if not isinstance(program, str) or len(program) > 4 * MAX_TOKENS * 8:
        return Result(1, "n/a", "too_long")
    return execute(tokenize(program), table)


def exe_correct(result: Result, gold) -> bool:
    """FinQA's execution accuracy for one example: valid and exactly equal to ``exe_ans``."""
    return result.invalid == 0 and result.value == gold


# ---------------------------------------------------------------- program accuracy
_SYMBOL = re.compile(r"^a\d+$")


def _symbolic(steps: list[str], symbols: dict, last: int, depth: int = 0) -> str:
    if depth > 200:
        raise RecursionError
    op, a1, a2 = _split_step(steps[last].strip())
    if "table" in op:
        return symbols[steps[last].strip()]
    parts = []
    for a in (a1, a2):
        parts.append(_symbolic(steps, symbols, int(a.replace("#", "")), depth + 1) if "#" in a else symbols[a])
    sign = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "exp": "**", "greater": ">"}[op]
    return f"( {parts[0]} {sign} {parts[1]} )"


def equal_programs(gold: list[str], pred: list[str]) -> bool:
    """FinQA's ``equal_program`` (program accuracy): token lists with ``EOF``; numbers, constants
    and table steps of the gold become symbols; the prediction may use only those; both are
    compared as sympy expressions simplified with ``evaluate=False``."""
    from sympy import simplify

    gsteps = "|".join(gold[:-1]).split(")")[:-1]
    symbols: dict[str, str] = {}
    for step in gsteps:
        step = step.strip()
        op, a1, a2 = _split_step(step)
        keys = [step] if "table" in op else [a for a in (a1, a2) if "#" not in a]
        for key in keys:
            symbols.setdefault(key, f"a{len(symbols)}")
    pred = pred[:-1]
    if len(pred) > MAX_TOKENS or _structure(pred):
        return False
    psteps = "|".join(pred).split(")")[:-1]
    try:
        for i, step in enumerate(psteps):
            step = step.strip()
            if len(step.split("(")) > 2:
                return False
            op, a1, a2 = _split_step(step)
            if "table" in op:
                if step not in symbols:
                    return False
                continue
            for a in (a1, a2):
                if "#" not in a:
                    if a not in symbols:
                        return False
                elif int(a.strip("#")) >= i:
                    return False
    except (IndexError, ValueError):
        return False
    try:
        g = simplify(_symbolic(gsteps, symbols, len(gsteps) - 1), evaluate=False)
    except Exception:  # a gold program the official code would also fail on
        return False
    try:
        p = simplify(_symbolic(psteps, symbols, len(psteps) - 1), evaluate=False)
    except Exception:
        return False
    return g == p


def ops_of(program: str) -> list[str]:
    """The operations of a program, in order (for the eval's per-operation buckets)."""
    return [t.strip("(") for t in tokenize(program)[:-1][::4] if t.strip("(") in OPS]


def is_number(value) -> bool:
    return isinstance(value, float) and math.isfinite(value)
