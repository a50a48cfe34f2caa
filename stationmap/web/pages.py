"""The HTML pages: the rider's finder, the national overview, one station, one county.

Pages are thin: the server renders what a page needs to start (its settings, a
station's record, a county's figures) and the scripts in ``static/js`` ask the API for
the rest. Every asset is served from here: Leaflet comes from the XStatic package.
"""

from __future__ import annotations

from collections import Counter

import shapely
from flask import Blueprint, Response, abort, render_template, send_from_directory
from xstatic.pkg import leaflet

from ..finder import county_stations, get_station
from ..hours import describe_hours
from ..identifiers import is_public_id
from ..navigation import navigation_links
from ..offline_maps import county_boundary, station_map
from ..vocabulary import AMENITIES, KINDS, STATUSES
from . import context
from .basemaps import basemap_config

blueprint = Blueprint("pages", __name__)

RIDER_AMENITIES = (
    "hot_water",
    "ebike_charging",
    "toilet",
    "microwave",
    "phone_charging",
    "discount_meals",
)
"""The amenity chips on the rider page, in the order riders ask for them."""


def _page_config() -> dict:
    """What every page script starts from: the map background and the vocabulary."""
    basemap = basemap_config(context.settings())
    return {
        "basemap": basemap,
        "crs": basemap["crs"] if basemap else "wgs84",
        "amenities": AMENITIES,
        "kinds": KINDS,
        "statuses": STATUSES,
        "rider_amenities": RIDER_AMENITIES,
    }


@blueprint.get("/")
def rider():
    """The rider's page: nearest stations, filters, a map, navigation hand-off."""
    return render_template("rider.html", config=_page_config())


@blueprint.get("/map")
def overview():
    """Every station in the store, clustered on the server for each view."""
    return render_template("overview.html", config=_page_config())


@blueprint.get("/stations/<station_id>")
def station(station_id: str):
    """One station."""
    if not is_public_id(station_id):
        abort(404)
    found = get_station(context.finder_index(), station_id)
    return render_template(
        "station.html",
        found=found,
        hours_text=describe_hours(found.station.opening_hours),
        config=_page_config(),
        links=navigation_links(found.station),
    )


@blueprint.get("/counties/<adcode>")
def county(adcode: str):
    """A county: its boundary, its stations, counts by kind and by amenity."""
    place = context.store().regions.county(adcode)
    if place is None:
        abort(404)
    found = county_stations(context.finder_index(), adcode)
    boundary = shapely.geometry.mapping(context.store().regions.boundary(adcode))
    kinds = Counter(f.station.kind for f in found)
    amenities = Counter(a for f in found for a in f.station.amenities)
    return render_template(
        "county.html",
        place=place,
        found=found,
        config=_page_config(),
        boundary=boundary,
        kinds=kinds.most_common(),
        amenities=amenities.most_common(),
    )


@blueprint.get("/counties/<adcode>/map.html")
def county_map_file(adcode: str):
    """The county's map as one standalone HTML file (folium, Leaflet inside): to share."""
    place = context.store().regions.county(adcode)
    if place is None:
        abort(404)
    found = county_stations(context.finder_index(), adcode)
    fmap = station_map(
        found,
        f"{place.city}{place.name}的工会驿站（{len(found)}个）",
        context.demo_notice(),
        county_boundary(context.store().regions, adcode),
        tiles=context.settings().basemap != "none",
    )
    response = Response(fmap.get_root().render(), mimetype="text/html")
    response.headers["Content-Disposition"] = f'attachment; filename="{adcode}.html"'
    return response


@blueprint.get("/vendor/leaflet/<path:filename>")
def leaflet_asset(filename: str):
    """Leaflet's script, stylesheet and images, from the pinned XStatic package."""
    return send_from_directory(leaflet.BASE_DIR, filename, max_age=86400)
