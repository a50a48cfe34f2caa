"""From accepted rows to a plan: what is new, what changed, what is the same, what repeats.

Only the fields the file has columns for are compared and changed: a list without
a 服务内容 column never wipes a station's amenities, and a kind inferred from a
name never overrides one a clerk chose.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..finder.geodesy import ecef_point
from ..station_fields import EDITABLE_FIELDS, FIELDS_BY_IMPORT_COLUMN
from ..store import Store, stations
from ..types import Station
from ..vocabulary import amenities_from_mask, amenity_mask
from .matching import StoredStations, duplicates_within
from .plan import ImportPlan
from .report import ImportReport, RowIssue
from .rows import ParsedRow
from .unions import plan_unions

MATCH_MARGIN_DEG = 0.002
"""How far around a county's rows stored stations are read for matching (about 200 m,
well past the 50 m within which two records can be the same station)."""

MAX_MATCH_BOXES = 200
"""A list touching more counties than this (a national list) reads every station once."""

PHONE_WARNINGS = frozenset({"bad_phone", "phone_digits_lost"})
"""Warnings about a phone's form, left out for a phone that is already stored as it is."""

SAME_PLACE_M = 0.5
"""A station that moved less than this (metres) has not moved: conversions round."""


def plan_changes(
    store: Store,
    rows: list[ParsedRow],
    options,
    report: ImportReport,
    *,
    source_name: str,
    source_format: str,
) -> ImportPlan:
    """Decide each accepted row's fate and gather the writes into an :class:`ImportPlan`."""
    provided = _provided_fields(report)
    union_plan = plan_unions(
        store, [r.values["adcode"] for r in rows], options.union_id, options.county
    )
    unions = union_plan.ids
    repeats = _repeats_within(rows)
    fresh = [i for i in range(len(rows)) if i not in repeats]
    matches = _match_stored(store, [rows[i] for i in fresh], [unions[i] for i in fresh])
    outcome = _Outcome(report)
    for position, (i, station) in enumerate(zip(fresh, matches, strict=True)):
        if station is not None and station.id in outcome.matched:
            repeats[i] = fresh[outcome.matched[station.id]]
            continue
        outcome.decide(position, rows[i], station, unions[i], provided)
    outcome.record_repeats(rows, repeats)
    plan = outcome.plan(source_name, source_format, options)
    plan.new_unions = union_plan.new
    return plan


def _provided_fields(report: ImportReport) -> set[str]:
    """The stored fields the file has columns for. The hours as first written are compared
    only when the file has them (an export's ``opening_hours_raw``); otherwise they follow
    the parsed hours: an export's OSM hours must not overwrite the clerk's wording."""
    columns = report.source.get("columns", {})
    fields = {"name", "lon", "lat"}
    for column in columns:
        fields.update(FIELDS_BY_IMPORT_COLUMN.get(column, ()))
    if "hours_raw" not in columns:
        fields.discard("opening_hours_raw")
    return fields


def _repeats_within(rows: list[ParsedRow]) -> dict[int, int]:
    if not rows:
        return {}
    return duplicates_within(
        [r.values["name"] for r in rows],
        np.array([r.values["lon"] for r in rows]),
        np.array([r.values["lat"] for r in rows]),
        [r.values.get("source_key") for r in rows],
    )


def _match_stored(
    store: Store, rows: list[ParsedRow], unions: list[str | None]
) -> list[Station | None]:
    if not rows:
        return [None] * len(rows)
    by_id = _stored_by_id(store, rows)
    stored = _stored_near(store, rows)
    if not stored:
        return by_id
    by_place = StoredStations(stored).match(
        [r.values["name"] for r in rows],
        np.array([r.values["lon"] for r in rows]),
        np.array([r.values["lat"] for r in rows]),
        [r.values.get("source_key") for r in rows],
        unions,
    )
    return [mine or other for mine, other in zip(by_id, by_place, strict=True)]


def _stored_by_id(store: Store, rows: list[ParsedRow]) -> list[Station | None]:
    """The stored station each row names by its stationmap id (an export's ``id``)."""
    ids = sorted({i for r in rows if (i := r.values.get("station_id"))})
    if not ids:
        return [None] * len(rows)
    found = {s.id: s for s in store.read_stations(ids)}
    return [found.get(r.values.get("station_id") or "") for r in rows]


def _stored_near(store: Store, rows: list[ParsedRow]) -> list[Station]:
    """The stored stations a row could be: those around each county's rows, and those
    sharing a row's source key. A 20-row county list reads its county, not the nation."""
    boxes = _county_boxes(rows)
    if len(boxes) > MAX_MATCH_BOXES:
        return store.read_stations()
    keys = sorted({k for r in rows if (k := r.values.get("source_key"))})
    with store.reading() as conn:
        return stations.in_boxes_or_keyed(conn, boxes, keys)


def _county_boxes(rows: list[ParsedRow]) -> list[tuple[float, float, float, float]]:
    """The box around each county's rows, widened by :data:`MATCH_MARGIN_DEG`."""
    by_county: dict[str, list[ParsedRow]] = {}
    for row in rows:
        by_county.setdefault(row.values["adcode"], []).append(row)
    boxes = []
    for group in by_county.values():
        lons = [r.values["lon"] for r in group]
        lats = [r.values["lat"] for r in group]
        margin_lon = MATCH_MARGIN_DEG / max(math.cos(math.radians(max(map(abs, lats)))), 0.1)
        boxes.append(
            (
                min(lons) - margin_lon,
                min(lats) - MATCH_MARGIN_DEG,
                max(lons) + margin_lon,
                max(lats) + MATCH_MARGIN_DEG,
            )
        )
    return boxes


class _Outcome:
    """Accumulates additions, updates and unchanged rows as rows are decided."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.additions: list[dict] = []
        self.updates: list[dict] = []
        self.changed: list[dict] = []
        self.matched: dict[str, int] = {}
        self.phone_as_stored: set[int] = set()
        """Rows whose phone is the stored one: warnings about its form were seen before."""
        self.rows: dict[str, list[int]] = {
            k: [] for k in ("added", "updated", "unchanged", "duplicates")
        }

    def decide(
        self,
        position: int,
        row: ParsedRow,
        station: Station | None,
        union_id: str | None,
        provided: set[str],
    ) -> None:
        if station is None:
            self.additions.append({**_new_values(row), "union_id": union_id})
            self.rows["added"].append(row.row)
            return
        self.matched[station.id] = position
        change = _differences(station, row, provided)
        if "phone" not in change:
            self.phone_as_stored.add(row.row)
        if not change:
            self.rows["unchanged"].append(row.row)
            return
        self.updates.append(_updated_record(station, change))
        self.changed.append(change)
        self.rows["updated"].append(row.row)
        self.report.changes[row.row] = {f: [_shown(b), _shown(a)] for f, (b, a) in change.items()}

    def record_repeats(self, rows: list[ParsedRow], repeats: dict[int, int]) -> None:
        for later, first in sorted(repeats.items()):
            row, original = rows[later], rows[first]
            self.rows["duplicates"].append(row.row)
            self.report.warnings.append(
                RowIssue(
                    row.row,
                    "驿站名称",
                    row.values["name"],
                    "duplicate_row",
                    f"与第{original.row}行是同一个驿站，已合并",
                    f"same station as row {original.row}; merged into it",
                )
            )

    def plan(self, source_name: str, source_format: str, options) -> ImportPlan:
        self.report.warnings = [
            w
            for w in self.report.warnings
            if not (w.row in self.phone_as_stored and w.code in PHONE_WARNINGS)
        ]
        for key, numbers in self.rows.items():
            self.report.rows[key] = numbers
            self.report.counts[key] = len(numbers)
        self.report.rows["rejected"] = sorted(
            {r.row for r in self.report.rejected if r.row is not None}
        )
        counts = dict(self.report.counts)
        return ImportPlan(
            source_name,
            source_format,
            options.crs,
            options.actor,
            _frame(self.additions, (*EDITABLE_FIELDS, "union_id")),
            _frame(self.updates, (*EDITABLE_FIELDS, "public_id", "version")),
            self.changed,
            [],
            counts,
            list(self.matched),
        )


def _new_values(row: ParsedRow) -> dict:
    values = {column: row.values.get(column) for column in EDITABLE_FIELDS}
    values["address"] = values["address"] or ""
    values["phone"] = values["phone"] or ""
    values["amenities"] = tuple(values["amenities"] or ())
    values["status"] = values["status"] or "active"
    return values


def _differences(station: Station, row: ParsedRow, provided: set[str]) -> dict:
    """field → (stored, file) for each provided field whose value differs."""
    change = {}
    for field in provided - {"lon", "lat"}:
        new: Any = row.values.get(field)
        old = getattr(station, field)
        if field == "amenities":
            new = amenities_from_mask(amenity_mask(new or ()))
            old = tuple(old)
        if field in ("address", "phone"):
            new = new or ""
        if field == "kind" and row.values.get("kind_inferred"):
            continue
        if new != old:
            change[field] = (
                list(old) if field == "amenities" else old,
                list(new) if field == "amenities" else new,
            )
    raw = row.values.get("opening_hours_raw")
    new_hours = "opening_hours" in change and "opening_hours_raw" not in provided
    if new_hours and raw != station.opening_hours_raw:  # their wording follows
        change["opening_hours_raw"] = (station.opening_hours_raw, raw)
    if _moved(station, row):
        change["lon"] = (station.lon, row.values["lon"])
        change["lat"] = (station.lat, row.values["lat"])
    return change


def _shown(value: Any) -> Any:
    """``value`` as the report's JSON keeps it: text, a number, a list, or None."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_shown(item) for item in value]
    return str(value)


def _moved(station: Station, row: ParsedRow) -> bool:
    a = ecef_point(station.lon, station.lat)
    b = ecef_point(row.values["lon"], row.values["lat"])
    return math.dist(a, b) > SAME_PLACE_M


def _updated_record(station: Station, change: dict) -> dict:
    record = {column: getattr(station, column) for column in EDITABLE_FIELDS}
    record.update({field: after for field, (_, after) in change.items()})
    record["amenities"] = tuple(record["amenities"])
    record["adcode"] = None if "lon" in change else station.adcode
    record.update(public_id=station.id, version=station.version)
    return record


def _frame(records: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=list(columns), dtype=object)
