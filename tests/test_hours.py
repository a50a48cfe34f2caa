"""Open, closed or unknown: across midnight, on China's public holidays, in Shanghai time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from stationmap.hours import (
    CHINA_TZ,
    CLOSED,
    OPEN,
    UNKNOWN,
    HoursBook,
    describe_hours,
    hours_state,
    parse_moment_text,
)


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA_TZ)


@pytest.mark.parametrize(("hours", "moment", "state"), [
    ("Mo-Su 22:00-02:00", shanghai(2026, 11, 25, 23, 30), OPEN),
    ("Mo-Su 22:00-02:00", shanghai(2026, 11, 26, 1, 59), OPEN),
    ("Mo-Su 22:00-02:00", shanghai(2026, 11, 26, 2, 0), CLOSED),
    ("Mo-Su 22:00-02:00", shanghai(2026, 11, 25, 21, 59), CLOSED),
    ("Fr 20:00-03:00", shanghai(2026, 11, 28, 2, 30), OPEN),  # Saturday night after Friday
    ("Fr 20:00-03:00", shanghai(2026, 11, 29, 2, 30), CLOSED),
    ("24/7", shanghai(2026, 10, 1, 3, 0), OPEN),
    ("Mo-Fr 09:00-17:00; PH off", shanghai(2026, 10, 1, 10, 0), CLOSED),  # National Day
    ("Mo-Fr 09:00-17:00; PH off", shanghai(2026, 10, 9, 10, 0), OPEN),
    ("Mo-Fr 09:00-17:00; PH off", shanghai(2026, 5, 1, 10, 0), CLOSED),  # Labour Day
    ("Mo-Fr 09:00-17:00; PH off", shanghai(2026, 1, 1, 10, 0), CLOSED),  # New Year
    ("Mo-Fr 09:00-17:00", shanghai(2026, 10, 1, 10, 0), OPEN),  # no PH rule: open
    ("Mo-Fr 09:00-17:00 unknown", shanghai(2026, 11, 25, 10, 0), UNKNOWN),
    (None, shanghai(2026, 11, 25, 10, 0), UNKNOWN),
])  # fmt: skip
def test_state_at_a_moment(hours, moment, state):
    assert hours_state(hours, moment) == state


def test_moments_in_other_zones_are_read_in_shanghai_time():
    nine_am_shanghai_in_utc = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    assert hours_state("Mo-Su 09:00-09:30", nine_am_shanghai_in_utc) == OPEN
    same_in_new_york = nine_am_shanghai_in_utc.astimezone(timezone(timedelta(hours=-5)))
    assert hours_state("Mo-Su 09:00-09:30", same_in_new_york) == OPEN
    assert hours_state("Mo-Su 09:00-09:30", datetime(2026, 11, 25, 9, 10)) == OPEN  # naive


def test_book_encodes_each_distinct_string_once_and_answers_per_minute():
    book = HoursBook()
    codes = book.encode(["24/7", None, "Mo-Su 08:00-20:00", "24/7"])
    assert codes.tolist() == [0, -1, 1, 0]
    states = book.states_at(shanghai(2026, 11, 25, 3, 0))
    assert states[codes].tolist() == [OPEN, UNKNOWN, CLOSED, OPEN]
    assert book.open_now_at(shanghai(2026, 11, 25, 12, 0)) == [True, True, None]


@pytest.mark.parametrize(
    ("hours", "described"),
    [
        ("24/7", "24小时开放"),
        ("Mo-Su 00:00-24:00", "24小时开放"),
        ("Mo-Su 07:00-23:00", "每天 07:00-23:00"),
        ("08:00-20:00", "每天 08:00-20:00"),
        ("Mo-Fr 08:30-17:30; Sa 09:00-12:00", "周一至周五 08:30-17:30；周六 09:00-12:00"),
        (
            "Mo-Fr 08:30-12:00,14:00-17:30; PH off",
            "周一至周五 08:30-12:00、14:00-17:30；法定节假日休息",
        ),
        (
            "Mo-Fr 09:00-17:00; Sa,Su 10:00-16:00; PH off",
            "周一至周五 09:00-17:00；周末 10:00-16:00；法定节假日休息",
        ),
        ("Mo,We,Fr 08:00-18:00", "周一、周三、周五 08:00-18:00"),
        ("Mo,Tu,We,Th,Fr 08:00-18:00", "周一至周五 08:00-18:00"),
        ("Mo-Su 22:00-06:00", "每天 22:00-次日06:00"),
        ("Mo-Su 22:00-30:00", "每天 22:00-次日06:00"),
        ("Mo-Su 08:00-24:00", "每天 08:00-24:00"),
        ("Mo-Fr 00:00-24:00; Sa 08:00-12:00", "周一至周五 24小时；周六 08:00-12:00"),
        ("24/7; PH off", "每天 24小时；法定节假日休息"),
        ("Mo-Su 08:00-18:00; PH 00:00-24:00", "每天 08:00-18:00；法定节假日 24小时"),
        ("Sa-Mo 09:00-17:00", "周一、周末 09:00-17:00"),
        # a later rule for the same days replaces the earlier one, as in OpenStreetMap
        ("Mo-Fr 08:00-12:00; Mo-Fr 14:00-18:00", "周一至周五 14:00-18:00"),
    ],
)
def test_hours_are_described_in_chinese(hours, described):
    assert describe_hours(hours) == described


@pytest.mark.parametrize(
    "hours",
    [
        "sunrise-sunset",
        "Mo-Fr 08:00-18:00 unknown",
        'Mo-Fr 08:00-18:00 "电话预约"',
        "Jan-Mar 08:00-18:00",
    ],
)
def test_hours_without_chinese_wording_stay_whole_in_osm_syntax(hours):
    assert describe_hours(hours) == hours


def test_unknown_or_unreadable_hours_are_not_described():
    assert describe_hours(None) is None
    assert describe_hours("whenever we like") == "whenever we like"


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-10-01T21:00", shanghai(2026, 10, 1, 21, 0)),
        ("2026-10-01 21:00", shanghai(2026, 10, 1, 21, 0)),
        ("2026-10-01T21:00+08:00", shanghai(2026, 10, 1, 21, 0)),
        ("2026-10-01T21:00-01:00", shanghai(2026, 10, 2, 6, 0)),
        # a "+" left unescaped in a query string arrives as a space
        ("2026-10-01T21:00 08:00", shanghai(2026, 10, 1, 21, 0)),
        ("2026-10-01T13:00 00:00", shanghai(2026, 10, 1, 21, 0)),
        ("2026-10-01 21:00:30 0800", shanghai(2026, 10, 1, 21, 0, 30)),
        (" 2026-10-01T21:00:30.5 08 ", shanghai(2026, 10, 1, 21, 0, 30, 500_000)),
    ],
)
def test_an_asked_moment_is_read_in_china_time(text, moment):
    assert parse_moment_text(text) == moment


@pytest.mark.parametrize(
    "text",
    ["tomorrow", "21:00 08:00", "2026-10-01T21:00 8", "0001-01-01T00:00", "9999-12-31T23:59-12:00"],
)
def test_what_is_not_a_moment_is_refused(text):
    with pytest.raises(ValueError):
        parse_moment_text(text)
