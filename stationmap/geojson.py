"""Stations as GeoJSON (RFC 7946): ``[lon, lat]`` in WGS-84, stable ``id`` strings."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .types import FoundStation, Station

PROPERTY_FIELDS = (
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
    "updated_at",
)


def station_feature(station: Station, **extra: Any) -> dict[str, Any]:
    """One station as a GeoJSON Feature; ``extra`` adds properties (e.g. ``distance_m``)."""
    properties = {name: getattr(station, name) for name in PROPERTY_FIELDS}
    properties["amenities"] = list(station.amenities)
    properties["updated_at"] = station.updated_at.isoformat()
    properties.update(extra)
    return {
        "type": "Feature",
        "id": station.id,
        "geometry": {"type": "Point", "coordinates": [station.lon, station.lat]},
        "properties": properties,
    }


def feature_collection(features: Iterable[dict[str, Any]], **members: Any) -> dict[str, Any]:
    """A FeatureCollection; ``members`` adds foreign members such as ``notice``."""
    return {"type": "FeatureCollection", "features": list(features), **members}


_PROPERTIES_CACHE: dict[tuple[str, int, object], str] = {}
_PROPERTIES_CACHE_LIMIT = 400_000
_JSON_STATE = {True: "true", False: "false", None: "null"}


def found_collection_json(
    results: list[FoundStation],
    coordinates: list[tuple[float, float]],
    crs: str,
    notice: str | None,
) -> str:
    """The finder's answer as compact GeoJSON text, built from cached per-station parts.

    ``coordinates`` are the results' positions in ``crs``. Each station's fixed
    properties are serialised once (per version) and reused, so an answer costs a
    few string joins; ``open_now`` and ``distance_m`` are added per answer.
    """
    features = ",".join(
        _feature_json(found, lon, lat)
        for found, (lon, lat) in zip(results, coordinates, strict=True)
    )
    head = f'{{"type":"FeatureCollection","crs_name":"{crs}"'
    if notice:
        head += f',"notice":{json.dumps(notice, ensure_ascii=False)}'
    return f'{head},"features":[{features}]}}'


def found_feature_json(found: FoundStation, lon: float, lat: float, notice: str | None) -> str:
    """One finder result as a GeoJSON Feature text, with the data notice when there is one."""
    feature = _feature_json(found, lon, lat)
    if notice:
        feature = f'{feature[:-1]},"notice":{json.dumps(notice, ensure_ascii=False)}}}'
    return feature


def _feature_json(found: FoundStation, lon: float, lat: float) -> str:
    station = found.station
    extra = f',"open_now":{_JSON_STATE[found.open_now]}'
    if found.distance_m is not None:
        extra += f',"distance_m":{found.distance_m:.1f}'
    return (
        f'{{"type":"Feature","id":"{station.id}","geometry":{{"type":"Point",'
        f'"coordinates":[{lon:.6f},{lat:.6f}]}},"properties":{{{_properties_json(station)}{extra}}}}}'
    )


def _properties_json(station: Station) -> str:
    key = (station.id, station.version, station.updated_at)
    text = _PROPERTIES_CACHE.get(key)
    if text is None:
        if len(_PROPERTIES_CACHE) >= _PROPERTIES_CACHE_LIMIT:
            _PROPERTIES_CACHE.clear()
        properties = station_feature(station)["properties"]
        text = json.dumps(properties, ensure_ascii=False, separators=(",", ":"))[1:-1]
        _PROPERTIES_CACHE[key] = text
    return text
