"""Stations as GeoJSON (RFC 7946): ``[lon, lat]`` in WGS-84, stable ``id`` strings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .types import Station

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
