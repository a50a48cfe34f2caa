"""What each HTML page is rendered from: plain functions of the service (Flask-free).

The views in :mod:`.pages` only hand these to their templates, so what a page shows
(a station's record, a county's figures) can be tested without a request.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import shapely

from ..config import Settings
from ..errors import NotFound
from ..finder import county_stations, get_station
from ..hours import describe_hours
from ..identifiers import is_public_id
from ..navigation import navigation_links
from ..offline_maps import county_boundary, station_map
from ..regions import County
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
    """One station's page: its record, its hours in words, its navigation links."""
    if not is_public_id(station_id):
        raise NotFound(f"no station with id {station_id!r}")
    found = get_station(service.index(), station_id)
    return {
        "found": found,
        "hours_text": describe_hours(found.station.opening_hours),
        "config": page_config(service.settings),
        "links": navigation_links(found.station),
    }


def county_page(service: Service, adcode: str) -> dict[str, Any]:
    """A county's page: its boundary, its stations, and counts by kind and by amenity."""
    place = _county(service, adcode)
    found = county_stations(service.index(), adcode)
    kinds = Counter(f.station.kind for f in found)
    amenities = Counter(a for f in found for a in f.station.amenities)
    return {
        "place": place,
        "found": found,
        "config": page_config(service.settings),
        "boundary": shapely.geometry.mapping(service.store.regions.boundary(adcode)),
        "kinds": kinds.most_common(),
        "amenities": amenities.most_common(),
    }


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


def _county(service: Service, adcode: str) -> County:
    place = service.store.regions.county(adcode)
    if place is None:
        raise NotFound(f"no county with adcode {adcode!r}")
    return place
