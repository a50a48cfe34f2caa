"""The moment a coverage question is about: a time of day today, or a full date-time."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from ..errors import BadRequest
from ..hours import (
    CHINA_TZ,
    MOMENT_YEARS,
    now_in_china,
    parse_moment_text,
    this_minute_in_china,
)

NOW = "now"


def parse_moment(text: str | None, parameter: str = "at") -> datetime:
    """``21:00`` (today in China), ``2026-10-01T21:00`` (China's time unless it has an
    offset; holidays count), or now when empty or ``now``; a 400 naming ``parameter``
    otherwise."""
    if text is None or text.strip().lower() in ("", NOW):
        return this_minute_in_china()
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    try:
        if clock:
            at = time(int(clock[1]), int(clock[2]))
            return datetime.combine(now_in_china().date(), at, CHINA_TZ)
        return parse_moment_text(text)
    except ValueError:
        pass
    raise BadRequest(
        f"{parameter}: got {text!r}, expected now, a time of day such as 21:00, or a "
        f"date-time such as 2026-10-01T21:00 (years {MOMENT_YEARS.start} to {MOMENT_YEARS[-1]})",
        code="invalid_parameter",
        parameter=parameter,
    )


def parse_day(text: str | None, parameter: str = "date") -> date:
    """``2026-12-08``, or today in China when empty; a 400 naming ``parameter`` otherwise."""
    if text is None or not text.strip():
        return now_in_china().date()
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        day = None
    if day is None or day.year not in MOMENT_YEARS:
        raise BadRequest(
            f"{parameter}: got {text!r}, expected a date such as 2026-12-08 "
            f"(years {MOMENT_YEARS.start} to {MOMENT_YEARS[-1]})",
            code="invalid_parameter",
            parameter=parameter,
        )
    return day
