"""The OpenAPI 3 document, generated from the same parameter specs the views parse with.

:data:`ENDPOINTS` lists every API path with the query parameters it accepts; the
views read their allowed parameters from here, so the document cannot drift from
what the server does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from ..identifiers import ALPHABET, ID_LENGTH
from ..station_fields import station_properties_schema
from ..version import __version__
from .answers import GEOJSON, JSON, MAX_QUERY_BYTES
from .coverage_params import CATCHMENT_PARAMS, STATION_FILTERS, coverage_params
from .coverage_schemas import coverage_schemas
from .params import FILTER_PARAMS, PARAMETERS, Param, limit_param


@dataclass(frozen=True)
class Endpoint:
    """One public GET endpoint: what it does, its query parameters and what it returns."""

    summary: str
    params: tuple[str | Param, ...]
    """Its query parameters: names from :data:`PARAMETERS`, or its own declarations."""
    returns: str = "FeatureCollection"
    path_params: dict[str, str] = field(default_factory=dict)

    @cached_property
    def parameters(self) -> dict[str, Param]:
        """Its query parameters by name, as the server parses and the document shows them."""
        found = (PARAMETERS[p] if isinstance(p, str) else p for p in self.params)
        return {param.name: param for param in found}


@dataclass(frozen=True)
class Operation:
    """One API operation of a signed-in user: its summary, body, answer and refusals."""

    summary: str
    returns: str
    """The schema of its answer (in ``components``), or ``XLSX`` for a workbook."""
    status: int = 200
    """The status of its answer."""
    body: str | None = None
    """The schema of the request body it takes, if any."""
    body_media: str = JSON
    """The body's media type: JSON (refused 400, 413, 415 or 422), or a multipart form."""
    path_params: dict[str, str] = field(default_factory=dict)
    refusals: dict[int, str] = field(default_factory=dict)
    """Statuses it refuses with beyond those its kind of operation may (401 and 403 for
    all; 429 for a change; those of a JSON body; those of a versioned write)."""
    idempotent: bool = False
    """It honours Idempotency-Key: a repeat by the same user answers 200 with what the
    first request made (which answered 201), and makes nothing."""
    versioned: bool = False
    """It needs If-Match with the station's ETag (428 without, 412 when stale)."""


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MULTIPART = "multipart/form-data"

PATH_PARAM_SCHEMAS = {
    "station_id": {"type": "string", "pattern": f"^[{ALPHABET}]{{{ID_LENGTH}}}$"},
    "adcode": {"type": "string", "pattern": "^[0-9]{6}$"},
    "upload_id": {"type": "string", "pattern": f"^[{ALPHABET}]{{{ID_LENGTH}}}$"},
}
"""What each path parameter looks like (ASCII digits and letters); anything else is a 400."""

ENDPOINTS: dict[str, Endpoint] = {
    "/api/v1/": Endpoint(
        "What the service holds, and whether the data is synthetic.", (), returns="ServiceInfo"
    ),
    "/api/v1/openapi.json": Endpoint("This document.", (), returns="OpenAPI"),
    "/api/v1/stations/nearest": Endpoint(
        "The k nearest stations that pass the filters, sorted by distance_m (exact order).",
        ("lon", "lat", "k", "max_distance_m", "crs", *FILTER_PARAMS),
    ),
    "/api/v1/stations/within": Endpoint(
        "Every station within radius_m that passes the filters, nearest first.",
        (
            "lon",
            "lat",
            "radius_m",
            limit_param(500, 2000, "At most this many, nearest first."),
            "crs",
            *FILTER_PARAMS,
        ),
    ),
    "/api/v1/stations": Endpoint(
        "The stations in a map viewport; past limit, a fair spread over the viewport.",
        (
            "bbox",
            limit_param(500, 2000, "At most this many; past it, a fair spread over the viewport."),
            "crs",
            *FILTER_PARAMS,
        ),
    ),
    "/api/v1/clusters": Endpoint(
        "Stations in a map view grouped into clusters (single stations from zoom 15, or "
        "when few are in view); cluster counts add up to in_view.",
        ("bbox", "zoom", "crs", *FILTER_PARAMS),
        returns="Clusters",
    ),
    "/api/v1/stations/{station_id}/navigation": Endpoint(
        "Links that open the station in Amap, Baidu Maps and Tencent Maps, each given "
        "coordinates in its own system: with the rider's lon and lat, each app's riding "
        "route from there to the station (shows: route); without them, a marker on the "
        "station (shows: marker).",
        ("lon", "lat", "crs"),
        returns="Navigation",
        path_params={"station_id": "The station's 10-character id."},
    ),
    "/api/v1/counties": Endpoint(
        "Counties whose name contains the text, each with a point inside it: for riders "
        "who would rather choose a county than share their location.",
        ("name", "crs"),
        returns="Counties",
    ),
    "/api/v1/stations/search": Endpoint(
        "Stations for a typed search. Each word of q is read as a service (卫生间, 热水, "
        "充电: a filter, as amenities), a kind of host (银行: as kinds), a place (a county "
        "or city such as 玄武区, or a street or landmark in the stations' addresses such "
        "as 南京东路: stations near it), or else text a station's name or address must "
        "contain. Nearest the place first when one was named, else nearest lon/lat when "
        "given, else best name matches first; understood and relative_to say which.",
        (
            "q",
            "lon",
            "lat",
            limit_param(200, 200, "At most this many, best first."),
            "crs",
            *FILTER_PARAMS,
        ),
        returns="SearchResults",
    ),
    "/api/v1/stations/{station_id}": Endpoint(
        "One station; with open_at, also whether it is open then (open_then).",
        (
            "crs",
            Param(
                "open_at",
                PARAMETERS["open_at"].schema,
                "Also say whether the station is open at this ISO-8601 time (Asia/Shanghai "
                "unless it has an offset), as open_then; open_now stays the state now.",
            ),
        ),
        returns="Feature",
        path_params={"station_id": "The station's 10-character id."},
    ),
    "/api/v1/regions/provinces": Endpoint(
        "Province borders and coastline as light lines (simplified to about 5 km), for "
        "context on a map whose tiles do not load.",
        ("crs",),
        returns="Borders",
    ),
    "/api/v1/counties/{adcode}/stations": Endpoint(
        "Every station of a county that passes the filters.",
        ("crs", *FILTER_PARAMS),
        path_params={"adcode": "6-digit county code, e.g. 320102."},
    ),
    "/api/v1/coverage": Endpoint(
        "Planners: for each area of a level (inside an area), the people within the "
        "catchment of a station open at the moment (only active stations passing the "
        "filters cover; unknown hours never do), their share, the population-weighted "
        "median and 90th-percentile distance to the nearest such station, and the "
        "stations: passing the filters, open then, with unknown hours. Population is "
        "modelled unless loaded (population_source). format=csv|xlsx for a table.",
        coverage_params("level", "within", "at", *CATCHMENT_PARAMS, *STATION_FILTERS, "format"),
        returns="Coverage",
    ),
    "/api/v1/coverage/gaps": Endpoint(
        "The area's populated cells no qualifying station reaches at the moment: each "
        "cell's outline, population, centroid and distance to the nearest qualifying "
        "station (up to 100,000 cells; more is a 400 asking for aggregate=hex); or, with "
        "aggregate=hex, those cells summed into H3 hexagons, a map layer for wide areas.",
        coverage_params(
            "adcode", "at", *CATCHMENT_PARAMS, *STATION_FILTERS, "aggregate", "hex_resolution"
        ),
        returns="CoverageGaps",
    ),
    "/api/v1/coverage/proposals": Endpoint(
        "p new sites, among the area's uncovered cells, that newly cover the most people "
        "(maximal covering, existing stations fixed): a lazy greedy, improved by an exact "
        "integer program under a time limit; upper_bound proves how far from optimal it "
        "can be. format=geojson for the sites as points, csv|xlsx for a table.",
        coverage_params(
            "adcode", "p", "at", *CATCHMENT_PARAMS, *STATION_FILTERS, "exact", "format"
        ),
        returns="Proposals",
    ),
    "/api/v1/coverage/day": Endpoint(
        "The area's coverage at each hour (00:00 to 23:00) of a day, and with level, "
        "each inner area's covered share per hour.",
        coverage_params("adcode", "date", "level", *CATCHMENT_PARAMS, *STATION_FILTERS, "format"),
        returns="CoverageDay",
    ),
    "/api/v1/coverage/whatif": Endpoint(
        "The area's coverage before and after adding stations (points, open all day) or "
        "removing stations (ids); nothing is written.",
        coverage_params("adcode", "add", "remove", "at", *CATCHMENT_PARAMS, *STATION_FILTERS),
        returns="WhatIf",
    ),
    "/healthz": Endpoint("200 while the process lives.", (), returns="Health"),
    "/readyz": Endpoint(
        "200 when the station index is loaded and the database reachable, else 503 (with "
        "Retry-After); the figures either way.",
        (),
        returns="Readiness",
    ),
}


STATION_ID = {"station_id": "The station's 10-character id."}
UPLOAD_ID = {"upload_id": "The upload's 10-character id."}
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/stations/{station_id}/history"): Operation(
        "Every change of the station, newest first: when, by whom (user and union), what "
        "(create, update, delete) and each changed field's [before, after]. For signed-in "
        "users whose union's jurisdiction covers the station's county, viewers included.",
        "History",
        path_params=STATION_ID,
        refusals={400: "A malformed id.", 404: "No such station (code not_found)."},
    ),
    ("POST", "/api/v1/stations"): Operation(
        "Add a station in a county of the caller's jurisdiction (its union becomes the "
        "county's). A repeat with the same Idempotency-Key by the same user answers 200 "
        "with the station the first request created, and creates nothing.",
        "Feature",
        status=201,
        body="NewStation",
        idempotent=True,
    ),
    ("PATCH", "/api/v1/stations/{station_id}"): Operation(
        "Change the fields the body names (a move gives lon and lat; status closed or "
        "temporarily_closed needs a reason, reopen_on is optional; status active clears "
        "both). If-Match must be the station's ETag as last read.",
        "Feature",
        body="StationChange",
        path_params=STATION_ID,
        versioned=True,
    ),
    ("POST", "/api/v1/imports"): Operation(
        "Upload a station list (the formats and size limit of `stationmap import`) and get "
        "its dry-run report; the upload is kept, previewed, to apply later. Rows in counties "
        "outside the caller's jurisdiction are rejected with their row numbers.",
        "Upload",
        status=201,
        body="UploadForm",
        body_media=MULTIPART,
        refusals={
            400: "An empty, unreadable or unknown file, a bad crs, or a file that does not say "
            "its coordinate system when no crs is given (code crs_required, with choices).",
            413: "The file is larger than the importer's limit (code payload_too_large).",
        },
    ),
    ("GET", "/api/v1/imports"): Operation(
        "The uploads of the caller's union and the unions below it, newest first: who, "
        "when, the file, its state and counts.",
        "Uploads",
    ),
    ("GET", "/api/v1/imports/{upload_id}"): Operation(
        "One upload with its whole import report.",
        "Upload",
        path_params=UPLOAD_ID,
        refusals={400: "A malformed id.", 404: "No such upload (code not_found)."},
    ),
    ("POST", "/api/v1/imports/{upload_id}/apply"): Operation(
        "Write exactly the previewed plan of an upload, in one transaction. By a writer of "
        "the uploading union or an admin above it.",
        "Upload",
        path_params=UPLOAD_ID,
        refusals={
            400: "A malformed id.",
            404: "No such upload (code not_found).",
            409: "conflict: the stations changed since the preview (nothing was written, the "
            "upload is refused: preview again), or the upload was applied or refused already.",
            422: "A station of the plan was refused at the store boundary; nothing was written.",
        },
    ),
    ("GET", "/api/v1/imports/{upload_id}/to-fix.xlsx"): Operation(
        "The upload's rejected rows as they were, with their row numbers and reasons in "
        "front (原行号, 问题), as a workbook to fix and upload again.",
        "XLSX",
        path_params=UPLOAD_ID,
        refusals={400: "A malformed id.", 404: "No such upload (code not_found)."},
    ),
}
"""The operations of signed-in users (Authorization: Bearer, or the session cookie with
X-CSRFToken), answered through Flask only: each needs to know who is asking."""

NEEDS_INDEX = {
    "/api/v1/stations/nearest",
    "/api/v1/stations/within",
    "/api/v1/stations",
    "/api/v1/clusters",
    "/api/v1/stations/{station_id}/navigation",
    "/api/v1/stations/search",
    "/api/v1/stations/{station_id}",
    "/api/v1/counties/{adcode}/stations",
    "/api/v1/coverage",
    "/api/v1/coverage/gaps",
    "/api/v1/coverage/proposals",
    "/api/v1/coverage/day",
    "/api/v1/coverage/whatif",
}
"""Paths answered from the station index: 503 ``index_loading`` while a worker loads it."""

OPTIONAL_HERE = {
    ("/api/v1/stations/search", "lon"),
    ("/api/v1/stations/search", "lat"),
    ("/api/v1/stations/{station_id}/navigation", "lon"),
    ("/api/v1/stations/{station_id}/navigation", "lat"),
}
"""Parameters that are required elsewhere but optional on this path."""


@cache
def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document as a dict."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "stationmap API",
            "version": __version__,
            "description": "Find China's trade-union worker stations (工会驿站). Places are "
            "GeoJSON (RFC 7946), [lon, lat], WGS-84 unless crs asks for gcj02 or bd09.",
        },
        "paths": _paths(),
        "components": {"schemas": _schemas(), "securitySchemes": SECURITY_SCHEMES},
    }


SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token from `stationmap tokens create USERNAME`.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "The web session after signing in at /login; API calls with it also "
        "send the X-CSRFToken header.",
    },
}
SIGNED_IN: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
"""How a signed-in operation authenticates: a token, or the session cookie (+ X-CSRFToken)."""

SIGNED_IN_REFUSALS = {
    401: "unauthenticated: no valid token or session.",
    403: "forbidden (the caller's role may not do this, e.g. a viewer writing; a missing "
    "CSRF token) or outside_jurisdiction (the station's county, a move's new county or "
    "the upload's union is outside the caller's union's jurisdiction).",
}
CHANGE_REFUSALS = {
    429: "rate_limited: too many requests; retry after the Retry-After header's seconds.",
}
JSON_BODY_REFUSALS = {
    400: "The body is not JSON, or names a field this operation does not take.",
    413: "The body is longer than 64 KB (code payload_too_large).",
    415: "The body is not application/json.",
    422: "A field is refused (code invalid_station): error.field names it, error.label in "
    "Chinese, and the message says what was got and what was expected. Nothing was written.",
}
VERSIONED_REFUSALS = {
    404: "No such station (code not_found).",
    409: "conflict: the write clashes with what is stored.",
    412: "version_mismatch: If-Match is not the stored version's ETag (someone changed the "
    "station since it was read); read it again and redo the change.",
    428: "version_required: send If-Match with the ETag.",
}


def _paths() -> dict[str, dict[str, Any]]:
    """Every documented path: the public reads, then the signed-in operations."""
    paths = {path: _path_item(path, e) for path, e in ENDPOINTS.items()}
    for (method, path), operation in OPERATIONS.items():
        paths.setdefault(path, {})[method.lower()] = _operation(method, operation)
    return paths


def _operation(method: str, operation: Operation) -> dict[str, Any]:
    """A signed-in operation as OpenAPI describes it."""
    responses = _answers(operation)
    for status, description in _refusals(method, operation).items():
        responses[str(status)] = _error_response(description)
    parameters = [_path_param(n, d) for n, d in operation.path_params.items()]
    described: dict[str, Any] = {
        "summary": operation.summary,
        "security": SIGNED_IN,
        "parameters": parameters + _header_params(operation),
        "responses": dict(sorted(responses.items())),
    }
    if operation.body:
        content = {operation.body_media: {"schema": _ref(operation.body)}}
        described["requestBody"] = {"required": True, "content": content}
    return described


def _answers(operation: Operation) -> dict[str, Any]:
    """An operation's successful answers: a station with its version's ETag (a new one
    with its Location, and 200 for an idempotent repeat), a workbook, or JSON."""
    if operation.returns == "XLSX":
        content = {XLSX: {"schema": {"type": "string", "format": "binary"}}}
    else:
        media = GEOJSON if operation.returns in GEOJSON_RETURNS else JSON
        content = {media: {"schema": _ref(operation.returns)}}
    answer: dict[str, Any] = {"description": "OK", "content": content}
    if operation.returns == "Feature":
        answer["headers"] = {"ETag": VERSION_ETAG}
    answers = {"200": answer} if operation.idempotent else {}
    if operation.status == 201:
        headers = {**answer.get("headers", {}), "Location": LOCATION}
        answers["201"] = answer | {"description": "Created.", "headers": headers}
    else:
        answers[str(operation.status)] = answer
    return answers


def _refusals(method: str, operation: Operation) -> dict[int, str]:
    """Every refusal of an operation, by status: those of its kind, then its own."""
    refusals = dict(SIGNED_IN_REFUSALS)
    if method != "GET":
        refusals |= CHANGE_REFUSALS
    if operation.body and operation.body_media == JSON:
        refusals |= JSON_BODY_REFUSALS
    if operation.versioned:
        refusals |= VERSIONED_REFUSALS
    return refusals | operation.refusals


def _header_params(operation: Operation) -> list[dict[str, Any]]:
    """The request headers an operation reads: If-Match, Idempotency-Key."""
    params = []
    if operation.versioned:
        params.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "description": 'The station\'s ETag as last read, e.g. "v3".',
                "schema": {"type": "string", "pattern": '^"v[0-9]+"$'},
            }
        )
    if operation.idempotent:
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Any 1 to 64 printable ASCII characters (a UUID): a repeat by "
                "the same user returns what the first request made instead of another.",
                "schema": {"type": "string", "maxLength": 64},
            }
        )
    return params


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _path_item(path: str, endpoint: Endpoint) -> dict[str, Any]:
    parameters = [_path_param(n, d) for n, d in endpoint.path_params.items()]
    parameters += [_query_param(path, param) for param in endpoint.parameters.values()]
    responses = {
        "200": {
            "description": "OK",
            "headers": {"ETag": ETAG_HEADER},
            "content": {
                _media(endpoint): {"schema": {"$ref": f"#/components/schemas/{endpoint.returns}"}}
            },
        },
        "304": {
            "description": "Not modified: the If-None-Match sent names this answer's ETag.",
            "headers": {"ETag": ETAG_HEADER},
        },
        "400": _error_response(
            "A parameter is missing, wrong or not one this endpoint takes; the message says which."
        ),
        "414": _error_response(
            f"The query string is longer than {MAX_QUERY_BYTES} bytes (code uri_too_long)."
        ),
    }
    if endpoint.path_params:
        responses["404"] = _error_response(f"No such {_thing(endpoint)} (code not_found).")
    if path in NEEDS_INDEX:
        responses["503"] = _error_response(
            "index_loading: this worker is still loading the stations; retry after the "
            "Retry-After header's seconds."
        )
    if path == "/readyz":
        responses["503"] = {
            "description": "Not ready: the index is loading or the database is unreachable.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}},
        }
    return {
        "get": {
            "summary": endpoint.summary,
            "parameters": parameters,
            "responses": dict(sorted(responses.items())),
        }
    }


VERSION_ETAG = {
    "description": 'The station\'s version as a strong ETag ("v3"): a change sends it back '
    "as If-Match.",
    "schema": {"type": "string"},
}
LOCATION = {"description": "The URL of what was made.", "schema": {"type": "string"}}


ETAG_HEADER = {
    "description": "A weak validator of the answer; send it back as If-None-Match.",
    "schema": {"type": "string"},
}

GEOJSON_RETURNS = {
    "Feature",
    "FeatureCollection",
    "Clusters",
    "Borders",
    "SearchResults",
    "CoverageGaps",
}
"""What the server answers as ``application/geo+json``; the rest is ``application/json``."""


def _media(endpoint: Endpoint) -> str:
    return "application/geo+json" if endpoint.returns in GEOJSON_RETURNS else "application/json"


def _thing(endpoint: Endpoint) -> str:
    return "county" if "adcode" in endpoint.path_params else "station"


def _query_param(path: str, param: Param) -> dict[str, Any]:
    schema = dict(param.schema)
    style = {"style": "form", "explode": False} if schema["type"] == "array" else {}
    return {
        "name": param.name,
        "in": "query",
        "description": param.description,
        "required": param.required and (path, param.name) not in OPTIONAL_HERE,
        "schema": schema,
        **style,
    }


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": PATH_PARAM_SCHEMAS[name],
    }


def _readiness_schema() -> dict[str, Any]:
    number_or_null = {"type": ["number", "null"]}
    return {
        "type": "object",
        "required": ["ready", "index", "database"],
        "properties": {
            "ready": {"type": "boolean"},
            "index": {
                "type": "object",
                "properties": {
                    "loaded": {"type": "boolean"},
                    "loading": {"type": "boolean"},
                    "stations": {"type": ["integer", "null"]},
                    "overlay_rows": {
                        "type": ["integer", "null"],
                        "description": "Stations changed since the index's base was built.",
                    },
                    "load_seconds": number_or_null,
                    "ready_in_seconds": {"type": ["integer", "null"]},
                },
            },
            "database": {
                "type": "object",
                "properties": {
                    "reachable": {"type": "boolean"},
                    "dialect": {"type": "string"},
                },
            },
            "started_at": {"type": "string", "format": "date-time"},
        },
    }


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _schemas() -> dict[str, Any]:
    station_properties = station_properties_schema()
    feature = {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["Point"]},
                    "coordinates": {
                        "type": "array",
                        "items": {"type": "number"},
                        "minItems": 2,
                        "maxItems": 2,
                    },
                },
            },
            "properties": {"type": "object", "properties": station_properties},
            "notice": {"type": "string", "description": "Shown while the data is synthetic."},
        },
    }
    return {
        "Feature": feature,
        "FeatureCollection": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
                "crs_name": {"type": "string", "enum": ["wgs84", "gcj02", "bd09"]},
                "notice": {"type": "string", "description": "Shown while the data is synthetic."},
            },
        },
        "SearchResults": _search_results_schema(),
        **coverage_schemas(),
        "ServiceInfo": {"type": "object"},
        "Health": {
            "type": "object",
            "required": ["status"],
            "properties": {"status": {"type": "string", "enum": ["alive"]}},
        },
        "Readiness": _readiness_schema(),
        "Borders": {
            "type": "object",
            "required": ["type", "features", "source"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "crs_name": {"type": "string", "enum": ["wgs84", "gcj02", "bd09"]},
                "source": {"type": "string"},
                "features": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "geometry": {
                                "type": "object",
                                "properties": {
                                    "type": {"type": "string", "enum": ["MultiLineString"]}
                                },
                            }
                        },
                    },
                },
            },
        },
        "Clusters": {
            "type": "object",
            "required": ["features", "in_view", "total"],
            "properties": {
                "features": {"type": "array"},
                "in_view": {"type": "integer"},
                "total": {"type": "integer"},
            },
        },
        "Counties": {
            "type": "object",
            "properties": {
                "counties": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "adcode": {"type": "string"},
                            "name": {"type": "string"},
                            "city": {"type": "string"},
                            "province": {"type": "string"},
                            "lon": {"type": "number"},
                            "lat": {"type": "number"},
                        },
                    },
                }
            },
        },
        "Navigation": {
            "type": "object",
            "required": ["amap", "baidu", "tencent", "shows"],
            "properties": {
                "amap": {"type": "string", "description": "Amap (GCJ-02)."},
                "baidu": {"type": "string", "description": "Baidu Maps (BD-09)."},
                "tencent": {"type": "string", "description": "Tencent Maps (GCJ-02)."},
                "shows": {
                    "type": "string",
                    "enum": ["route", "marker"],
                    "description": "route: the way from the given position to the station; "
                    "marker: the station alone (no position given).",
                },
                "mode": {
                    "type": "string",
                    "enum": ["riding"],
                    "description": "With shows=route: how the route travels.",
                },
            },
        },
        "OpenAPI": {"type": "object"},
        "History": _history_schema(),
        "NewStation": _write_body_schema(station_properties, creating=True),
        "StationChange": _write_body_schema(station_properties, creating=False),
        **_upload_schemas(),
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "parameter": {"type": "string"},
                        "field": {"type": "string", "description": "The refused field's key."},
                        "label": {"type": "string", "description": "Its Chinese name."},
                    },
                }
            },
        },
    }


def _history_schema() -> dict[str, Any]:
    entry = {
        "type": "object",
        "required": ["at", "actor", "union", "action", "changes"],
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "actor": {"type": "string", "description": "The user, or the server command."},
            "union": {"type": ["string", "null"], "description": "The user's union."},
            "action": {"type": "string", "enum": ["create", "update", "delete"]},
            "changes": {
                "type": "object",
                "description": "Each changed field's [before, after] (null before a create).",
                "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2},
            },
        },
    }
    return {
        "type": "object",
        "required": ["entries"],
        "properties": {"entries": {"type": "array", "items": entry}},
    }


def _write_body_schema(properties: dict[str, Any], creating: bool) -> dict[str, Any]:
    """A write's JSON body: the station's own fields, the point in crs, the hours either way."""
    own = ("name", "kind", "address", "amenities", "opening_hours", "phone")
    fields = {name: properties[name] for name in own}
    fields |= {
        "lon": {"type": "number", "description": "Longitude in crs."},
        "lat": {"type": "number", "description": "Latitude in crs."},
        "crs": {"type": "string", "enum": ["wgs84", "gcj02", "bd09"], "default": "wgs84"},
        "hours_text": {
            "type": ["string", "null"],
            "description": "The hours as a clerk writes them (每天 8:00-20:00; 工作日 "
            "8:30-17:30（节假日休息）), read as imports read them; instead of opening_hours.",
        },
    }
    if not creating:
        fields |= {
            "status": properties["status"],
            "reason": properties["status_reason"],
            "reopen_on": properties["reopen_on"],
        }
    schema = {"type": "object", "additionalProperties": False, "properties": fields}
    return schema | ({"required": ["name", "lon", "lat"]} if creating else {})


def _search_results_schema() -> dict[str, Any]:
    """A FeatureCollection with what the search understood and what its order is
    relative to (foreign members, RFC 7946 section 6.1)."""
    words = {"type": "array", "items": {"type": "string"}}
    place = {
        "type": ["object", "null"],
        "description": "The place searched around, nearest to lon/lat among places of "
        "that name (朝阳 from 北京 is 北京市朝阳区); lon/lat in crs.",
        "properties": {
            "name": {"type": "string", "example": "南京东路"},
            "full_name": {"type": "string", "example": "上海市黄浦区南京东路"},
            "kind": {"type": "string", "enum": ["county", "city", "street"]},
            "adcode": {"type": ["string", "null"]},
            "lon": {"type": "number"},
            "lat": {"type": "number"},
        },
    }
    return {
        "allOf": [{"$ref": "#/components/schemas/FeatureCollection"}],
        "type": "object",
        "required": ["understood", "relative_to"],
        "properties": {
            "understood": {
                "type": "object",
                "properties": {
                    "amenities": words | {"description": "Amenity keys named (卫生间 → toilet)."},
                    "kinds": words | {"description": "Host kinds named (银行 → bank)."},
                    "place": place,
                    "text": words | {"description": "Words names or addresses must contain."},
                },
            },
            "relative_to": {
                "type": ["string", "null"],
                "enum": ["place", "point", None],
                "description": "place: nearest the understood place first; point: nearest "
                "lon/lat first; null: no point, best name matches first.",
            },
        },
    }


def _upload_schemas() -> dict[str, Any]:
    """An upload, a list of them, and the form that sends one."""
    listed = {
        "type": "object",
        "required": ["id", "state", "file_name", "user", "union", "created_at", "counts"],
        "properties": {
            "id": {"type": "string"},
            "state": {"type": "string", "enum": ["previewed", "applied", "refused"]},
            "file_name": {"type": "string"},
            "user": {"type": "string", "description": "Who uploaded it."},
            "union": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
            },
            "created_at": {"type": "string", "format": "date-time"},
            "finished_at": {"type": ["string", "null"], "format": "date-time"},
            "crs": {"type": ["string", "null"], "enum": ["wgs84", "gcj02", "bd09", None]},
            "sha256": {"type": "string"},
            "batch_id": {"type": ["string", "null"]},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    }
    report = {
        "type": "object",
        "description": "The import report: counts, rows by outcome, every rejected row and "
        "warning with its row number, code and Chinese message (message_en in English).",
        "required": ["counts", "rejected", "warnings", "rows"],
    }
    upload = {
        "allOf": [_ref("UploadListed")],
        "type": "object",
        "required": ["report"],
        "properties": {"report": report},
    }
    form = {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "The list."},
            "crs": {
                "type": "string",
                "enum": ["wgs84", "gcj02", "bd09"],
                "description": "The coordinate system of the list's coordinates; needed "
                "unless the file says it (GeoJSON, a header such as 经度（GCJ02）).",
            },
        },
    }
    return {
        "UploadListed": listed,
        "Upload": upload,
        "Uploads": {
            "type": "object",
            "required": ["imports"],
            "properties": {"imports": {"type": "array", "items": _ref("UploadListed")}},
        },
        "UploadForm": form,
    }
