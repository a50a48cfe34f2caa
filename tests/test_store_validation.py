"""Bad writes are refused at the store boundary with a clear error, and nothing is written."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from builders import add_station, draft

from stationmap.errors import InvalidStation
from stationmap.station_fields import FIELD_LABELS

BAD_FIELDS = [
    ({"lonlat": (math.nan, 32.0)}, "lon", "finite number"),
    ({"lonlat": (118.8, math.inf)}, "lat", "finite number"),
    ({"lonlat": (200.0, 32.0)}, "lon", "from -180 to 180"),
    ({"lonlat": (118.8, -91.0)}, "lat", "from -90 to 90"),
    ({"lonlat": ("118.8", 32.0)}, "lon", "a number"),
    ({"lonlat": (139.69, 35.69)}, "location", "inside mainland China"),  # Tokyo
    ({"lonlat": (126.98, 37.57)}, "location", "inside mainland China"),  # Seoul
    ({"lonlat": (0.0, 0.0)}, "location", "inside mainland China"),
    ({"name": "   "}, "name", "non-empty"),
    ({"name": "驿" * 101}, "name", "at most 100"),
    ({"address": "路" * 201}, "address", "at most 200"),
    ({"phone": "1" * 41}, "phone", "at most 40"),
    ({"status_reason": "因" * 201, "status": "closed"}, "status_reason", "at most 200"),
    ({"name": '=HYPERLINK("http://x","点我")'}, "name", "not a spreadsheet formula"),
    ({"address": "@SUM(A1:A9)"}, "address", "not a spreadsheet formula"),
    ({"address": "=1+1"}, "address", "not a spreadsheet formula"),
    ({"phone": "+cmd|' /C calc'!A0"}, "phone", "not a spreadsheet formula"),
    ({"status_reason": "-(1+1)", "status": "closed"}, "status_reason", "spreadsheet formula"),
    ({"opening_hours_raw": "=NOW()"}, "opening_hours_raw", "spreadsheet formula"),
    ({"reopen_on": "2026-02-30"}, "reopen_on", "YYYY-MM-DD"),
    ({"reopen_on": "next week"}, "reopen_on", "YYYY-MM-DD"),
    ({"lonlat": (math.inf, 32.0)}, "lon", "finite number"),
    ({"lonlat": (118.8, "32.0")}, "lat", "a number"),
    ({"kind": "castle"}, "kind", "one of restaurant"),
    ({"status": "open"}, "status", "one of active"),
    ({"amenities": ("sauna",)}, "amenities", "amenity keys"),
    ({"amenities": "wifi"}, "amenities", "a list"),
    ({"opening_hours": "每天早上"}, "opening_hours", "OpenStreetMap opening_hours"),
    ({"opening_hours": ""}, "opening_hours", "OpenStreetMap opening_hours"),
    ({"adcode": "999999"}, "adcode", "6-digit mainland county code"),
    ({"adcode": "71000"}, "adcode", "6-digit mainland county code"),
    ({"phone": 13800000000}, "phone", "text"),
    ({"union_id": "nosuchunio"}, "union_id", "existing union"),
]


@pytest.mark.parametrize(
    ("fields", "field", "expected"),
    BAD_FIELDS,
    ids=[f"{f}-{i}" for i, (_, f, _) in enumerate(BAD_FIELDS)],
)
def test_bad_station_is_refused_and_nothing_written(store, fields, field, expected):
    fields = dict(fields)
    lonlat = fields.pop("lonlat", (118.7975, 32.0485))
    with pytest.raises(InvalidStation) as caught:
        add_station(store, lonlat=lonlat, **fields)
    assert caught.value.field == field
    assert expected in caught.value.message
    assert caught.value.status == 422
    error = caught.value.to_dict()["error"]
    assert error["field"] == field and error["label"] == FIELD_LABELS[field]
    assert error["message"].startswith(f"{FIELD_LABELS[field]} ({field}): got ")
    assert store.count_stations() == 0
    assert store.last_change_id() == 0


def test_bad_update_is_refused_and_nothing_changes(store):
    station = add_station(store)
    for changes in (
        {"kind": "castle"},
        {"lat": 91.0},
        {"geom": "POINT(0 0)"},
        {"opening_hours": "whenever"},
        {"lon": 139.69, "lat": 35.69},
    ):
        with pytest.raises(InvalidStation):
            store.update_station(station.id, changes, actor="t")
    assert store.get_station(station.id) == station
    assert len(store.history(station.id)) == 1


def _frame(rows: int) -> pd.DataFrame:
    good = draft()
    return pd.DataFrame([{**good.__dict__, "name": f"驿站{i}"} for i in range(rows)])


def test_bulk_load_with_one_bad_row_writes_nothing(store):
    frame = _frame(50)
    frame.loc[37, "kind"] = "castle"
    with pytest.raises(InvalidStation, match=r"row 37: 类型 \(kind\): got 'castle'") as caught:
        store.load_stations(frame, source_name="t.csv", source_format="csv", crs="wgs84", actor="t")
    assert caught.value.details["row"] == 37
    assert store.count_stations() == 0
    assert store.last_change_id() == 0


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("lon", math.nan, "lon"),
        ("lon", 10**400, "lon"),  # no float holds it: refused, not an OverflowError
        ("lat", 95.0, "lat"),
        ("lon", 139.69, "location"),
        ("opening_hours", "随时", "opening_hours"),
        ("amenities", ("sauna",), "amenities"),
        ("adcode", "000000", "adcode"),
        ("name", "", "name"),
    ],
)
def test_bulk_load_names_the_bad_field(store, column, value, field):
    frame = _frame(3)
    frame[column] = frame[column].astype(object)
    frame.at[2, column] = value
    with pytest.raises(InvalidStation, match=rf"row 2: {FIELD_LABELS[field]} \({field}\)"):
        store.load_stations(frame, source_name="t", source_format="csv", crs="wgs84", actor="t")
    assert store.count_stations() == 0


def test_bulk_load_adds_every_row_as_one_batch(store):
    batch = store.load_stations(
        _frame(12), source_name="t.csv", source_format="csv", crs="wgs84", actor="clerk"
    )
    assert (batch.state, batch.counts) == ("applied", {"rows": 12, "added": 12})
    stations = list(store.iter_stations())
    assert len(stations) == 12 and {s.batch_id for s in stations} == {batch.id}
    assert {s.adcode for s in stations} == {"320102"}


@pytest.mark.parametrize(
    "text", ["-", "+86 025-1234 5678", "@", "=", "-5", "（=）", "驿站=家", "+ 1"], ids=repr
)
def test_plain_text_that_starts_like_a_formula_is_kept(store, text):
    station = add_station(store, address=text)
    assert station.address == text.strip()


def test_a_closed_station_keeps_its_reason_and_reopening_day(store):
    station = add_station(
        store, status="temporarily_closed", status_reason=" 装修 ", reopen_on="2030-05-01"
    )
    assert (station.status_reason, str(station.reopen_on)) == ("装修", "2030-05-01")
    assert add_station(store, status_reason="").status_reason is None
