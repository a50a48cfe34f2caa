"""What each HTML page is rendered from: plain functions of the service (Flask-free).

The views in :mod:`.pages` only hand these to their templates, so what a page shows
(a station's record, a county's figures) can be tested without a request.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import shapely

from ..config import Settings
from ..coordinates import from_wgs84
from ..errors import NotFound
from ..finder import county_stations, get_station
from ..hours import describe_hours
from ..identifiers import is_public_id
from ..navigation import navigation_links
from ..offline_maps import STATE_LABELS, county_boundary, marker_state, station_map
from ..regions import County
from ..types import FoundStation, Station
from ..vocabulary import AMENITIES, KINDS, STATUSES
from .basemaps import basemap_config
from .service import Service

RIDER_AMENITIES = (
    "hot_water",
    "ebike_charging",
    "toilet",
    "microwave",
    "phone_charging",
    "discount_meals",
)
"""The amenity chips on the rider page, in the order riders ask for them."""


def page_config(settings: Settings) -> dict[str, Any]:
    """What every page script starts from: the map background and the vocabulary."""
    basemap = basemap_config(settings)
    return {
        "basemap": basemap,
        "crs": basemap["crs"] if basemap else "wgs84",
        "amenities": AMENITIES,
        "kinds": KINDS,
        "statuses": STATUSES,
        "rider_amenities": RIDER_AMENITIES,
    }


def station_page(service: Service, station_id: str) -> dict[str, Any]:
    """One station's page: its record, its hours in words, its navigation links, and its
    position in the system of the page's basemap."""
    found = _station(service, station_id)
    config = page_config(service.settings)
    state = marker_state(found)
    return {
        "found": found,
        "hours_text": describe_hours(found.station.opening_hours),
        "config": config,
        "links": navigation_links(found.station),
        "address": full_address(found.station),
        "state": state,
        "state_label": STATE_LABELS[state],
        "point": page_points([found], config["crs"])[0],
    }


def county_page(service: Service, adcode: str) -> dict[str, Any]:
    """A county's page: its boundary, its stations, and counts by kind and by amenity.

    The boundary and each station's ``point`` are in the system of the page's basemap
    (GCJ-02 on 高德's tiles), so they land on the tiles' streets.
    """
    place = _county(service, adcode)
    found = county_stations(service.index(), adcode)
    config = page_config(service.settings)
    kinds = Counter(f.station.kind for f in found)
    amenities = Counter(a for f in found for a in f.station.amenities)
    boundary = service.store.regions.boundary(adcode)
    return {
        "place": place,
        "found": found,
        "markers": _county_markers(found, config["crs"]),
        "config": config,
        "boundary": shapely.geometry.mapping(_geometry_in(boundary, config["crs"])),
        "kinds": kinds.most_common(),
        "amenities": amenities.most_common(),
    }


def full_address(station: Station) -> str:
    """The station's province, city and county followed by its address, each said once:
    an address that starts with its own city or district (南京市玄武区中山路1号) does not
    repeat them after the region."""
    region = [station.province, station.city, station.county]
    rest = station.address.strip()
    for part in region:
        if part and rest.startswith(part):
            rest = rest[len(part) :]
    unique = dict.fromkeys(p for p in region if p)
    return "".join(unique) + rest


def page_points(found: list[FoundStation], crs: str) -> list[tuple[float, float]]:
    """Each station's (lon, lat) in ``crs``, the system of the page's basemap."""
    lon = np.array([f.station.lon for f in found], dtype=float)
    lat = np.array([f.station.lat for f in found], dtype=float)
    x, y = _from_wgs84(lon, lat, crs)
    return list(zip(x.tolist(), y.tolist(), strict=True))


def _county_markers(found: list[FoundStation], crs: str) -> list[dict[str, Any]]:
    """What the county page's script draws for each station: place, state, label."""
    return [
        {
            "id": f.station.id,
            "name": f.station.name,
            "kind": KINDS[f.station.kind],
            "lon": lon,
            "lat": lat,
            "state": (state := marker_state(f)),
            "state_label": STATE_LABELS[state],
        }
        for f, (lon, lat) in zip(found, page_points(found, crs), strict=True)
    ]


def _geometry_in(geometry, crs: str):
    """A WGS-84 shapely geometry with every vertex moved into ``crs``."""

    def move(coords: np.ndarray) -> np.ndarray:
        x, y = _from_wgs84(coords[:, 0], coords[:, 1], crs)
        return np.column_stack([x, y])

    return shapely.transform(geometry, move)


def _from_wgs84(lon: np.ndarray, lat: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 arrays in ``crs``; points outside China (where GCJ-02 is WGS-84) unchanged."""
    if crs == "wgs84" or len(lon) == 0:
        return lon, lat
    x, y = from_wgs84(lon, lat, crs, on_outside="nan")
    return np.where(np.isnan(x), lon, x), np.where(np.isnan(y), lat, y)


def county_map_html(service: Service, adcode: str) -> str:
    """The county's map as one standalone HTML file (folium, Leaflet inside): to share."""
    place = _county(service, adcode)
    found = county_stations(service.index(), adcode)
    fmap = station_map(
        found,
        f"{place.city}{place.name}的工会驿站（{len(found)}个）",
        service.notice(),
        county_boundary(service.store.regions, adcode),
        tiles=service.settings.basemap != "none",
    )
    return fmap.get_root().render()


def _station(service: Service, station_id: str) -> FoundStation:
    if not is_public_id(station_id):
        raise NotFound(f"没有编号为 {station_id} 的驿站：请检查链接")
    try:
        return get_station(service.index(), station_id)
    except NotFound:
        raise NotFound(f"没有编号为 {station_id} 的驿站：它可能已被删除，或链接有误") from None


def _county(service: Service, adcode: str) -> County:
    place = service.store.regions.county(adcode)
    if place is None:
        raise NotFound(f"没有行政区划代码为 {adcode} 的区县：代码应为 6 位数字，如 320102")
    return place
