"""A cell's value, as calamine or JSON gives it, as the text Excel would show."""

from __future__ import annotations

import datetime as dt
from typing import Any


def value_text(value: Any) -> str:
    """One cell, as calamine or JSON gives it, as text."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value) if value == value else ""
    if isinstance(value, dt.datetime):
        return f"{value.date().isoformat()} {_clock_text(_day_seconds(value))}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return _clock_text(_day_seconds(value))
    if isinstance(value, dt.timedelta):
        return _clock_text(round(value.total_seconds()))
    return str(value)


def number_text(value: float) -> str:
    """A number as Excel shows it: whole numbers without ``.0``, at most 15 significant
    digits (so ``116.39999999999999`` from a formula reads ``116.4``)."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return f"{value:.15g}"


def _clock_text(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def _day_seconds(moment: dt.time | dt.datetime) -> int:
    """Seconds since midnight, rounded: Excel stores 8:30 as 0.3541666..., which can come
    back a microsecond short."""
    exact = moment.hour * 3600 + moment.minute * 60 + moment.second
    return min(exact + round(moment.microsecond / 1e6), 86_399)
