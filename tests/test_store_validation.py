"""Bad writes are refused at the store boundary with a clear error, and nothing is written."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from builders import add_station, draft

from stationmap.errors import InvalidStation

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
    ({"name": "驿" * 201}, "name", "at most 200"),
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
    with pytest.raises(InvalidStation, match="row 37: kind") as caught:
        store.load_stations(frame, source_name="t.csv", source_format="csv", crs="wgs84", actor="t")
    assert caught.value.details["row"] == 37
    assert store.count_stations() == 0
    assert store.last_change_id() == 0


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("lon", math.nan, "lon"),
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
    with pytest.raises(InvalidStation, match=f"row 2: {field}"):
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
