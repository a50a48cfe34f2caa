"""The HTML pages: the rider's finder, the national overview, one station, one county.

Pages are thin: the server renders what a page needs to start (its settings, a
station's record, a county's figures, from :mod:`.page_contents`) and the scripts in
``static/js`` ask the API for the rest. Every asset is served from here: Leaflet comes
from the XStatic package.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, send_from_directory
from xstatic.pkg import leaflet

from . import context
from .page_contents import county_map_html, county_page, page_config, station_page

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def rider():
    """The rider's page: nearest stations, filters, a map, navigation hand-off."""
    return render_template("rider.html", config=page_config(context.service().settings))


@blueprint.get("/map")
def overview():
    """Every station in the store, clustered on the server for each view."""
    return render_template("overview.html", config=page_config(context.service().settings))


@blueprint.get("/stations/<station_id>")
def station(station_id: str):
    """One station."""
    return render_template("station.html", **station_page(context.service(), station_id))


@blueprint.get("/counties/<adcode>")
def county(adcode: str):
    """A county: its boundary, its stations, counts by kind and by amenity."""
    return render_template("county.html", **county_page(context.service(), adcode))


@blueprint.get("/counties/<adcode>/map.html")
def county_map_file(adcode: str):
    """The county's map as one standalone HTML file: to share."""
    response = Response(county_map_html(context.service(), adcode), mimetype="text/html")
    response.headers["Content-Disposition"] = f'attachment; filename="{adcode}.html"'
    return response


@blueprint.get("/vendor/leaflet/<path:filename>")
def leaflet_asset(filename: str):
    """Leaflet's script, stylesheet and images, from the pinned XStatic package."""
    return send_from_directory(leaflet.BASE_DIR, filename, max_age=86400)
