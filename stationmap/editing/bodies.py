"""A clerk's request body as station fields: unknown keys refused, the point in WGS-84,
hours read from a clerk's words, the status's reason under its field's name.

What the store boundary checks (text limits, formulas, vocabularies, the county) is left
to it; here is only what must be known before it runs: which keys are allowed, that the
point is numbers, and which system it is in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..coordinates import CRS_NAMES, to_wgs84
from ..errors import BadRequest, InvalidStation
from ..hours_text import parse_hours
from ..regions import RegionIndex
from ..store.validation import MAINLAND_HINT, invalid

NEW_STATION_KEYS = (
    "name",
    "kind",
    "address",
    "lon",
    "lat",
    "crs",
    "amenities",
    "opening_hours",
    "hours_text",
    "phone",
)
"""What a new station's body may say (``shared/CONTRACT.md``); ``crs`` defaults to wgs84."""
CHANGE_KEYS = (*NEW_STATION_KEYS, "status", "reason", "reopen_on")
"""What a change may say: any field, and ``status`` with ``reason`` and ``reopen_on``."""
RENAMED = {"reason": "status_reason"}
"""Body keys whose station field has another name."""
HOURS_TEXT_LABEL = "开放时间（文字）"
CRS_LABEL = "坐标系"
HOURS_EXAMPLES = "hours as clerks write them, e.g. 每天 8:00-20:00, 周一至周五 9:00-17:00, 24小时"


def new_station_fields(body: Mapping[str, Any], regions: RegionIndex) -> dict[str, Any]:
    """The station fields of a new station's ``body``; the point is required."""
    _check_keys(body, NEW_STATION_KEYS)
    for key in ("name", "lon", "lat"):
        if key not in body:
            raise invalid(key, None, "a value: a new station needs name, lon and lat")
    return _fields(body, regions)


def changed_fields(body: Mapping[str, Any], regions: RegionIndex) -> dict[str, Any]:
    """The station fields a change's ``body`` sets; a move gives both lon and lat."""
    _check_keys(body, CHANGE_KEYS)
    if ("lon" in body) != ("lat" in body):
        missing = "lat" if "lon" in body else "lon"
        raise invalid(missing, None, "lon and lat together: a move gives both")
    if "crs" in body and "lon" not in body:
        raise InvalidStation(
            "crs",
            body["crs"],
            "crs only with lon and lat (the system they are in)",
            label=CRS_LABEL,
        )
    return _fields(body, regions)


def _check_keys(body: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    if not isinstance(body, Mapping):
        raise BadRequest(
            f"body: got {type(body).__name__}, expected a JSON object of station fields",
            code="invalid_body",
        )
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(
            f"未知字段 {unknown[0]} / {unknown[0]}: unknown field, expected one of "
            f"{', '.join(allowed)}",
            code="unknown_field",
            field=unknown[0],
        )


def _fields(body: Mapping[str, Any], regions: RegionIndex) -> dict[str, Any]:
    fields = {
        RENAMED.get(key, key): value
        for key, value in body.items()
        if key not in ("lon", "lat", "crs", "hours_text", "opening_hours", "amenities")
    }
    if "amenities" in body:
        fields["amenities"] = _amenities(body["amenities"])
    fields |= _hours(body)
    if "lon" in body:
        fields["lon"], fields["lat"] = wgs84_point(
            body["lon"], body["lat"], body.get("crs", "wgs84"), regions
        )
    return fields


def _amenities(value: Any) -> Any:
    """A JSON list as the tuple the store takes (anything else is left for it to refuse)."""
    return tuple(value) if isinstance(value, list) else value


def _hours(body: Mapping[str, Any]) -> dict[str, Any]:
    """``opening_hours`` as given, or read from ``hours_text``; the words kept as written."""
    if "hours_text" in body and "opening_hours" in body:
        raise InvalidStation(
            "hours_text",
            body["hours_text"],
            "either opening_hours or hours_text, not both",
            label=HOURS_TEXT_LABEL,
        )
    if "opening_hours" in body:
        return {"opening_hours": body["opening_hours"], "opening_hours_raw": body["opening_hours"]}
    if "hours_text" not in body:
        return {}
    text = body["hours_text"]
    if text is None:
        return {"opening_hours": None, "opening_hours_raw": None}
    if not isinstance(text, str):
        raise InvalidStation("hours_text", text, HOURS_EXAMPLES, label=HOURS_TEXT_LABEL)
    result = parse_hours(text)
    if result.problem is not None:
        raise InvalidStation("hours_text", text, result.problem.message_en, label=HOURS_TEXT_LABEL)
    return {"opening_hours": result.osm, "opening_hours_raw": text.strip() or None}


def wgs84_point(lon: Any, lat: Any, crs: Any, regions: RegionIndex) -> tuple[float, float]:
    """The point ``(lon, lat)`` given in ``crs`` as WGS-84, checked to lie in a mainland
    county; refusals name lon or lat (a point outside China names both)."""
    if crs not in CRS_NAMES:
        raise InvalidStation("crs", crs, f"one of {', '.join(CRS_NAMES)}", label=CRS_LABEL)
    _check_number("lon", lon, 180)
    _check_number("lat", lat, 90)
    lons, lats = to_wgs84([float(lon)], [float(lat)], crs, on_outside="nan")
    point = (float(lons[0]), float(lats[0]))
    inside = math.isfinite(point[0]) and bool(regions.in_china(lons, lats)[0])
    if not inside or not regions.locate(np.asarray(lons), np.asarray(lats))[0]:
        raise invalid("lon", [lon, lat], f"lon and lat of {MAINLAND_HINT.replace('WGS-84', crs)}")
    return point


def _check_number(key: str, value: Any, limit: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(key, value, "a number")
    if abs(value) > limit or not math.isfinite(value):  # abs first: 10**400 is no float
        raise invalid(key, value, f"a finite number from -{limit} to {limit}")
