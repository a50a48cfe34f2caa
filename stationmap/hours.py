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

import re
import time
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

# opening_hours defines ParserError, but its bundled stub leaves it out.
from opening_hours import OpeningHours, ParserError, State  # type: ignore[attr-defined]

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


MOMENT_YEARS = range(1900, 2101)
"""The years an asked moment may fall in: far enough either way for any rider or planner,
near enough that China's time of it exists (0001-01-01 in China's time is in year 0, and
9999-12-31T23:59-12:00 in year 10000, which datetime cannot hold)."""

_OFFSET_SENT_AS_SPACE = re.compile(r"(.+\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)")
"""A time with a positive offset whose ``+`` arrived as a space: a query string decodes
``+`` as a space, and clients often leave ``+08:00`` unescaped."""


def parse_moment_text(text: str) -> datetime:
    """An ISO-8601 date-time (``2026-10-01T21:00``, China's time unless it has an offset;
    ``2026-10-01T21:00 08:00`` is read as ``+08:00``) in China's time, in
    :data:`MOMENT_YEARS`; ValueError otherwise."""
    text = text.strip()
    unescaped = _OFFSET_SENT_AS_SPACE.fullmatch(text)
    if unescaped:
        text = f"{unescaped[1]}+{unescaped[2]}"
    try:
        moment = datetime.fromisoformat(text)
        if moment.year in MOMENT_YEARS:
            moment = in_china_time(moment)
            if moment.year in MOMENT_YEARS:
                return moment
    except OverflowError:
        pass
    raise ValueError(f"not a date-time in the years {MOMENT_YEARS.start} to {MOMENT_YEARS[-1]}")


def now_in_china() -> datetime:
    """The current time in Asia/Shanghai."""
    return datetime.now(CHINA_TZ)


def this_minute_in_china() -> datetime:
    """The current minute in Asia/Shanghai, by the clock :meth:`HoursBook.states_at`
    uses for "now" (answers about now stay the same within a minute)."""
    return datetime.fromtimestamp(_minute(None) * 60, CHINA_TZ)


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


DAY_WORDS = {
    "Mo": "周一",
    "Tu": "周二",
    "We": "周三",
    "Th": "周四",
    "Fr": "周五",
    "Sa": "周六",
    "Su": "周日",
    "PH": "法定节假日",
}
DAY_RANGE_WORDS = {"Mo-Su": "每天", "Sa-Su": "周末"}
WEEK = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY = "(?:" + "|".join(DAY_WORDS) + ")"
_DAYS = re.compile(rf"{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*")
_SPANS = re.compile(r"\d{2}:\d{2}-\d{2}:\d{2}(?:,\d{2}:\d{2}-\d{2}:\d{2})*")
ALL_DAY = "24小时"


@lru_cache(maxsize=4096)
def describe_hours(text: str | None) -> str | None:
    """Opening hours as a rider reads them, e.g. ``周一至周五 08:30-17:30；法定节假日休息``.

    Covers what stations use: weekdays, holidays, time spans (those past midnight
    end on 次日), whole days. The rules come from opening-hours-py's normalised form,
    where a later rule has already replaced an earlier one for the same days; if
    two rules still name the same day (a span past midnight), the text would read
    as if both held, so it stays in OpenStreetMap syntax, as does anything else
    (months, sunrise, comments) rather than being half translated. None stays None.
    """
    if text is None:
        return None
    try:
        canonical = str(parse_hours(text).normalize())
    except ParserError:
        return text
    if canonical == ALWAYS_OPEN:
        return "24小时开放"
    try:
        rules = [_split_rule(rule) for rule in canonical.split("; ")]
        if _days_overlap([days for days, _ in rules]):
            return text
        return "；".join(_describe_rule(days, times) for days, times in rules)
    except _NoWording:
        return text


class _NoWording(Exception):
    """A rule outside what :func:`describe_hours` words in Chinese."""


def _split_rule(rule: str) -> tuple[str, str]:
    """A normalised rule as (days, times); days default to every day."""
    if rule == ALWAYS_OPEN:
        return "Mo-Su", ""
    head, _, rest = rule.partition(" ")
    if _DAYS.fullmatch(head):
        return head, rest
    if _SPANS.fullmatch(rule):
        return "Mo-Su", rule
    raise _NoWording(rule)


def _describe_rule(days: str, times: str) -> str:
    """One rule in Chinese: its days, then its spans, 休息 or 24小时."""
    words = "、".join(DAY_RANGE_WORDS.get(part) or _describe_days(part) for part in days.split(","))
    if times in ("closed", "off"):
        return f"{words}休息"
    if not times:
        return f"{words} {ALL_DAY}"
    if not _SPANS.fullmatch(times):
        raise _NoWording(times)
    return f"{words} " + "、".join(_describe_span(span) for span in times.split(","))


def _describe_days(part: str) -> str:
    first, _, last = part.partition("-")
    return DAY_WORDS[first] + (f"至{DAY_WORDS[last]}" if last else "")


def _describe_span(span: str) -> str:
    """``08:00-18:00`` as it is; one past midnight (``22:00-02:00``, ``22:00-26:00``)
    as ``22:00-次日02:00``."""
    start, end = (_minutes(t) for t in span.split("-"))
    if start >= 24 * 60:
        raise _NoWording(span)
    if end > 24 * 60 or end <= start:
        return f"{_clock(start)}-次日{_clock(end % (24 * 60))}"
    return span


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days_overlap(rules_days: list[str]) -> bool:
    """Whether two rules name the same day (weekdays, or PH)."""
    seen: set[str] = set()
    for days in rules_days:
        named = set().union(*(_expand_days(part) for part in days.split(",")))
        if seen & named:
            return True
        seen |= named
    return False


def _expand_days(part: str) -> set[str]:
    """``Mo-Fr`` as {Mo, Tu, We, Th, Fr}; a range may wrap round the week (``Sa-Mo``)."""
    first, _, last = part.partition("-")
    if not last or first == "PH" or last == "PH":
        return {first, last} - {""}
    start, stop = WEEK.index(first), WEEK.index(last)
    return {WEEK[(start + i) % 7] for i in range((stop - start) % 7 + 1)}


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
