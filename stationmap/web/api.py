"""The JSON API under /api/v1: thin views that read parameters, ask the finder, answer.

Places are GeoJSON with ``[lon, lat]``; ``crs`` chooses the system of the query
point and of the answer (wgs84, gcj02 or bd09). Errors are JSON 4xx naming the
parameter (rendered by :mod:`.errors`).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from .. import __version__
from ..borders import borders_geojson
from ..coordinates import from_wgs84, point_to_wgs84, to_wgs84
from ..errors import BadRequest
from ..finder import (
    county_stations,
    find_in_viewport,
    find_within,
    get_station,
    search_text,
)
from ..finder.clusters import cluster_view
from ..finder.database import nearest_by_sql
from ..geojson import cluster_view_json, found_collection_json, found_feature_json
from ..identifiers import is_public_id
from ..navigation import navigation_links
from ..types import FoundStation
from . import context
from .answers import NEAREST, coordinates_in, nearest_geojson
from .openapi import ENDPOINTS, openapi_document
from .params import QueryArgs

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

SHORT_CACHE = "public, max-age=10"
"""Answers may be reused for ten seconds: long enough to help a weak network,
short enough that a station's change reaches riders quickly."""


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
            "openapi": "/api/v1/openapi.json",
        }
    )


@blueprint.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of every endpoint."""
    response = jsonify(openapi_document())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@blueprint.get("/stations/nearest")
def nearest():
    """The k nearest stations that pass the filters, nearest first."""
    args = _args(NEAREST)
    if context.settings().finder == "memory":
        return _geojson(nearest_geojson(args, context.finder_index()))
    crs = args.crs()
    lon, lat = point_to_wgs84(args.number("lon"), args.number("lat"), crs)
    found = nearest_by_sql(
        context.store(),
        lon,
        lat,
        args.integer("k"),
        args.station_filter(),
        args.number("max_distance_m"),
    )
    return _geojson(
        found_collection_json(found, coordinates_in(found, crs), crs, context.demo_notice())
    )


@blueprint.get("/stations/within")
def within():
    """Every station within a radius that passes the filters, nearest first."""
    args = _args("/api/v1/stations/within")
    crs = args.crs()
    lon, lat = point_to_wgs84(args.number("lon"), args.number("lat"), crs)
    index = context.finder_index()
    found = find_within(
        index,
        lon,
        lat,
        args.number("radius_m"),
        args.station_filter(),
        limit=args.integer("limit"),
    )
    return _collection(found, crs, index.notice)


@blueprint.get("/stations")
def viewport():
    """The stations in a map viewport; past ``limit``, a fair spread over it."""
    args = _args("/api/v1/stations")
    crs = args.crs()
    box = _box_to_wgs84(args.bbox(), crs)
    index = context.finder_index()
    found = find_in_viewport(index, box, args.station_filter(), limit=args.integer("limit"))
    return _collection(found, crs, index.notice)


@blueprint.get("/stations/search")
def search():
    """Stations whose name or address contains every word of ``q``; by distance near a point."""
    args = _args("/api/v1/stations/search")
    crs = args.crs()
    near = None
    if "lon" in request.args or "lat" in request.args:
        near = point_to_wgs84(args.number("lon"), args.number("lat"), crs)
    index = context.finder_index()
    found = search_text(
        index,
        args.text("q"),
        args.station_filter(),
        near=near,
        limit=min(args.integer("limit"), 200),
    )
    return _collection(found, crs, index.notice)


@blueprint.get("/stations/<station_id>")
def station(station_id: str):
    """One station as a GeoJSON Feature."""
    args = _args("/api/v1/stations/{station_id}")
    index = context.finder_index()
    found = get_station(index, _checked_id(station_id))
    [(lon, lat)] = coordinates_in([found], args.crs())
    return _geojson(found_feature_json(found, lon, lat, index.notice))


@blueprint.get("/clusters")
def clusters():
    """Clusters (or single stations) for a map view."""
    args = _args("/api/v1/clusters")
    crs = args.crs()
    index = context.finder_index()
    view = cluster_view(
        index, _box_to_wgs84(args.bbox(), crs), args.integer("zoom"), args.station_filter()
    )
    return _geojson(cluster_view_json(view, crs, index.notice))


@blueprint.get("/stations/<station_id>/navigation")
def navigation(station_id: str):
    """Links to the station in Amap, Baidu Maps and Tencent Maps."""
    _args("/api/v1/stations/{station_id}/navigation")
    found = get_station(context.finder_index(), _checked_id(station_id))
    response = jsonify(navigation_links(found.station))
    response.headers["Cache-Control"] = SHORT_CACHE
    return response


@blueprint.get("/counties")
def counties():
    """Counties matching a name, each with a point inside it."""
    args = _args("/api/v1/counties")
    crs, regions = args.crs(), context.store().regions
    found = regions.find_counties(args.text("name"))
    points = [regions.centre(c.adcode) for c in found]
    if crs != "wgs84" and points:
        lons, lats = from_wgs84([p[0] for p in points], [p[1] for p in points], crs)
        points = list(zip(lons.tolist(), lats.tolist(), strict=True))
    return jsonify(
        {
            "counties": [
                {
                    "adcode": c.adcode,
                    "name": c.name,
                    "city": c.city,
                    "province": c.province,
                    "lon": round(lon, 6),
                    "lat": round(lat, 6),
                }
                for c, (lon, lat) in zip(found, points, strict=True)
            ]
        }
    )


@blueprint.get("/regions/provinces")
def province_borders():
    """Province borders as lines, in the asked coordinate system; they change only
    with a release, so clients may keep them for a day."""
    args = _args("/api/v1/regions/provinces")
    response = Response(borders_geojson(args.crs()), mimetype="application/geo+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@blueprint.get("/counties/<adcode>/stations")
def county(adcode: str):
    """Every station of a county (6-digit adcode) that passes the filters."""
    args = _args("/api/v1/counties/{adcode}/stations")
    if not (len(adcode) == 6 and adcode.isascii() and adcode.isdigit()):
        raise BadRequest(
            f"adcode: got {adcode!r}, expected a 6-digit county code such as 320102",
            code="invalid_parameter",
            parameter="adcode",
        )
    index = context.finder_index()
    found = county_stations(index, adcode, args.station_filter())
    return _collection(found, args.crs(), index.notice)


def _checked_id(station_id: str) -> str:
    if not is_public_id(station_id):
        raise BadRequest(
            f"id: got {station_id!r}, expected a 10-character station id",
            code="invalid_parameter",
            parameter="id",
        )
    return station_id


def _args(path: str) -> QueryArgs:
    """The request's query, allowing just the parameters documented for ``path``."""
    return QueryArgs(request.args.to_dict(), ENDPOINTS[path].params)


def _box_to_wgs84(box: tuple[float, float, float, float], crs: str) -> tuple:
    """A viewport given in ``crs`` as a WGS-84 box.

    A corner outside China (a national view reaches into the sea) has no GCJ-02 or
    BD-09 shift; it is taken as it is, which at that scale is off by under a kilometre.
    """
    if crs == "wgs84":
        return box
    (west, east), (south, north) = (
        v.tolist() for v in to_wgs84([box[0], box[2]], [box[1], box[3]], crs, on_outside="keep")
    )
    return (west, south, east, north)


def _collection(found: list[FoundStation], crs: str, notice: str | None) -> Response:
    """The answer as a GeoJSON FeatureCollection with coordinates in ``crs``.

    ``notice`` comes from the same index snapshot as ``found``.
    """
    return _geojson(found_collection_json(found, coordinates_in(found, crs), crs, notice))


def _geojson(body: str | bytes) -> Response:
    response = Response(body, mimetype="application/geo+json")
    response.headers["Cache-Control"] = SHORT_CACHE
    return response
