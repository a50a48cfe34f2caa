"""Opening hours: is a station open at a moment, closed, or unknown?

Hours are kept in OpenStreetMap's opening_hours syntax and evaluated with
``opening-hours-py`` in China's time zone with China's public holidays (``PH``).
A station with no hours, or whose hours say "unknown" at that moment, is UNKNOWN:
never reported as open.

Many stations share the same few hours strings, so :class:`HoursBook` parses each
distinct string once and answers "which strings are open at t" for all of them at
once; a station's state is then one array lookup.
"""

from __future__ import annotations

import time
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from opening_hours import OpeningHours, State

CHINA_TZ = ZoneInfo("Asia/Shanghai")

OPEN, CLOSED, UNKNOWN = 1, 0, -1
"""Station states as small integers (arrays of them are int8)."""

STATE_NAMES = {OPEN: True, CLOSED: False, UNKNOWN: None}
"""How a state appears in the API's ``open_now``: true, false or null."""

ALWAYS_OPEN = "24/7"


def in_china_time(moment: datetime) -> datetime:
    """``moment`` in Asia/Shanghai; a naive moment is taken to be Shanghai time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=CHINA_TZ)
    return moment.astimezone(CHINA_TZ)


def now_in_china() -> datetime:
    """The current time in Asia/Shanghai."""
    return datetime.now(CHINA_TZ)


@lru_cache(maxsize=65536)
def parse_hours(text: str) -> OpeningHours:
    """The parsed expression for ``text`` (which must be valid), evaluated in China."""
    return OpeningHours(text, timezone=CHINA_TZ, country="CN")


def hours_state(text: str | None, moment: datetime) -> int:
    """OPEN, CLOSED or UNKNOWN for one hours string at ``moment``."""
    if text is None:
        return UNKNOWN
    state, _comment = parse_hours(text).state(in_china_time(moment))
    return {State.OPEN: OPEN, State.CLOSED: CLOSED}.get(state, UNKNOWN)


class HoursBook:
    """The distinct hours strings of a set of stations, each parsed once.

    ``codes[i]`` (built by :meth:`encode`) is the position of station i's hours in
    the book, or -1 when unknown; :meth:`states_at` gives the state of every
    distinct string at a moment, cached per minute.
    """

    def __init__(self) -> None:
        self.texts: list[str] = []
        self._positions: dict[str, int] = {}
        self._cache: dict[int, np.ndarray] = {}
        self._answers: dict[int, list[bool | None]] = {}

    def encode(self, hours: list[str | None]) -> np.ndarray:
        """Book positions for a column of hours strings (-1 for None)."""
        return np.fromiter((self._position(h) for h in hours), dtype=np.int32, count=len(hours))

    def _position(self, text: str | None) -> int:
        if text is None:
            return -1
        position = self._positions.get(text)
        if position is None:
            position = self._positions[text] = len(self.texts)
            self.texts.append(text)
            self._cache.clear()
            self._answers = {}
        return position

    def open_now_at(self, moment: datetime | None = None) -> list[bool | None]:
        """:meth:`states_at` as the API's True / False / None, as a plain list."""
        minute = _minute(moment)
        answer = self._answers.get(minute)
        if answer is None:
            answer = [STATE_NAMES[int(s)] for s in self.states_at(moment)]
            self._answers = {minute: answer}
        return answer

    def states_at(self, moment: datetime | None = None) -> np.ndarray:
        """int8 state of every distinct string at ``moment`` (default now), plus UNKNOWN last.

        States are worked out once per minute. Indexing the result with a station's
        code gives its state; code -1 picks the trailing UNKNOWN.
        """
        minute = _minute(moment)
        states = self._cache.get(minute)
        if states is None:
            at = datetime.fromtimestamp(minute * 60, CHINA_TZ)
            states = np.array([hours_state(t, at) for t in self.texts] + [UNKNOWN], np.int8)
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[minute] = states
        return states


def _minute(moment: datetime | None) -> int:
    """Minutes since the epoch of ``moment`` (default now)."""
    seconds = time.time() if moment is None else in_china_time(moment).timestamp()
    return int(seconds // 60)
