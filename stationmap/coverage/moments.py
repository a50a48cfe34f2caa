"""The moment a coverage question is about: a time of day today, or a full date-time."""

from __future__ import annotations

import re
from datetime import datetime, time

from ..errors import BadRequest
from ..hours import CHINA_TZ, in_china_time, now_in_china, this_minute_in_china


def parse_moment(text: str | None, parameter: str = "at") -> datetime:
    """``21:00`` (today in China), ``2026-10-01T21:00`` (China's time unless it has an
    offset; holidays count), or now when empty; a 400 naming ``parameter`` otherwise."""
    if text is None or not text.strip():
        return this_minute_in_china()
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    try:
        if clock:
            at = time(int(clock[1]), int(clock[2]))
            return datetime.combine(now_in_china().date(), at, CHINA_TZ)
        return in_china_time(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise BadRequest(
            f"{parameter}: got {text!r}, expected a time of day such as 21:00, or a "
            "date-time such as 2026-10-01T21:00",
            code="invalid_parameter",
        ) from None
