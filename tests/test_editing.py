"""A clerk's station writes through the use cases, on both backends: who may write where,
what a refused write leaves (nothing), and what an accepted one records (one entry)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from builders import XUANWU, add_station, add_user, table_dump
from sqlalchemy import select

from stationmap.coordinates import from_wgs84
from stationmap.editing import change_station, create_station, station_history
from stationmap.errors import (
    BadRequest,
    Forbidden,
    InvalidStation,
    NotFound,
    OutsideJurisdiction,
    StationmapError,
    Unauthenticated,
    VersionMismatch,
    VersionRequired,
)
from stationmap.hours import now_in_china
from stationmap.store.schema import audit_entries

QINHUAI = (118.7944, 32.0207)
"""A point in 南京市秦淮区 (320104), the next county."""
SUZHOU = (120.6195, 31.2990)
"""A point in 苏州 (3205), another city of the province."""
BODY = {
    "name": "玄武区新驿站",
    "kind": "shop",
    "address": "中山路1号",
    "lon": XUANWU[0],
    "lat": XUANWU[1],
    "amenities": ["drinking_water", "toilet"],
    "opening_hours": "Mo-Su 08:00-20:00",
    "phone": "025-8888 1234",
}


def _station_entries(store) -> list:
    """Every audit entry of a station, oldest first."""
    with store.reading() as conn:
        query = select(audit_entries).where(audit_entries.c.entity == "station")
        return conn.execute(query.order_by(audit_entries.c.id)).all()


def _refused(store, error: type[StationmapError], write) -> StationmapError:
    """Run ``write``, which must raise ``error`` and leave every table as it was."""
    before = table_dump(store)
    with pytest.raises(error) as caught:
        write()
    assert table_dump(store) == before
    return caught.value


# -- create -----------------------------------------------------------------------------


def test_a_county_editor_creates_a_station_with_one_audit_entry(store):
    clerk = add_user(store, "xw-clerk", "320102", "editor")
    station, created = create_station(store, clerk, BODY, None)
    assert created and (station.name, station.adcode, station.county) == (
        "玄武区新驿站",
        "320102",
        "玄武区",
    )
    assert station.amenities == ("drinking_water", "toilet") and station.version == 1
    assert station.union_id == clerk.union_id
    [entry] = _station_entries(store)
    assert (entry.actor, entry.actor_union, entry.action) == (
        "xw-clerk",
        clerk.union_name,
        "create",
    )


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_a_point_in_gcj02_or_bd09_is_stored_in_wgs84(store, crs):
    clerk = add_user(store)
    [lon], [lat] = from_wgs84([XUANWU[0]], [XUANWU[1]], crs)
    station, _ = create_station(store, clerk, BODY | {"lon": lon, "lat": lat, "crs": crs}, None)
    assert station.lon == pytest.approx(XUANWU[0], abs=1e-7)
    assert station.lat == pytest.approx(XUANWU[1], abs=1e-7)


def test_hours_as_a_clerk_writes_them_are_read_as_the_import_reads_them(store):
    body = {k: v for k, v in BODY.items() if k != "opening_hours"}
    station, _ = create_station(
        store, add_user(store), body | {"hours_text": "工作日 8:30-17:30（法定节假日除外）"}, None
    )
    assert station.opening_hours == "Mo-Fr 08:30-17:30; PH off"
    assert station.opening_hours_raw == "工作日 8:30-17:30（法定节假日除外）"


def test_a_repeated_idempotency_key_returns_the_first_station(store):
    clerk = add_user(store)
    first, created = create_station(store, clerk, BODY, "form-7f3a")
    before = table_dump(store)
    again, created_again = create_station(store, clerk, BODY | {"name": "又一个"}, "form-7f3a")
    assert (created, created_again) == (True, False) and again == first
    assert table_dump(store) == before
    other, created_other = create_station(store, add_user(store, "b"), BODY, "form-7f3a")
    assert created_other and other.id != first.id  # keys are per user


def test_racing_requests_with_one_key_create_one_station(store):
    clerk = add_user(store)
    results: list = []
    barrier = threading.Barrier(4)

    def create() -> None:
        barrier.wait()
        results.append(create_station(store, clerk, BODY, "double-click"))

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len({s.id for s, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert store.count_stations() == 1 and len(_station_entries(store)) == 1


REFUSED_CREATES = [
    ("viewer", {}, Forbidden, None),
    ("other_county", {}, OutsideJurisdiction, None),
    ("editor", {"lon": QINHUAI[0], "lat": QINHUAI[1]}, OutsideJurisdiction, None),
    ("editor", {"colour": "red"}, BadRequest, "colour"),
    ("editor", {"name": "驿" * 101}, InvalidStation, "name"),
    ("editor", {"address": "路" * 201}, InvalidStation, "address"),
    ("editor", {"phone": "1" * 41}, InvalidStation, "phone"),
    ("editor", {"name": '=HYPERLINK("http://evil","点我")'}, InvalidStation, "name"),
    ("editor", {"address": "@SUM(A1)"}, InvalidStation, "address"),
    ("editor", {"lon": float("nan")}, InvalidStation, "lon"),
    ("editor", {"lat": float("inf")}, InvalidStation, "lat"),
    ("editor", {"lon": "118.79"}, InvalidStation, "lon"),
    ("editor", {"lat": True}, InvalidStation, "lat"),
    ("editor", {"lon": 139.69, "lat": 35.69}, InvalidStation, "lon"),  # Tokyo
    ("editor", {"lon": 139.69, "lat": 35.69, "crs": "gcj02"}, InvalidStation, "lon"),
    ("editor", {"crs": "utm"}, InvalidStation, "crs"),
    ("editor", {"kind": "castle"}, InvalidStation, "kind"),
    ("editor", {"amenities": ["sauna"]}, InvalidStation, "amenities"),
    ("editor", {"amenities": [["toilet"]]}, InvalidStation, "amenities"),
    ("editor", {"kind": {"a": 1}}, InvalidStation, "kind"),
    ("editor", {"name": None}, InvalidStation, "name"),
    ("editor", {"lat": None}, InvalidStation, "lat"),
    ("editor", {"opening_hours": "whenever"}, InvalidStation, "opening_hours"),
    ("editor", {"hours_text": "看心情"}, InvalidStation, "hours_text"),
]


@pytest.mark.parametrize(
    ("who", "change", "error", "field"),
    REFUSED_CREATES,
    ids=[f"{w}-{'-'.join(c) or 'body'}" for w, c, _, _ in REFUSED_CREATES],
)
def test_a_refused_create_writes_nothing(store, who, change, error, field):
    principal = {
        "viewer": lambda: add_user(store, "v", "320102", "viewer"),
        "other_county": lambda: add_user(store, "qh", "320104", "editor"),
        "editor": lambda: add_user(store, "xw", "320102", "editor"),
    }[who]()
    body = BODY | change
    if "hours_text" in change:
        del body["opening_hours"]
    refused = _refused(store, error, lambda: create_station(store, principal, body, "k1"))
    if field is not None:
        assert refused.details["field"] == field
        assert refused.message.split(" ")[0] != field  # Chinese first
    assert not _station_entries(store)


def test_an_anonymous_caller_is_asked_to_sign_in(store):
    _refused(store, Unauthenticated, lambda: create_station(store, None, BODY, None))


def test_a_city_editor_creates_in_a_county_without_a_union_which_is_made(store):
    city = add_user(store, "nj", "320100", "editor")
    station, _ = create_station(store, city, BODY | {"lon": QINHUAI[0], "lat": QINHUAI[1]}, None)
    [union] = [u for u in store.list_unions() if u.jurisdiction == "320104"]
    assert station.union_id == union.id and union.name == "秦淮区总工会"


# -- change -----------------------------------------------------------------------------


def test_a_change_needs_the_version_it_edits(store):
    clerk = add_user(store)
    station = add_station(store)
    _refused(store, VersionRequired, lambda: change_station(store, clerk, station.id, None, {}))
    stale = _refused(
        store,
        VersionMismatch,
        lambda: change_station(store, clerk, station.id, 7, {"name": "新名"}),
    )
    assert stale.status == 412
    changed = change_station(store, clerk, station.id, 1, {"name": "新名", "phone": "110"})
    assert (changed.name, changed.phone, changed.version) == ("新名", "110", 2)
    latest = store.history(station.id)[-1]
    assert (latest.actor, latest.union) == (clerk.username, clerk.union_name)
    assert latest.before == {"name": station.name, "phone": station.phone}


def test_a_change_that_changes_nothing_writes_nothing(store):
    station = add_station(store)
    clerk = add_user(store)
    before = table_dump(store)
    assert change_station(store, clerk, station.id, 1, {"name": station.name}) == station
    assert table_dump(store) == before


def test_two_changes_of_one_version_one_wins_the_other_is_stale(store):
    station = add_station(store)
    clerk = add_user(store)
    barrier = threading.Barrier(2)
    outcomes: list = []

    def change(name: str) -> None:
        barrier.wait()
        try:
            outcomes.append(change_station(store, clerk, station.id, 1, {"name": name}))
        except VersionMismatch as error:
            outcomes.append(error)

    threads = [threading.Thread(target=change, args=(n,)) for n in ("甲驿站", "乙驿站")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(won) == 1 and sum(isinstance(o, VersionMismatch) for o in outcomes) == 1
    assert store.get_station(station.id) == won[0] and won[0].version == 2
    assert len(store.history(station.id)) == 2


def test_editing_another_countys_station_is_outside_the_jurisdiction(store):
    station = add_station(store)
    other = add_user(store, "qh", "320104", "editor")
    _refused(
        store,
        OutsideJurisdiction,
        lambda: change_station(store, other, station.id, 1, {"name": "改名"}),
    )


def test_a_city_editor_cannot_move_a_station_into_a_neighbouring_city(store):
    station = add_station(store)
    city = add_user(store, "nj", "320100", "editor")
    move = {"lon": SUZHOU[0], "lat": SUZHOU[1]}
    refused = _refused(
        store, OutsideJurisdiction, lambda: change_station(store, city, station.id, 1, move)
    )
    assert refused.code == "outside_jurisdiction" and refused.status == 403
    moved = change_station(store, city, station.id, 1, {"lon": QINHUAI[0], "lat": QINHUAI[1]})
    assert (moved.adcode, moved.county) == ("320104", "秦淮区")
    province = add_user(store, "js", "320000", "admin")
    assert change_station(store, province, station.id, 2, move).adcode.startswith("3205")


def test_a_viewer_and_an_anonymous_caller_cannot_change(store):
    station = add_station(store)
    viewer = add_user(store, "v", "320102", "viewer")
    _refused(store, Forbidden, lambda: change_station(store, viewer, station.id, 1, {}))
    _refused(store, Unauthenticated, lambda: change_station(store, None, station.id, 1, {}))
    clerk = add_user(store)
    _refused(store, NotFound, lambda: change_station(store, clerk, "zzzzzzzzzz", 1, {}))


def test_closing_takes_a_reason_and_reopening_clears_it(store):
    station = add_station(store)
    clerk = add_user(store)
    soon = now_in_china().date() + timedelta(days=30)
    for refused_change in (
        {"status": "temporarily_closed"},
        {"status": "closed", "reason": "  "},
        {"status": "closed", "reason": "装修", "reopen_on": "2020-01-01"},
        {"status": "closed", "reason": "装修", "reopen_on": "明天"},
        {"reason": "装修"},  # an active station has no reason
        {"status": "closed", "reason": "=cmd()"},
        {"status": "closed", "reason": 5},
        {"status": "closed", "reason": ["装修"]},
        {"status": ["closed"]},
    ):
        _refused(
            store,
            InvalidStation,
            lambda c=refused_change: change_station(store, clerk, station.id, 1, c),
        )
    closed = change_station(
        store,
        clerk,
        station.id,
        1,
        {"status": "temporarily_closed", "reason": "装修", "reopen_on": soon.isoformat()},
    )
    assert (closed.status, closed.status_reason, closed.reopen_on) == (
        "temporarily_closed",
        "装修",
        soon,
    )
    reopened = change_station(store, clerk, station.id, 2, {"status": "active"})
    assert (reopened.status, reopened.status_reason, reopened.reopen_on) == ("active", None, None)
    latest = store.history(station.id)[-1]
    assert latest.before == {
        "status": "temporarily_closed",
        "status_reason": "装修",
        "reopen_on": soon.isoformat(),
    }
    assert latest.after == {"status": "active", "status_reason": None, "reopen_on": None}


# -- history ----------------------------------------------------------------------------


def test_history_is_newest_first_with_before_and_after(store):
    clerk = add_user(store)
    station, _ = create_station(store, clerk, BODY, None)
    change_station(store, clerk, station.id, 1, {"name": "改过的名字"})
    viewer = add_user(store, "v", "320102", "viewer")
    entries = station_history(store, viewer, station.id)
    assert [e.action for e in entries] == ["update", "create"]
    assert entries[0].changes == {"name": ("玄武区新驿站", "改过的名字")}
    assert entries[0].actor == clerk.username
    assert entries[0].union == clerk.union_name
    assert entries[1].changes["name"] == (None, "玄武区新驿站")
    assert entries[0].to_json()["changes"] == {"name": ["玄武区新驿站", "改过的名字"]}


def test_history_is_read_only_inside_the_jurisdiction(store):
    station = add_station(store)
    with pytest.raises(Unauthenticated):
        station_history(store, None, station.id)
    with pytest.raises(OutsideJurisdiction):
        station_history(store, add_user(store, "qh", "320104", "viewer"), station.id)
    assert station_history(store, add_user(store, "js", "320000", "viewer"), station.id)


def test_a_reopening_day_today_is_accepted(store):
    station = add_station(store)
    today: date = now_in_china().date()
    closed = change_station(
        store, add_user(store), station.id, 1,
        {"status": "closed", "reason": "停电", "reopen_on": today.isoformat()},
    )  # fmt: skip
    assert closed.reopen_on == today
