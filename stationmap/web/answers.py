"""What an API endpoint hands back, and the one place that turns it into HTTP (Flask-free).

An endpoint reads a :class:`Request` and returns an :class:`Answer`: a status, a body,
its media type and how long it may be cached. :func:`finish` makes the :class:`Reply`
that goes on the wire, and it is the only code that sets an API response's headers,
for the Flask views and the WSGI fast path alike: content type, caching, gzip and
Vary, length, and :data:`COMMON_HEADERS` (where CORS and security headers belong).
:func:`error_answer` is the one JSON error body, ``{"error": {"code", "message", ...}}``.

The three values are not changed once made; they are not frozen dataclasses because
freezing costs half a microsecond per object on the nearest path.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import unquote_to_bytes

from werkzeug.datastructures import EnvironHeaders

from ..errors import StationmapError

JSON = "application/json"
GEOJSON = "application/geo+json"
SHORT_CACHE = "public, max-age=10"
"""Answers may be reused for ten seconds: long enough to help a weak network,
short enough that a station's change reaches riders quickly."""
ALLOW = "GET, HEAD, OPTIONS"
"""The methods every API path answers (the API only reads, for now)."""

COMMON_HEADERS: tuple[tuple[str, str], ...] = ()
"""Headers every API reply carries, errors included: the place for CORS and security
headers. :func:`finish` adds them on both paths, so nothing can skip them."""

MIN_BYTES = 1400
"""Bodies under one network packet are not gzipped: they would only cost time."""
COMPRESSIBLE = (
    JSON,
    GEOJSON,
    "text/html",
    "text/css",
    "application/javascript",
    "text/javascript",
)
LEVEL = 5
NO_CONTENT = 204


@dataclass(slots=True)
class Request:
    """One API request as an endpoint may read it, whichever server received it."""

    method: str
    path: str
    """The path, decoded as UTF-8 (as Flask routes it)."""
    args: Mapping[str, str]
    """The query string; the first value of a repeated key wins (as in Flask)."""
    headers: Mapping[str, str]
    """The request headers, looked up without regard to case."""
    path_params: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Answer:
    """What an endpoint answers: status, body, media type, caching, and any own headers."""

    status: int
    body: bytes
    media_type: str | None = JSON
    cache: str | None = None
    """The Cache-Control value; None sends none."""
    headers: tuple[tuple[str, str], ...] = ()
    """Headers of this answer alone, such as a 405's Allow."""


@dataclass(slots=True)
class Reply:
    """An answer as it goes on the wire: status line, every header, body."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


def request_from_environ(environ: dict[str, Any], path_params: Mapping[str, str]) -> Request:
    """The framework-free request for a WSGI environ (Flask's view passes its own)."""
    return Request(
        environ["REQUEST_METHOD"],
        wsgi_path(environ),
        query_arguments(environ.get("QUERY_STRING", "")),
        cast(Mapping[str, str], EnvironHeaders(environ)),  # case-blind, read-only: a mapping
        path_params,
    )


def wsgi_path(environ: dict[str, Any]) -> str:
    """PATH_INFO decoded as UTF-8 (WSGI hands it over as bytes spelled in Latin-1)."""
    path = environ.get("PATH_INFO") or "/"
    if path.isascii():
        return path
    return path.encode("latin-1").decode("utf-8", "replace")


def query_arguments(query: str) -> dict[str, str]:
    """A WSGI query string as a dict (first value of a repeated key wins, as in Flask)."""
    args: dict[str, str] = {}
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        if "%" in part or "+" in part or not part.isascii():  # WSGI spells bytes in Latin-1
            key, value = _unquote(key), _unquote(value)
        args.setdefault(key, value)
    return args


def json_answer(
    value: Any, *, status: int = 200, cache: str | None = None, headers: tuple = ()
) -> Answer:
    """``value`` as a compact UTF-8 JSON answer."""
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return Answer(status, body, JSON, cache, headers)


def geojson_answer(body: str | bytes, cache: str | None = SHORT_CACHE) -> Answer:
    """GeoJSON already written, cacheable for :data:`SHORT_CACHE` unless told otherwise."""
    return Answer(200, body.encode() if isinstance(body, str) else body, GEOJSON, cache)


def error_answer(
    status: int, code: str, message: str, *, headers: tuple = (), **details: Any
) -> Answer:
    """The one JSON error: ``{"error": {"code", "message", ...details}}``."""
    error = {"error": {"code": code, "message": message, **details}}
    return json_answer(error, status=status, headers=headers)


def answer_for_error(error: StationmapError) -> Answer:
    """A deliberate error as its JSON answer, with the status it carries."""
    return error_answer(
        error.status, error.code, error.message, headers=error.headers, **error.details
    )


def finish(request: Request, answer: Answer) -> Reply:
    """The reply for ``answer``: every API response's headers are set here and only here."""
    headers = [("Content-Type", answer.media_type)] if answer.media_type else []
    if answer.cache:
        headers.append(("Cache-Control", answer.cache))
    headers += answer.headers
    headers += COMMON_HEADERS
    body = answer.body
    if answer.status == 200 and len(body) >= MIN_BYTES and answer.media_type in COMPRESSIBLE:
        headers.append(("Vary", "Accept-Encoding"))
        if wants_gzip(request.headers.get("Accept-Encoding", ""), body):
            body = gzip_body(body)
            headers.append(("Content-Encoding", "gzip"))
    if answer.status != NO_CONTENT:
        headers.append(("Content-Length", str(len(body))))
    return Reply(status_line(answer.status), headers, body)


@cache
def status_line(status: int) -> str:
    """``404 NOT FOUND``: the status as WSGI servers send it."""
    return f"{status} {HTTPStatus(status).phrase.upper()}"


def wants_gzip(accept_encoding: str, body: bytes) -> bool:
    """Whether a body of this size should be gzipped for a client sending this header."""
    return "gzip" in accept_encoding and len(body) >= MIN_BYTES


def gzip_body(body: bytes) -> bytes:
    """``body`` gzipped the way every stationmap response is."""
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)


def _unquote(text: str) -> str:
    return unquote_to_bytes(text.replace("+", " ").encode("latin-1", "replace")).decode(
        "utf-8", "replace"
    )
