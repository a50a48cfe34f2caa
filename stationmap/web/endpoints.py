"""Every API endpoint as a plain function: parsed arguments in, an :class:`Answer` out.

Flask-free. :data:`ROUTES` joins each documented path of :data:`ENDPOINTS` to the
function that answers it; the Flask views and the WSGI fast path both reach these
functions through :func:`stationmap.web.routing.respond`. :data:`ACTIONS` joins each
signed-in operation of :data:`OPERATIONS` (writes, uploads, a station's history) to
its function, reached through :func:`stationmap.web.routing.respond_signed_in`. Places
are GeoJSON with ``[lon, lat]``; ``crs`` chooses the system of the query point and of
the answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from ..borders import borders_geojson
from ..coordinates import from_wgs84, point_from_wgs84, point_to_wgs84, to_wgs84
from ..editing import change_station, create_station, station_history
from ..editing.access import signed_in
from ..errors import BadRequest, NotFound
from ..finder import (
    StationIndex,
    county_stations,
    find_in_viewport,
    find_nearest,
    find_within,
    get_station,
)
from ..finder.clusters import cluster_view
from ..finder.database import nearest_by_sql
from ..finder.search import Understood, search_stations
from ..geojson import cluster_view_json, found_collection_json, found_feature_json
from ..hours import OPEN, UNKNOWN, hours_state, now_in_china
from ..identifiers import is_public_id
from ..importing.readers import MAX_BYTES
from ..importing.uploads import (
    apply_upload,
    get_upload,
    list_uploads,
    preview_upload,
    to_fix_workbook,
    upload_json,
)
from ..navigation import navigation_links
from ..types import FoundStation, Station
from ..version import __version__
from .answers import SHORT_CACHE, Answer, Request, geojson_answer, json_answer, last_modified
from .forms import multipart_form
from .openapi import ENDPOINTS, OPERATIONS, XLSX, Endpoint, Operation, openapi_document
from .params import QueryArgs
from .request_bodies import MAX_BODY_BYTES, json_body, version_from_if_match
from .service import Service

NEAREST = "/api/v1/stations/nearest"


@dataclass(frozen=True)
class Route:
    """One public API path: its declaration in :data:`ENDPOINTS` and the function answering
    GET (called with the service, the query's :class:`QueryArgs` and the path parameters)."""

    path: str
    endpoint: Endpoint
    answer: Callable[..., Answer]


ROUTES: dict[str, Route] = {}
"""The route table, in the order of :data:`ENDPOINTS`."""


def answers(path: str) -> Callable:
    """Make the decorated function the one that answers GET ``path`` (documented in
    ENDPOINTS)."""

    def register(function: Callable[..., Answer]) -> Callable[..., Answer]:
        ROUTES[path] = Route(path, ENDPOINTS[path], function)
        return function

    return register


@dataclass(frozen=True)
class Action:
    """One operation of a signed-in user: its method and path, its declaration in
    :data:`OPERATIONS`, and the function answering it."""

    method: str
    path: str
    operation: Operation
    answer: Callable[..., Answer]
    """Called with the service, the :class:`Request` (its ``principal`` set) and the path
    parameters."""
    max_body: int = 0
    """The longest request body read (0: the body is not read)."""


ACTIONS: dict[tuple[str, str], Action] = {}
"""The signed-in operations, by method and path: answered through Flask only (which
knows who asks) by :func:`stationmap.web.routing.respond_signed_in`. A path may also be
a public route's (GET /api/v1/stations and POST /api/v1/stations): the methods differ."""

MAX_UPLOAD_BODY = MAX_BYTES + 64 * 1024
"""The importer's file size limit, plus room for the multipart form around the file."""
PRIVATE = "private, no-store"
"""What a signed-in user's answer may be cached as: not at all."""


def acts(method: str, path: str, max_body: int = 0) -> Callable:
    """Make the decorated function the one that answers ``method`` on ``path`` for a
    signed-in user (documented in OPERATIONS)."""

    def register(function: Callable[..., Answer]) -> Callable[..., Answer]:
        operation = OPERATIONS[(method, path)]
        ACTIONS[(method, path)] = Action(method, path, operation, function, max_body)
        return function

    return register


@answers("/api/v1/")
def service_info(service: Service, args: QueryArgs) -> Answer:
    """What this service holds: station counts, and whether the data is synthetic."""
    notice = service.notice()
    return json_answer(
        {
            "service": "stationmap",
            "version": __version__,
            "stations": service.store.count_stations(),
            "active_stations": service.store.count_stations(status="active"),
            "synthetic": notice is not None,
            "notice": notice,
            "openapi": "/api/v1/openapi.json",
        }
    )


@answers("/api/v1/openapi.json")
def openapi(service: Service, args: QueryArgs) -> Answer:
    """The OpenAPI 3 description of every endpoint."""
    return _openapi_answer()


@answers(NEAREST)
def nearest(service: Service, args: QueryArgs) -> Answer:
    """The k nearest stations that pass the filters, nearest first."""
    if service.settings.finder == "memory":
        return geojson_answer(nearest_geojson(args, service.index()))
    crs = args.crs()
    lon, lat = point_to_wgs84(args.required_number("lon"), args.required_number("lat"), crs)
    found = nearest_by_sql(
        service.store,
        lon,
        lat,
        args.integer("k"),
        args.station_filter(),
        args.number("max_distance_m"),
    )
    return _collection(found, crs, service.notice(), args)


@answers("/api/v1/stations/within")
def within(service: Service, args: QueryArgs) -> Answer:
    """Every station within a radius that passes the filters, nearest first."""
    crs = args.crs()
    lon, lat = point_to_wgs84(args.required_number("lon"), args.required_number("lat"), crs)
    index = service.index()
    radius_m, limit = args.required_number("radius_m"), args.integer("limit")
    found = find_within(index, lon, lat, radius_m, args.station_filter(), limit=limit)
    return _collection(found, crs, index.notice, args)


@answers("/api/v1/stations")
def viewport(service: Service, args: QueryArgs) -> Answer:
    """The stations in a map viewport; past ``limit``, a fair spread over it."""
    crs = args.crs()
    box = _box_to_wgs84(args.bbox(), crs)
    index = service.index()
    found = find_in_viewport(index, box, args.station_filter(), limit=args.integer("limit"))
    return _collection(found, crs, index.notice, args)


@answers("/api/v1/clusters")
def clusters(service: Service, args: QueryArgs) -> Answer:
    """Clusters (or single stations) for a map view."""
    crs = args.crs()
    index = service.index()
    view = cluster_view(
        index, _box_to_wgs84(args.bbox(), crs), args.integer("zoom"), args.station_filter()
    )
    return geojson_answer(cluster_view_json(view, crs, index.notice, asks_a_time(args)))


@answers("/api/v1/stations/{station_id}/navigation")
def navigation(service: Service, args: QueryArgs, station_id: str) -> Answer:
    """Links to the station in Amap, Baidu Maps and Tencent Maps: with the rider's
    position (``lon``, ``lat`` in ``crs``), each app's riding route from there."""
    found = get_station(service.index(), _checked_id(station_id))
    origin = _optional_point(args)
    return json_answer(navigation_links(found.station, origin), cache=SHORT_CACHE)


@answers("/api/v1/counties")
def counties(service: Service, args: QueryArgs) -> Answer:
    """Counties matching a name, each with a point inside it."""
    crs, regions = args.crs(), service.store.regions
    found = regions.find_counties(args.text("name"))
    points = [regions.centre(c.adcode) for c in found]
    if crs != "wgs84" and points:
        lons, lats = from_wgs84([p[0] for p in points], [p[1] for p in points], crs)
        points = list(zip(lons.tolist(), lats.tolist(), strict=True))
    listed = [
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
    return json_answer({"counties": listed})


@answers("/api/v1/stations/search")
def search(service: Service, args: QueryArgs) -> Answer:
    """Stations for a typed search: services as filters, a place as a point, the rest as
    words in names and addresses; nearest the place, or the given point, first."""
    crs = args.crs()
    near = None
    if args.given("lon") or args.given("lat"):
        near = point_to_wgs84(args.required_number("lon"), args.required_number("lat"), crs)
    index = service.index()
    answer = search_stations(
        index,
        service.store.regions,
        args.text("q"),
        args.station_filter(),
        near=near,
        limit=args.integer("limit"),
    )
    found = answer.found
    body = found_collection_json(
        found, coordinates_in(found, crs), crs, index.notice, asks_a_time(args)
    )
    members = {
        "understood": understood_json(answer.understood, crs),
        "relative_to": answer.relative_to,
    }
    return geojson_answer(_with_members(body, members))


def understood_json(understood: Understood, crs: str) -> dict[str, Any]:
    """What a search understood, its place's point in ``crs``."""
    place = understood.place
    place_json = None
    if place is not None:
        lon, lat = point_from_wgs84(place.lon, place.lat, crs)
        place_json = {
            "name": place.name,
            "full_name": place.full_name,
            "kind": place.kind,
            "adcode": place.adcode,
            "lon": round(lon, 6),
            "lat": round(lat, 6),
        }
    return {
        "amenities": understood.amenities,
        "kinds": understood.kinds,
        "place": place_json,
        "text": understood.text,
    }


def _with_members(collection: bytes, members: dict[str, Any]) -> bytes:
    """A FeatureCollection written as JSON, with foreign members added at its start."""
    written = json.dumps(members, ensure_ascii=False, separators=(",", ":")).encode()
    return written[:-1] + b"," + collection[1:]


@answers("/api/v1/stations/{station_id}")
def station(service: Service, args: QueryArgs, station_id: str) -> Answer:
    """One station as a GeoJSON Feature; with ``open_at``, also whether it is open then."""
    index = service.index()
    found = get_station(index, _checked_id(station_id), args.moment())
    [(lon, lat)] = coordinates_in([found], args.crs())
    body = found_feature_json(found, lon, lat, index.notice, asks_a_time(args))
    headers = (last_modified(found.station.updated_at),)
    return geojson_answer(body, headers=headers, etag=version_tag(found.station))


@acts("GET", "/api/v1/stations/{station_id}/history")
def history(service: Service, request: Request, station_id: str) -> Answer:
    """Every change of one station, newest first: who, for which union, from what to what."""
    principal = signed_in(request.principal)
    entries = station_history(service.store, principal, _checked_id(station_id))
    return json_answer({"entries": [e.to_json() for e in entries]}, cache=PRIVATE)


@acts("POST", "/api/v1/stations", max_body=MAX_BODY_BYTES)
def create(service: Service, request: Request) -> Answer:
    """A new station: 201 with its Feature, or 200 with the first one for a repeated key."""
    station, created = create_station(
        service.store,
        signed_in(request.principal),
        json_body(request),
        request.headers.get("Idempotency-Key"),
    )
    location = ("Location", f"/api/v1/stations/{station.id}")
    return written_answer(service, station, 201 if created else 200, (location,))


@acts("PATCH", "/api/v1/stations/{station_id}", max_body=MAX_BODY_BYTES)
def change(service: Service, request: Request, station_id: str) -> Answer:
    """The station changed as the body says, if ``If-Match`` names its stored version."""
    station = change_station(
        service.store,
        signed_in(request.principal),
        _checked_id(station_id),
        version_from_if_match(request.headers.get("If-Match")),
        json_body(request),
    )
    return written_answer(service, station, 200)


def written_answer(service: Service, station: Station, status: int, headers: tuple = ()) -> Answer:
    """The station as a write left it: its Feature (WGS-84) and its version's ETag."""
    found = FoundStation(station, None, _open_now(station))
    body = found_feature_json(found, station.lon, station.lat, service.notice())
    return geojson_answer(body, PRIVATE, headers, status=status, etag=version_tag(station))


def version_tag(station: Station) -> str:
    """The station's strong ETag, ``"v3"``: what a change's ``If-Match`` must send."""
    return f'"v{station.version}"'


def _open_now(station: Station) -> bool | None:
    state = hours_state(station.opening_hours, now_in_china())
    return None if state == UNKNOWN else state == OPEN


@answers("/api/v1/regions/provinces")
def province_borders(service: Service, args: QueryArgs) -> Answer:
    """Province borders as lines, in the asked coordinate system; they change only
    with a release, so clients may keep them for a day."""
    return geojson_answer(borders_geojson(args.crs()), cache="public, max-age=86400")


@answers("/api/v1/counties/{adcode}/stations")
def county(service: Service, args: QueryArgs, adcode: str) -> Answer:
    """Every station of a county (6-digit adcode) that passes the filters."""
    if not (len(adcode) == 6 and adcode.isascii() and adcode.isdigit()):
        raise BadRequest(
            f"adcode: got {adcode!r}, expected a 6-digit county code such as 320102",
            code="invalid_parameter",
            parameter="adcode",
        )
    if service.store.regions.county(adcode) is None:
        raise NotFound(
            f"no county with adcode {adcode!r}; /api/v1/counties?name= finds a county's code",
            parameter="adcode",
        )
    index = service.index()
    found = county_stations(index, adcode, args.station_filter())
    return _collection(found, args.crs(), index.notice, args)


@answers("/healthz")
def healthz(service: Service, args: QueryArgs) -> Answer:
    """200 while the process lives (a liveness probe: it asks nothing of the index or database)."""
    return json_answer({"status": "alive"}, cache="no-store")


@answers("/readyz")
def readyz(service: Service, args: QueryArgs) -> Answer:
    """200 once the index is loaded and the database answers, else 503; the figures either way."""
    figures = service.readiness()
    if figures["ready"]:
        return json_answer(figures, cache="no-store")
    seconds = figures["index"]["ready_in_seconds"] or 1
    return json_answer(
        figures, status=503, cache="no-store", headers=(("Retry-After", str(seconds)),)
    )


@acts("POST", "/api/v1/imports", max_body=MAX_UPLOAD_BODY)
def upload_list(service: Service, request: Request) -> Answer:
    """Preview an uploaded list (multipart ``file``, optional ``crs``) and keep it: 201."""
    form = multipart_form(request, fields=("crs",), files=("file",))
    file = form.files["file"]
    crs = form.fields.get("crs") or None
    principal = signed_in(request.principal)
    upload = preview_upload(service.store, principal, file.content, file.name, crs)
    location = (("Location", f"/api/v1/imports/{upload.id}"),)
    return json_answer(upload_json(upload), status=201, cache=PRIVATE, headers=location)


@acts("GET", "/api/v1/imports")
def uploads(service: Service, request: Request) -> Answer:
    """The uploads of the caller's union and the unions below it, newest first."""
    listed = list_uploads(service.store, signed_in(request.principal))
    body = {"imports": [upload_json(u, with_report=False) for u in listed]}
    return json_answer(body, cache=PRIVATE)


@acts("GET", "/api/v1/imports/{upload_id}")
def upload(service: Service, request: Request, upload_id: str) -> Answer:
    """One upload, with its whole report."""
    principal, upload_id = signed_in(request.principal), _checked_id(upload_id, "upload")
    found = get_upload(service.store, principal, upload_id)
    return json_answer(upload_json(found), cache=PRIVATE)


@acts("POST", "/api/v1/imports/{upload_id}/apply")
def apply_list(service: Service, request: Request, upload_id: str) -> Answer:
    """Write an upload's previewed plan (409 when the stations changed since)."""
    principal, upload_id = signed_in(request.principal), _checked_id(upload_id, "upload")
    applied = apply_upload(service.store, principal, upload_id)
    return json_answer(upload_json(applied), cache=PRIVATE)


@acts("GET", "/api/v1/imports/{upload_id}/to-fix.xlsx")
def rows_to_fix(service: Service, request: Request, upload_id: str) -> Answer:
    """The upload's rejected rows as a workbook to fix, downloaded as a file."""
    principal, upload_id = signed_in(request.principal), _checked_id(upload_id, "upload")
    workbook = to_fix_workbook(service.store, principal, upload_id)
    name = get_upload(service.store, principal, upload_id).file_name.rsplit(".", 1)[0]
    return Answer(200, workbook, XLSX, PRIVATE, (_attachment(f"{name}-待修改.xlsx"),))


def _attachment(file_name: str, ascii_name: str = "to-fix.xlsx") -> tuple[str, str]:
    """Content-Disposition for a download named ``file_name`` (RFC 6266: an ASCII
    fallback, and the UTF-8 name for every browser since 2012)."""
    return (
        "Content-Disposition",
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}",
    )


def nearest_geojson(args: QueryArgs, index: StationIndex) -> bytes:
    """The nearest-stations answer for a query, from the in-memory index, as GeoJSON (UTF-8)."""
    crs = args.crs()
    lon, lat = args.required_number("lon"), args.required_number("lat")
    if crs != "wgs84":
        lon, lat = point_to_wgs84(lon, lat, crs)
    found = find_nearest(
        index, lon, lat, args.integer("k"), args.station_filter(), args.number("max_distance_m")
    )
    return found_collection_json(
        found, coordinates_in(found, crs), crs, index.notice, asks_a_time(args)
    )


def asks_a_time(args: QueryArgs) -> bool:
    """Whether the query asked about a time of its own (``open_at``): its answer then
    carries ``open_then`` beside ``open_now``, which is always the state now."""
    return args.given("open_at")


def coordinates_in(found: list[FoundStation], crs: str) -> list[tuple[float, float]]:
    """The results' positions in ``crs``."""
    lons = [f.station.lon for f in found]
    lats = [f.station.lat for f in found]
    if crs != "wgs84" and found:
        lons, lats = (v.tolist() for v in from_wgs84(lons, lats, crs))
    return list(zip(lons, lats, strict=True))


def _optional_point(args: QueryArgs) -> tuple[float, float] | None:
    """The WGS-84 point of ``lon`` and ``lat`` (in ``crs``) when given; one alone is a 400."""
    if not (args.given("lon") or args.given("lat")):
        return None
    return point_to_wgs84(args.required_number("lon"), args.required_number("lat"), args.crs())


def _checked_id(public_id: str, thing: str = "station") -> str:
    if not is_public_id(public_id):
        raise BadRequest(
            f"id: got {public_id!r}, expected a 10-character {thing} id",
            code="invalid_parameter",
            parameter="id",
        )
    return public_id


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


def _collection(found: list[FoundStation], crs: str, notice: str | None, args: QueryArgs) -> Answer:
    """The answer as a GeoJSON FeatureCollection with coordinates in ``crs``.

    ``notice`` comes from the same index snapshot as ``found`` (or from the store,
    when the database answered).
    """
    body = found_collection_json(found, coordinates_in(found, crs), crs, notice, asks_a_time(args))
    return geojson_answer(body)


@cache
def _openapi_answer() -> Answer:
    """The document is fixed for a release: written once, kept for an hour by clients."""
    return json_answer(openapi_document(), cache="public, max-age=3600")


# The coverage endpoints register themselves in ROUTES (below the functions they use).
from . import coverage_endpoints as _coverage_endpoints  # noqa: E402, F401
