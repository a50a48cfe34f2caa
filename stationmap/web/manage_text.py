"""How the clerks' pages word what the use cases say: Chinese messages, local times."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
"""The clerks' clock: every union is in China (UTC+8, no daylight saving)."""
_CHINESE = re.compile(r"[\u3400-\u9fff]")


def chinese(message: str) -> str:
    """The Chinese half of a use case's ``中文 / English`` message (the whole message when
    it has no Chinese before the slash)."""
    first = message.split(" / ", 1)[0]
    return first if _CHINESE.search(first) else message


def local_time(moment: datetime | None) -> str:
    """``moment`` on the clerks' clock, to the minute: ``2025-03-01 14:05``."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands back the stored UTC without its zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
