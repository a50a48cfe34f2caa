"""The nearest-stations endpoint answered straight from WSGI, ahead of Flask.

Why: on these 2-core machines gunicorn plus Flask spend about 165 µs on a request
before doing any work (a bare Flask endpoint returning fixed bytes), while the
nearest query itself takes about 25 µs. Routing, the request context and the
response object made the Flask view cost about twice the bare endpoint
(``scripts/bench_finder.py``: 0.51x its requests per second). This path does the
same work with the same pieces (:class:`QueryArgs`, the finder, the GeoJSON writer,
the error JSON, gzip) and skips only the framework. Anything else (another path,
the database finder, an unexpected error) goes on to Flask, which answers it and
logs it as usual; the Flask view remains the documented definition.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from ..errors import StationmapError
from ..finder import LiveIndex
from .answers import NEAREST, nearest_geojson
from .api import SHORT_CACHE
from .compression import gzip_body, wants_gzip
from .openapi import ENDPOINTS
from .params import QueryArgs

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


class NearestFastPath:
    """WSGI middleware serving GET /api/v1/stations/nearest from the live index."""

    def __init__(self, downstream: WsgiApp, live: LiveIndex) -> None:
        self.downstream = downstream
        self.live = live
        self.allowed = ENDPOINTS[NEAREST].params

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != NEAREST or environ.get("REQUEST_METHOD") != "GET":
            return self.downstream(environ, start_response)
        try:
            status, body = "200 OK", self._answer(environ)
            headers = [("Content-Type", "application/geo+json"), ("Cache-Control", SHORT_CACHE)]
        except StationmapError as error:
            status = f"{error.status} {_REASONS.get(error.status, 'Error')}"
            body = json.dumps(error.to_dict(), ensure_ascii=False).encode()
            headers = [("Content-Type", "application/json")]
        except Exception:  # Flask's handler renders and logs what we did not expect
            return self.downstream(environ, start_response)
        if wants_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""), body):
            body = gzip_body(body)
            headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _answer(self, environ: dict[str, Any]) -> bytes:
        args = query_arguments(environ.get("QUERY_STRING", ""))
        return nearest_geojson(QueryArgs(args, self.allowed), self.live.current())


def query_arguments(query: str) -> dict[str, str]:
    """A WSGI query string as a dict (first value of a repeated key wins, as in Flask)."""
    args: dict[str, str] = {}
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        if "%" in part or "+" in part:
            key, value = _unquote(key), _unquote(value)
        args.setdefault(key, value)
    return args


def _unquote(text: str) -> str:
    return unquote_to_bytes(text.replace("+", " ").encode("latin-1", "replace")).decode(
        "utf-8", "replace"
    )


_REASONS = {400: "BAD REQUEST", 404: "NOT FOUND", 409: "CONFLICT", 422: "UNPROCESSABLE ENTITY"}
