"""What every cell parser shares: the problem it returns and the text clean-up it starts with.

A county union's spreadsheet is typed by hand, often with a Chinese input method left in
full-width mode, and saved by Excel, which turns some text into numbers. Parsers never
raise on bad input: they return a :class:`CellProblem` that the import report shows the
clerk beside the row, in Chinese with English alongside.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

CellValue = str | int | float | None
"""A cell as a spreadsheet reader hands it over: text, a number, or nothing."""

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_WHITESPACE = re.compile(r"\s+")
_PLACEHOLDERS = frozenset({"无", "暂无", "没有", "不详", "未知", "待定", "/", "-", "--", "—", "——"})


@dataclass(frozen=True, slots=True)
class CellProblem:
    """Why one cell could not be used, worded for the clerk who owns the file."""

    code: str
    """Stable machine-readable reason, e.g. ``"bad_coordinate"``."""
    message_zh: str
    """What went wrong and what to write instead, in Chinese."""
    message_en: str
    """The same, in English."""


@lru_cache(maxsize=1 << 16)
def normalize_text(text: str) -> str:
    """``text`` with full-width forms folded, invisible characters dropped and spaces tidied.

    Unicode NFKC turns full-width digits, letters and punctuation into ASCII
    (``１２：００`` to ``12:00``, ``（，）`` to ``(,)``) and no-break spaces into spaces,
    while leaving Chinese-only marks such as ``、`` and ``。`` alone. Zero-width
    characters are removed, runs of whitespace become one space, and the ends are trimmed.
    """
    if text.isascii():
        return " ".join(text.split())
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return _WHITESPACE.sub(" ", folded).strip()


def cell_text(value: CellValue) -> str:
    """A cell as normalised text; a whole-number float (Excel's only number type) loses ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    return normalize_text(str(value))


def is_placeholder(text: str) -> bool:
    """Whether normalised ``text`` is a clerk's way of leaving a cell empty (``无``, ``/``)."""
    return text in _PLACEHOLDERS
