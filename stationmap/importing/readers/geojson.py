"""GeoJSON from a mapping tool: one row per feature, its properties then its point."""

from __future__ import annotations

import json
from typing import Any

from .errors import ImportFileError
from .guards.sizes import check_grid, check_row_count
from .sheet import Sheet, tabulate
from .text_encoding import decode_text
from .value_text import value_text

LONGITUDE_HEADER = "经度"
LATITUDE_HEADER = "纬度"
"""The header cells a GeoJSON file's point coordinates are given under."""
FEATURE_ID_HEADER = "feature id"
"""The header cell of the features' own ids (a stationmap export's are station ids), a
column only when some feature has one."""


def read_geojson(data: bytes) -> Sheet:
    """A FeatureCollection: one row per feature, properties then longitude and latitude."""
    text, encoding = decode_text(data)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ImportFileError(
            "不是有效的 GeoJSON：JSON 格式有误 / not valid GeoJSON: the JSON is malformed"
        ) from error
    features = _features_of(document)
    check_row_count(len(features))
    keys, warnings = _property_columns(features)
    with_ids = any(feature.get("id") is not None for feature in features)
    check_grid(len(features) + 1, len(keys) + 2 + with_ids)
    rows, not_points = _feature_rows(features, keys, with_ids)
    if not_points:
        warnings.append(_not_points_warning(not_points))
    numbers = list(range(1, len(rows) + 1))
    return tabulate(rows, numbers, "geojson", encoding=encoding, warnings=warnings)


def _feature_rows(
    features: list[dict[str, Any]], keys: list[str], with_ids: bool
) -> tuple[list[list[str]], list[int]]:
    """The header and a row per feature, and the row numbers of features with no point."""
    ids = [FEATURE_ID_HEADER] if with_ids else []
    rows = [[*keys, *ids, LONGITUDE_HEADER, LATITUDE_HEADER]]
    not_points: list[int] = []
    for number, feature in enumerate(features, start=2):
        properties = _properties_of(feature)
        coordinates = _point_coordinates(feature.get("geometry"))
        if coordinates is None:
            not_points.append(number)
            coordinates = ["", ""]
        own_id = [_property_text(feature.get("id"))] if with_ids else []
        rows.append([_property_text(properties.get(key)) for key in keys] + own_id + coordinates)
    return rows, not_points


def _features_of(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not (isinstance(document, dict) and document.get("type") == "FeatureCollection"):
        raise ImportFileError(
            "不是 GeoJSON 要素集合（FeatureCollection）/ not a GeoJSON FeatureCollection"
        )
    features = document.get("features")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise ImportFileError(
            "GeoJSON 的 features 必须是要素对象的列表 / GeoJSON features must be a list of"
            " Feature objects"
        )
    if not features:
        raise ImportFileError("文件为空：GeoJSON 里没有要素 / the file is empty: no features")
    return features


def _property_columns(features: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Property names in first-seen order, less any that clash with the coordinate columns."""
    keys: dict[str, None] = {}
    for feature in features:
        keys.update(dict.fromkeys(str(key) for key in _properties_of(feature)))
    clashing = [
        key for key in (LONGITUDE_HEADER, LATITUDE_HEADER, FEATURE_ID_HEADER) if key in keys
    ]
    for key in clashing:
        del keys[key]
    warnings = []
    if clashing:
        names = "、".join(clashing)
        warnings.append(
            f"属性 {names} 已忽略，坐标取自几何 / properties {', '.join(clashing)} ignored:"
            " coordinates come from the geometry"
        )
    return list(keys), warnings


def _properties_of(feature: dict[str, Any]) -> dict[str, Any]:
    """A feature's properties; anything but an object (null, a list, a string) is none."""
    properties = feature.get("properties")
    return properties if isinstance(properties, dict) else {}


def _point_coordinates(geometry: Any) -> list[str] | None:
    """``[lon, lat]`` as text for a Point geometry, else None."""
    if not (isinstance(geometry, dict) and geometry.get("type") == "Point"):
        return None
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None
    lon, lat = coordinates[:2]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        return None
    return [value_text(lon), value_text(lat)]


def _property_text(value: Any) -> str:
    if isinstance(value, list) and all(not isinstance(v, list | dict) for v in value):
        return "、".join(value_text(v) for v in value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value_text(value)


def _not_points_warning(numbers: list[int]) -> str:
    shown = numbers[:10]
    more = len(numbers) > len(shown)
    zh = "、".join(map(str, shown)) + ("……" if more else "")
    en = ", ".join(map(str, shown)) + (", ..." if more else "")
    return (
        f"第 {zh} 行的几何不是点，没有坐标 / row(s) {en}: the geometry is not a Point,"
        " so there are no coordinates"
    )
