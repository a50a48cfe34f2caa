"""The JSON API under /api/v1 (the finder's endpoints join it in the finder issue)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .. import __version__
from ..errors import BadRequest
from ..geojson import station_feature
from ..identifiers import is_public_id
from . import context

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


@blueprint.get("/")
def index():
    """What this service holds: station counts, and whether the data is synthetic."""
    store = context.store()
    notice = context.demo_notice()
    return jsonify(
        {
            "service": "stationmap",
            "version": __version__,
            "stations": store.count_stations(),
            "active_stations": store.count_stations(status="active"),
            "synthetic": notice is not None,
            "notice": notice,
        }
    )


@blueprint.get("/stations/<station_id>")
def station(station_id: str):
    """One station as a GeoJSON Feature."""
    if not is_public_id(station_id):
        raise BadRequest(
            f"id: got {station_id!r}, expected a 10-character station id", code="invalid_parameter"
        )
    feature = station_feature(context.store().get_station(station_id))
    notice = context.demo_notice()
    if notice:
        feature["notice"] = notice
    return jsonify(feature)
