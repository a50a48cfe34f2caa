"""A station's fields are declared once (:class:`Station`); every list of them is derived.

Each view (GeoJSON, CSV, audit, OpenAPI, table, import) is checked against the
declaration; a throwaway record with one more declared field shows that one
declaration reaches every view; and the GeoJSON and CSV bytes are compared with the
hand-listed writers they replaced.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from builders import add_station

from stationmap import station_fields
from stationmap.exporting import write_stations
from stationmap.geojson import found_collection_json, found_feature_json, station_feature
from stationmap.hours import describe_hours
from stationmap.importing.columns import FIELDS as IMPORT_COLUMNS
from stationmap.record_fields import (
    View,
    column_of,
    csv_encoder,
    declare,
    editable_names,
    field_specs,
    fields_by_import_column,
    json_encoder,
    names_in,
    properties_schema,
    row_audit_encoder,
    updated_columns,
)
from stationmap.store.schema import stations as stations_table
from stationmap.types import FoundStation, Station, StationDraft
from stationmap.vocabulary import amenity_mask
from stationmap.web.openapi import openapi_document

ANSWER_PROPERTIES = ("hours_text", "open_now", "distance_m")
ASKED_PROPERTIES = ("open_then",)
"""Computed properties only an answer to a query with ``open_at`` carries."""
CONTRACT_PROPERTIES = {
    "name",
    "kind",
    "address",
    "province",
    "city",
    "county",
    "adcode",
    "amenities",
    "opening_hours",
    "open_now",
    "phone",
    "status",
    "updated_at",
    "distance_m",
}
"""The Feature properties ``shared/CONTRACT.md`` promises."""


def a_station(**fields: Any) -> Station:
    """A complete :class:`Station` as the store returns one, changed by ``fields``."""
    values: dict[str, Any] = {
        "id": "abcdefghjk",
        "name": "玄武区测试驿站",
        "kind": "shop",
        "address": "中山路1号",
        "province": "江苏省",
        "city": "南京市",
        "county": "玄武区",
        "adcode": "320102",
        "lon": 118.7975,
        "lat": 32.0485,
        "amenities": ("drinking_water", "toilet"),
        "opening_hours": "Mo-Fr 08:30-17:30; PH off",
        "opening_hours_raw": "周一至周五 8:30-17:30",
        "phone": "025-****1234",
        "status": "active",
        "status_reason": None,
        "reopen_on": None,
        "source_key": "XW-001",
        "union_id": "u000000001",
        "batch_id": None,
        "version": 3,
        "created_at": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "updated_at": datetime(2025, 6, 7, 8, 9, 10, 123456, tzinfo=UTC),
    }
    return Station(**(values | fields))


VARIED_STATIONS = [
    a_station(),
    a_station(
        id="bbbbbbbbbb",
        amenities=(),
        opening_hours=None,
        opening_hours_raw=None,
        phone="",
        address="",
        status="temporarily_closed",
        status_reason="装修，暂停开放",
        reopen_on=date(2026, 5, 1),
        source_key=None,
        union_id=None,
    ),
    a_station(
        id="cccccccccc",
        name='引号 " 反斜杠 \\ 换行\n',
        kind="other",
        opening_hours="24/7",
        lon=-0.000001,
        lat=89.9999999,
        amenities=("drinking_water", "hot_water", "wifi", "discount_meals"),
        updated_at=datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=8))),
    ),
]


# -- each view agrees with the declaration ------------------------------------------


def test_feature_properties_are_the_declared_ones_plus_the_computed():
    found = FoundStation(a_station(), 12.34, True)
    feature = json.loads(found_feature_json(found, found.station.lon, found.station.lat, None))
    assert tuple(feature["properties"]) == station_fields.GEOJSON_FIELDS + ANSWER_PROPERTIES
    assert set(feature["properties"]) >= CONTRACT_PROPERTIES
    assert tuple(station_feature(found.station)["properties"]) == (
        *station_fields.GEOJSON_FIELDS,
        "hours_text",
    )


def test_csv_header_and_cells_are_the_declared_columns(tmp_path):
    path = tmp_path / "stations.csv"
    write_stations(VARIED_STATIONS, path, "csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert tuple(header) == station_fields.CSV_COLUMNS
    assert header[0] == "id" and header[-2:] == ["union_id", "updated_at"]
    assert len(rows) == len(VARIED_STATIONS) and all(len(r) == len(header) for r in rows)
    first = dict(zip(header, rows[0], strict=True))
    assert first["amenities"] == "drinking_water;toilet"
    assert first["union_id"] == "u000000001"


def test_openapi_lists_exactly_the_declared_properties_with_their_descriptions():
    schema = openapi_document()["components"]["schemas"]["Feature"]
    properties = schema["properties"]["properties"]["properties"]
    declared = dict(field_specs(Station))
    assert set(properties) == {
        *station_fields.GEOJSON_FIELDS,
        *ANSWER_PROPERTIES,
        *ASKED_PROPERTIES,
    }
    for name in station_fields.GEOJSON_FIELDS:
        assert properties[name]["description"] == declared[name].description
        assert {k: v for k, v in properties[name].items() if k != "description"} == dict(
            declared[name].schema
        )
    for name in ANSWER_PROPERTIES + ASKED_PROPERTIES:
        assert properties[name]["description"]


def test_audit_view_of_a_station_is_the_declared_audit_fields():
    view = station_fields.station_audit_view(a_station())
    assert tuple(view) == station_fields.AUDITED_FIELDS
    assert view["amenities"] == ["drinking_water", "toilet"]
    json.dumps(view)  # audit entries are stored as JSON


def test_audit_view_of_table_values_matches_the_stored_station():
    station = a_station()
    values = {
        column_of(name, spec) if name not in ("lon", "lat") else name: getattr(station, name)
        for name, spec in field_specs(Station)
    } | {"amenity_mask": amenity_mask(station.amenities), "opening_hours_raw": float("nan")}
    view = station_fields.audit_view(values)
    assert view == station_fields.station_audit_view(station) | {"opening_hours_raw": None}
    assert tuple(view) == station_fields.AUDITED_FIELDS
    assert station_fields.audit_view({"phone": "1"}) == {"phone": "1"}


def test_a_new_station_is_audited_as_the_store_returns_it(store):
    station = add_station(store, amenities=("toilet", "drinking_water"))
    created = store.history(station.id)[-1]
    assert created.action == "create"
    assert created.after == station_fields.station_audit_view(station)


def test_the_stations_table_has_a_column_for_every_field():
    columns = set(stations_table.c.keys())
    declared = {column_of(name, spec) for name, spec in field_specs(Station)}
    assert declared <= columns
    assert columns - declared == {"id"}, "a column no field declares"
    assert set(station_fields.UPDATED_COLUMNS) <= columns


def test_writers_set_the_editable_fields_and_imports_compare_known_columns():
    draft_fields = {f.name for f in dataclasses.fields(StationDraft)}
    assert draft_fields == {*station_fields.EDITABLE_FIELDS, "union_id", "public_id"}
    assert not set(station_fields.EDITABLE_FIELDS) & set(station_fields.ADCODE_FIELDS)
    assert set(station_fields.FIELDS_BY_IMPORT_COLUMN) <= set(IMPORT_COLUMNS)
    compared = {f for fs in station_fields.FIELDS_BY_IMPORT_COLUMN.values() for f in fs}
    assert compared <= set(station_fields.EDITABLE_FIELDS) & set(station_fields.AUDITED_FIELDS)
    assert station_fields.FIELDS_BY_IMPORT_COLUMN["hours"] == (
        "opening_hours",
        "opening_hours_raw",
    )


def test_station_fields_are_the_derivations_applied_to_station():
    """What makes the throwaway-record test below speak for :class:`Station` itself."""
    assert names_in(Station, View.GEOJSON) == station_fields.GEOJSON_FIELDS
    assert names_in(Station, View.CSV) == station_fields.CSV_COLUMNS
    assert names_in(Station, View.AUDIT) == station_fields.AUDITED_FIELDS
    assert editable_names(Station) == station_fields.EDITABLE_FIELDS
    assert updated_columns(Station) == station_fields.UPDATED_COLUMNS
    assert fields_by_import_column(Station) == station_fields.FIELDS_BY_IMPORT_COLUMN
    assert station_fields.station_properties_schema() == (
        properties_schema(Station) | station_fields.COMPUTED_PROPERTIES
    )


# -- adding a field is one declaration -----------------------------------------------

ENTRY = declare(
    "How a rider gets in.",
    {"type": "string", "enum": ["open", "staffed", "unknown"]},
    shown_in=View.GEOJSON | View.CSV | View.AUDIT,
    editable=True,
    import_column="entry",
    to_csv=str.upper,
)


def _station_with_entry() -> type:
    """:class:`Station` plus one declared field, built the way a new field is added."""
    fields = [
        (f.name, f.type, dataclasses.field(metadata=f.metadata))
        for f in dataclasses.fields(Station)
    ]
    return dataclasses.make_dataclass(
        "StationWithEntry",
        [*fields, ("entry", "str", dataclasses.field(metadata=ENTRY))],
        frozen=True,
        slots=True,
    )


def test_one_declaration_reaches_every_view():
    record = _station_with_entry()
    station = record(**dataclasses.asdict(a_station()), entry="staffed")
    assert json_encoder(record, View.GEOJSON)(station)["entry"] == "staffed"
    assert names_in(record, View.CSV)[-1] == "entry"
    assert csv_encoder(record)(station)[-1] == "STAFFED"
    assert json_encoder(record, View.AUDIT)(station)["entry"] == "staffed"
    assert row_audit_encoder(record)({"entry": "open"}) == {"entry": "open"}
    assert "entry" in editable_names(record)
    assert updated_columns(record)[-1] == "entry"
    assert fields_by_import_column(record)["entry"] == ("entry",)
    assert properties_schema(record)["entry"] == {
        "type": "string",
        "enum": ["open", "staffed", "unknown"],
        "description": "How a rider gets in.",
    }


def test_a_field_without_a_declaration_is_refused():
    record = dataclasses.make_dataclass("Bare", [("name", str)])
    with pytest.raises(TypeError, match=r"Bare\.name: got a field without a declaration"):
        field_specs(record)


# -- byte-identical to the hand-listed writers --------------------------------------

LISTED_PROPERTIES = (
    "name",
    "kind",
    "address",
    "province",
    "city",
    "county",
    "adcode",
    "amenities",
    "opening_hours",
    "phone",
    "status",
    "status_reason",
    "reopen_on",
    "updated_at",
)
"""Since migration 0005 the Feature also carries ``status_reason`` and ``reopen_on``,
after ``status``; every other byte is as the hand-listed writer made it."""
LISTED_CSV = (
    "id",
    "name",
    "kind",
    "address",
    "province",
    "city",
    "county",
    "adcode",
    "lon",
    "lat",
    "amenities",
    "opening_hours",
    "opening_hours_raw",
    "phone",
    "status",
    "status_reason",
    "reopen_on",
    "source_key",
    "union_id",
    "updated_at",
)


def _listed_properties(station: Station) -> dict[str, Any]:
    """The properties as ``geojson.station_feature`` built them from its own list (0a3bed6)."""
    properties = {name: getattr(station, name) for name in LISTED_PROPERTIES}
    properties["amenities"] = list(station.amenities)
    properties["updated_at"] = station.updated_at.isoformat()
    properties["reopen_on"] = station.reopen_on and station.reopen_on.isoformat()
    properties["hours_text"] = describe_hours(station.opening_hours)
    return properties


def _listed_collection(found: list[FoundStation]) -> bytes:
    """``found_collection_json`` in WGS-84, built from :func:`_listed_properties`."""
    features = []
    for f in found:
        s = f.station
        props = json.dumps(_listed_properties(s), ensure_ascii=False, separators=(",", ":"))
        answer = f',"open_now":{json.dumps(f.open_now)}'
        answer += "" if f.distance_m is None else f',"distance_m":{f.distance_m:.1f}'
        features.append(
            f'{{"type":"Feature","id":"{s.id}","geometry":{{"type":"Point",'
            f'"coordinates":[{s.lon:.6f},{s.lat:.6f}]}},"properties":{props[:-1]}{answer}}}}}'
        )
    body = ",".join(features)
    return f'{{"type":"FeatureCollection","crs_name":"wgs84","features":[{body}]}}'.encode()


def test_finder_geojson_bytes_are_unchanged():
    found = [
        FoundStation(s, d, o)
        for s, d, o in zip(VARIED_STATIONS, [12.34, None, 0.0], [True, None, False], strict=True)
    ]
    coordinates = [(s.lon, s.lat) for s in VARIED_STATIONS]
    assert found_collection_json(found, coordinates, "wgs84", None) == _listed_collection(found)


def test_exported_geojson_and_csv_are_unchanged(tmp_path):
    write_stations(VARIED_STATIONS, tmp_path / "s.geojson", "geojson")
    listed = []
    for s in VARIED_STATIONS:
        properties = _listed_properties(s)
        del properties["hours_text"]
        geometry = {"type": "Point", "coordinates": [s.lon, s.lat]}
        feature = {"type": "Feature", "id": s.id, "geometry": geometry, "properties": properties}
        listed.append(json.dumps(feature, ensure_ascii=False))
    expected = '{"type": "FeatureCollection", "features": [\n' + ",\n".join(listed) + "\n]}\n"
    assert (tmp_path / "s.geojson").read_text(encoding="utf-8") == expected
    write_stations(VARIED_STATIONS, tmp_path / "s.csv", "csv")
    with (tmp_path / "s.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(LISTED_CSV)
    for row, station in zip(rows[1:], VARIED_STATIONS, strict=True):
        listed = {
            **{c: getattr(station, c) for c in LISTED_CSV},
            "amenities": ";".join(station.amenities),
            "updated_at": station.updated_at.isoformat(),
        }
        assert row == [str(listed[c]) if listed[c] is not None else "" for c in LISTED_CSV]


def test_a_field_cannot_be_both_editable_and_filled_from_the_adcode():
    with pytest.raises(ValueError, match="from_adcode"):
        declare("County name.", {"type": "string"}, editable=True, from_adcode=True)


def test_every_field_has_a_chinese_label():
    """Forms and error messages name fields in Chinese: a new field cannot come without one."""
    unlabelled = [name for name, spec in field_specs(Station) if not spec.label]
    assert unlabelled == []
    assert all(not spec.label.isascii() for _, spec in field_specs(Station))
