"""Opening hours as Chinese clerks write them, turned into OpenStreetMap ``opening_hours``.

The text is read as a stream of tokens: day selectors (``周一至周五``, ``工作日``, ``每天``,
``周末``, ``节假日``), time ranges (``7:00—22:00``, ``早8点至晚8点``, ``18:00-次日2:00``),
"all day" words (``24小时``, ``全天``, ``7×24``), "closed" words (``休息``, ``除外``) and
filler (``开放时间``, brackets, punctuation). Tokens build rules the way a reader does: day
words start a rule, times add to it, a closed word closes it. Anything left over means the
text is not understood, and the hours stay unknown rather than guessed.

Decisions about ambiguous writing:

- Times without a day are every day (``Mo-Su``); ``每天 0:00-24:00`` alone is ``24/7``.
- ``节假日`` is China's public holidays (``PH``), as in ``节假日休息`` → ``PH off``; rules
  about holidays always come last, so they override the weekday rules.
- A day list after the times (``9:00-17:00（周一至周五）``) applies to those times.
- ``正常``/``照常`` (open as usual) adds nothing: ``节假日照常开放`` is dropped.
- A closed range among several (``8:00-18:00，中午12:00-14:00休息``, or after ``午休``)
  is a lunch break cut out of the others.
- An end before its start is past midnight only when it says so (``次日``, ``凌晨``) or the
  start is in the afternoon or evening; ``8:00-6:00`` is not understood.
- Bare numbers are hours (``8-18``), except two small ones (``1-5``), which are more
  likely weekdays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# opening_hours defines ParserError, but its bundled stub leaves it out.
from opening_hours import OpeningHours, ParserError  # type: ignore[attr-defined]

from .cells import CellProblem, is_placeholder, normalize_text

ALWAYS_OPEN = "24/7"
_DAY = 24 * 60
_WEEKDAY_NAMES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_WEEKDAY_NUMBERS = (
    {c: i for i, c in enumerate("一二三四五六日")}
    | {"天": 6}
    | {str(n): n - 1 for n in range(1, 8)}
)
_EVERY_DAY = frozenset(range(7))
_WORKDAYS = frozenset(range(5))
_WEEKEND = frozenset({5, 6})

_DAY_CHAR = "[一二三四五六日天1-7]"
_WEEK = "(?:周|星期|礼拜)"
_PM_PERIODS = frozenset({"下午", "傍晚", "晚上", "晚间", "晚"})
_NIGHT_PERIODS = frozenset({"夜间", "夜晚", "夜里"})
_NOON_PERIODS = frozenset({"中午", "午"})

_TOKENS = re.compile(
    rf"""
    (?P<always>7\s*[×xX*]\s*24\s*(?:小时|[hH])?|7\s*天\s*24\s*小时|24\s*(?:小时|[hH])
        |全天候|全天|昼夜)
    |(?P<weekend>周末|双休日|{_WEEK}六\s*[、,和及与]?\s*{_WEEK}?[日天](?!\d))
    |(?P<weekdays>{_WEEK}(?P<first>{_DAY_CHAR})
        (?:\s*(?:至|到|-|~|—+|–)\s*{_WEEK}?(?P<last>{_DAY_CHAR}))?)
    |(?P<daily>每天|每日|天天|每周(?!\s*{_DAY_CHAR})|全周|全年无休|全年)
    |(?P<workdays>工作日)
    |(?P<holidays>(?:国家)?法定(?:节)?假日|法定节日|节假日|节日|假日|假期|公休日)
    |(?P<time>(?:(?P<next>次日)\s*)?(?:(?P<period>上午|早上|早晨|清晨|早|中午|午|下午|傍晚
        |晚上|晚间|夜间|夜晚|夜里|晚|凌晨)\s*)?(?P<hour>\d{{1,2}})
        (?:[:.](?P<minute>\d{{2}})(?::\d{{2}})?|\s*(?P<half>点半)|\s*[点时](?:\s*(?P<minutes>\d{{1,2}})\s*分?)?)?
        (?!\d))
    |(?P<range>[-~—–−―〜]+|至|到)
    |(?P<lunch>午休)
    |(?P<affirm>正常|照常|不休息|不休|无休)
    |(?P<off>休息|休|闭馆|闭站|关闭|不开放|不对外开放|停止营业|不营业|停业|关门|除外|外)
    |(?P<filler>开放时间|营业时间|服务时间|办公时间|工作时间|时间|对外开放|开放|营业|办公|服务
        |均|都|从|起|止|为|除|以及|及|和|与|每(?={_WEEK}))
    |(?P<gap>[\s,;。/、()\[\]【】:&+]+)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class HoursResult:
    """A cell's opening hours in OpenStreetMap syntax, or why they could not be read."""

    osm: str | None
    """Hours in ``opening_hours`` syntax (always valid for ``OpeningHours``); None if unknown."""
    problem: CellProblem | None
    """Set when the cell held text that could not be understood (``unparsed_hours``)."""


class _Unreadable(Exception):
    """Raised inside the parser; turned into a :class:`CellProblem` at its edge."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass
class _Rule:
    """One rule as it is read: its days, its times, whether it says closed."""

    days: set[int] = field(default_factory=set)
    holidays: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)
    off: bool = False
    affirmed: bool = False

    @property
    def has_days(self) -> bool:
        return bool(self.days) or self.holidays


@lru_cache(maxsize=1 << 14)
def parse_hours(cell: str) -> HoursResult:
    """The OpenStreetMap ``opening_hours`` string for one hours cell.

    ``"24小时"`` gives ``"24/7"``, ``"每天7:00—22:00"`` ``"Mo-Su 07:00-22:00"``,
    ``"工作日 8:30-17:30（法定节假日除外）"`` ``"Mo-Fr 08:30-17:30; PH off"``. An empty cell
    (or a placeholder such as ``无``) gives no hours and no problem; text that is not
    understood gives no hours and an ``unparsed_hours`` problem, so the raw text can be kept.
    """
    text = normalize_text(cell)
    if not text or is_placeholder(text):
        return HoursResult(None, None)
    try:
        osm = _render(_finish(_read_rules(text)))
    except _Unreadable as reason:
        return _already_osm(text) or HoursResult(None, _unparsed(text, reason))
    if not _is_valid_osm(osm):
        return HoursResult(None, _unparsed(text, _Unreadable("格式无法转换", "cannot convert")))
    return HoursResult(osm, None)


def _read_rules(text: str) -> list[_Rule]:
    """Rules in the order written, from the token stream of ``text``."""
    tokens = _tokenize(text)
    rules = [_Rule()]
    position = 0
    cut_next = False
    while position < len(tokens):
        kind, match = tokens[position]
        rule = rules[-1]
        if kind in _DAY_TOKENS:
            if rule.spans or rule.off:
                rule = _Rule()
                rules.append(rule)
            _add_days(rule, kind, match)
        elif kind == "time":
            span, position = _read_span(tokens, position)
            if cut_next:
                _cut(rule, span)
            else:
                rule.spans.append(span)
            cut_next = False
        elif kind == "always":
            rule.spans.append((0, _DAY))
        elif kind == "lunch":
            cut_next = True
        elif kind == "affirm":
            rule.affirmed = True
        elif kind == "off":
            _close(rule)
        elif kind == "range":
            raise _Unreadable("时间段缺少开始时间", "a time range has no start")
        position += 1
    return rules


_DAY_TOKENS = frozenset({"weekend", "weekdays", "daily", "workdays", "holidays"})
_Token = tuple[str, re.Match[str]]
"""A token's kind (the name of its group in ``_TOKENS``) and its match."""


def _tokenize(text: str) -> list[_Token]:
    """Meaningful tokens of ``text`` (gaps and filler dropped); unknown text is unreadable."""
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKENS.match(text, position)
        if match is None:
            raise _Unreadable(f"无法理解“{text[position:]}”", f"cannot read {text[position:]!r}")
        kind = match.lastgroup
        assert kind is not None, "every alternative in _TOKENS is a named group"
        if kind not in ("gap", "filler"):
            tokens.append((kind, match))
        position = match.end()
    return tokens


def _add_days(rule: _Rule, kind: str, match: re.Match[str]) -> None:
    if kind == "holidays":
        rule.holidays = True
    elif kind == "weekdays":
        rule.days |= _weekday_range(match["first"], match["last"] or match["first"])
    else:
        rule.days |= {"weekend": _WEEKEND, "daily": _EVERY_DAY, "workdays": _WORKDAYS}[kind]


def _weekday_range(first: str, last: str) -> set[int]:
    """Days from ``first`` to ``last`` inclusive, wrapping past Sunday (``周五至周一``)."""
    start, end = _WEEKDAY_NUMBERS[first], _WEEKDAY_NUMBERS[last]
    return {(start + i) % 7 for i in range((end - start) % 7 + 1)}


def _read_span(tokens: list[_Token], position: int) -> tuple[tuple[int, int], int]:
    """The span starting at ``tokens[position]`` (time, range, time) and its last position."""
    following = [kind for kind, _ in tokens[position + 1 : position + 3]]
    if following != ["range", "time"]:
        text = tokens[position][1].group()
        raise _Unreadable(f"时间“{text}”不是时间段", f"time {text!r} is not part of a range")
    start_match, end_match = tokens[position][1], tokens[position + 2][1]
    start, end = _minutes(start_match), _minutes(end_match)
    if end <= start and not (end_match["period"] or end_match["next"]):
        end_in_period = _minutes(end_match, start_match["period"])
        end = end_in_period if end_in_period > start else end
    _check_span(start_match, end_match, start, end)
    return (start, end), position + 2


def _minutes(match: re.Match[str], period: str | None = None) -> int:
    """Minutes after midnight for one time token, said in its own period or else ``period``.

    ``下午2-6点`` says the period once: the end may borrow the start's.
    """
    hour = int(match["hour"])
    minute = 30 if match["half"] else int(match["minute"] or match["minutes"] or 0)
    hour = _apply_period(hour, match["period"] or period)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise _Unreadable(f"时间“{match.group()}”不存在", f"{match.group()!r} is not a time")
    return hour * 60 + minute


def _apply_period(hour: int, period: str | None) -> int:
    """The 24-hour clock hour for ``hour`` said with a period word (上午, 下午, 晚, ...)."""
    if period in _PM_PERIODS:
        return hour + 12 if hour <= 12 else hour
    if period in _NIGHT_PERIODS:
        return hour + 12 if 6 <= hour <= 12 else hour
    if period in _NOON_PERIODS:
        return hour + 12 if 1 <= hour <= 5 else hour
    if period == "凌晨" and hour == 12:
        return 0
    return hour


def _check_span(start_match: re.Match, end_match: re.Match, start: int, end: int) -> None:
    """Refuse spans a reader could not be sure of (see the module notes)."""
    text = f"{start_match.group()}-{end_match.group()}"
    if start >= _DAY or start == end:
        raise _Unreadable(f"时间段“{text}”不成立", f"{text!r} is not a time range")
    if _is_bare(start_match) and _is_bare(end_match) and max(start, end) <= 7 * 60:
        raise _Unreadable(f"“{text}”像是星期而不是时间", f"{text!r} looks like weekdays, not hours")
    overnight = end_match["next"] or end_match["period"] == "凌晨" or start >= 12 * 60
    if end < start and not overnight:
        raise _Unreadable(
            f"时间段“{text}”结束早于开始；跨夜请写“次日”", f"{text!r} ends before it starts"
        )


def _is_bare(match: re.Match[str]) -> bool:
    """A time written as a lone number (``8`` in ``8-18``)."""
    return match.group().strip().isdigit()


def _cut(rule: _Rule, brk: tuple[int, int]) -> None:
    """Remove a break (``午休 12:00-14:00``) from the rule's spans; it must lie inside one."""
    for i, (start, end) in enumerate(rule.spans):
        if start < brk[0] < brk[1] < end:
            rule.spans[i : i + 1] = [(start, brk[0]), (brk[1], end)]
            return
    raise _Unreadable("休息时段不在开放时间之内", "the break is not inside the opening hours")


def _close(rule: _Rule) -> None:
    """A closed word: the rule's days are closed, or its last span is a break in the others."""
    if len(rule.spans) >= 2:
        _cut(rule, rule.spans.pop())
    elif rule.spans:
        raise _Unreadable("同一时段既开放又休息", "the same hours are both open and closed")
    else:
        rule.off = True


def _finish(rules: list[_Rule]) -> list[_Rule]:
    """Rules ready to render: every rule has days, and trailing day lists are joined."""
    finished: list[_Rule] = []
    for rule in rules:
        if rule.spans or rule.off:
            finished.append(rule)
        elif rule.has_days and not rule.affirmed:
            _join_days(finished, rule)
    if not any(rule.spans for rule in finished):
        raise _Unreadable("没有开放时间", "no opening times found")
    for rule in finished:
        if not rule.has_days:
            if rule.off:
                raise _Unreadable("不清楚哪天休息", "closed, but on which days is not said")
            rule.days = set(_EVERY_DAY)
    return finished


def _join_days(finished: list[_Rule], rule: _Rule) -> None:
    """Days written after the times they belong to (``9:00-17:00（周一至周五）``)."""
    previous = finished[-1] if finished else None
    if previous is None or previous.has_days or not previous.spans:
        raise _Unreadable("只有日期，没有时间", "days are given without times")
    previous.days, previous.holidays = rule.days, rule.holidays


def _render(rules: list[_Rule]) -> str:
    """The OSM string for finished rules; the whole week round the clock is ``24/7``.

    Holiday rules go last: in OSM a later rule overrides an earlier one on the days they
    share, and a holiday must not be overridden by the weekday it falls on.
    """
    weekdays, holidays = [], []
    for rule in rules:
        what = "off" if rule.off else ",".join(_clock(s) + "-" + _clock(e) for s, e in rule.spans)
        if rule.days:
            weekdays.append(f"{_render_days(rule.days)} {what}")
        if rule.holidays:
            holidays.append(f"PH {what}")
    parts = weekdays + holidays
    if parts[0] == "Mo-Su 00:00-24:00":
        parts[0] = ALWAYS_OPEN
    return "; ".join(parts)


def _render_days(days: set[int]) -> str:
    """Weekdays as OSM writes them: runs of three or more as ranges (``Mo-Fr,Su``)."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(_render_run(run) for run in runs)


def _render_run(run: list[int]) -> str:
    names = [_WEEKDAY_NAMES[d] for d in run]
    return f"{names[0]}-{names[-1]}" if len(run) >= 3 else ",".join(names)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _is_valid_osm(text: str) -> bool:
    try:
        OpeningHours(text)
    except ParserError:
        return False
    return True


_OSM_LOOKING = re.compile(r"24/7|[\x20-\x7e]*\b(?:Mo|Tu|We|Th|Fr|Sa|Su|PH)\b[\x20-\x7e]*")


def _already_osm(text: str) -> HoursResult | None:
    """Text already in OSM syntax (``Mo-Fr 09:00-17:00``), e.g. from our own export.

    Only ASCII text naming OSM days (or ``24/7``) counts: bare ``2024`` or ``open`` are valid
    OSM too, but a clerk who wrote them did not mean OSM.
    """
    if _OSM_LOOKING.fullmatch(text) and _is_valid_osm(text):
        return HoursResult(text, None)
    return None


def _unparsed(text: str, reason: _Unreadable) -> CellProblem:
    return CellProblem(
        "unparsed_hours",
        f"无法识别开放时间“{text}”（{reason.zh}），已保留原文，开放状态按“未知”处理。"
        "可写成：每天 8:00-20:00、周一至周五 9:00-17:00、24小时",
        f"cannot read opening hours {text!r} ({reason.en}); kept as written, "
        "open/closed unknown. Expected e.g. 每天 8:00-20:00, 周一至周五 9:00-17:00, 24小时",
    )
