"""What an API endpoint hands back, and the one place that turns it into HTTP (Flask-free).

An endpoint reads a :class:`Request` and returns an :class:`Answer`: a status, a body,
its media type and how long it may be cached. :func:`finish` makes the :class:`Reply`
that goes on the wire, and it is the only code that sets an API response's headers,
for the Flask views and the WSGI fast path alike: content type, caching, validators
(``ETag``, and ``304 Not Modified`` for a matching ``If-None-Match``), gzip and Vary,
length, CORS (:func:`cors_headers`) and :data:`COMMON_HEADERS`.
:func:`error_answer` is the one JSON error body, ``{"error": {"code", "message", ...}}``.

The three values are not changed once made; they are not frozen dataclasses because
freezing costs half a microsecond per object on the nearest path.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import unquote_to_bytes

from werkzeug.datastructures import EnvironHeaders

from ..accounts import Principal
from ..errors import PayloadTooLarge, StationmapError

JSON = "application/json"
GEOJSON = "application/geo+json"
SHORT_CACHE = "public, max-age=10"
"""Answers may be reused for ten seconds: long enough to help a weak network,
short enough that a station's change reaches riders quickly."""
ALLOW = "GET, HEAD, OPTIONS"
"""The methods every public API path answers (a signed-in operation on the same path,
such as POST /api/v1/stations, is Flask's alone: a preflight is not told of it)."""
CONDITIONAL = frozenset({"GET", "HEAD"})
"""The methods a matching ``If-None-Match`` answers with 304 (RFC 9110 section 13.1.2)."""

COMMON_HEADERS: tuple[tuple[str, str], ...] = (("X-Content-Type-Options", "nosniff"),)
"""Headers every API reply carries, errors included: the place for security headers.
:func:`finish` adds them on both paths, so nothing can skip them."""

PUBLIC_READS = frozenset({"GET", "HEAD", "OPTIONS"})
"""The methods of the public API: anyone may read it, from any origin."""
PUBLIC_CORS: tuple[tuple[str, str], ...] = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "ETag, Retry-After"),
)
"""CORS on every answer to a public read (errors included, so a rider app on another
origin can read why it was refused). ``*`` goes without credentials, always."""
PREFLIGHT: tuple[tuple[str, str], ...] = (
    ("Access-Control-Allow-Methods", ALLOW),
    ("Access-Control-Allow-Headers", "*"),
    ("Access-Control-Max-Age", "86400"),
)
"""What a CORS preflight (OPTIONS) is told: the read methods, any request header (``*``
means any only without credentials), and that the answer holds for a day."""

MAX_QUERY_BYTES = 2048
"""The longest query string read; the longest any endpoint needs (a search of 100
Chinese characters, percent-encoded, with every filter) is under 1,500 bytes.
Longer is a 414 ``uri_too_long`` in JSON (gunicorn lets lines up to 8,190 bytes
through to say so: ``web/server.py``)."""

MIN_BYTES = 1400
"""Bodies under one network packet are not gzipped: they would only cost time."""
COMPRESSIBLE = (
    JSON,
    GEOJSON,
    "text/html",
    "text/css",
    "application/javascript",
    "text/javascript",
    "text/csv; charset=utf-8",
)
"""Media types worth gzipping (a workbook is a zip file already)."""
LEVEL = 5
NO_CONTENT = 204
NOT_MODIFIED = 304


@dataclass(slots=True)
class Request:
    """One API request as an endpoint may read it, whichever server received it."""

    method: str
    path: str
    """The path, decoded as UTF-8 (as Flask routes it)."""
    args: Mapping[str, str]
    """The query string; the first value of a repeated key wins (as in Flask)."""
    path_params: Mapping[str, str] = field(default_factory=dict)
    query_bytes: int = 0
    """The length of the raw query string, as it came (before decoding)."""
    if_none_match: str | None = None
    accept_encoding: str = ""
    """The two request headers every answer depends on, read from the environ by their WSGI
    names: a case-blind header mapping (Werkzeug's) cost 1.2 µs a request to make and ask."""
    environ: dict[str, Any] = field(default_factory=dict)
    """The WSGI environ, for :attr:`headers` (empty for a request made without one)."""
    body: bytes = b""
    """The request body, read whole (:func:`read_body`) for the endpoints that take one;
    its media type is the ``Content-Type`` header."""
    principal: Principal | None = None
    """Who is asking, when signed in (set by the Flask view; None for public reads)."""

    @property
    def headers(self) -> Mapping[str, str]:
        """Every request header, looked up without regard to case (made on demand: only
        the signed-in operations read more than the two above)."""
        return cast(Mapping[str, str], EnvironHeaders(self.environ))  # read-only: a mapping


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
    etag: str | None = None
    """The answer's own validator (a station's strong ``"v3"``); None: one made from the
    body (:func:`entity_tag`)."""


@dataclass(slots=True)
class Reply:
    """An answer as it goes on the wire: status line, every header, body."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


def request_from_environ(
    environ: dict[str, Any], path_params: Mapping[str, str], principal: Principal | None = None
) -> Request:
    """The framework-free request for a WSGI environ (Flask's view passes its own), with
    who sent it when a signed-in operation's view found out; its body is not read here
    (:func:`read_body`, once the caller is known)."""
    query = environ.get("QUERY_STRING", "")
    return Request(
        environ["REQUEST_METHOD"],
        wsgi_path(environ),
        query_arguments(query) if len(query) <= MAX_QUERY_BYTES else {},
        path_params,
        len(query),
        environ.get("HTTP_IF_NONE_MATCH"),
        environ.get("HTTP_ACCEPT_ENCODING", ""),
        environ,
        principal=principal,
    )


def read_body(environ: dict[str, Any], max_bytes: int) -> bytes:
    """The WSGI request's body, up to ``max_bytes``: a longer one is refused with
    :class:`PayloadTooLarge` before it is read (by its Content-Length), or as soon as
    more than ``max_bytes`` have come (a body sent without one)."""
    declared = environ.get("CONTENT_LENGTH") or ""
    length = int(declared) if declared.isascii() and declared.isdigit() else None
    if length is not None and length > max_bytes:
        raise _body_too_large(length, max_bytes)
    stream = environ["wsgi.input"]
    body = stream.read(length) if length is not None else stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise _body_too_large(len(body), max_bytes)
    return body


def _body_too_large(size: int, max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"请求的内容太大（{_size(size)}，上限 {_size(max_bytes)}），名单请按区县拆分后分别上传"
        f" / the request body is {size:,} bytes, expected at most {max_bytes:,}: send less "
        "at once (a station list: split it by county and upload the parts)",
        limit=max_bytes,
    )


def _size(size: int) -> str:
    """A body's size as a person reads it: ``1.2 MB``, or ``64 KB`` under a megabyte."""
    return f"{size / 1e6:.1f} MB" if size >= 1_000_000 else f"{size / 1024:.0f} KB"


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


def geojson_answer(
    body: str | bytes,
    cache: str | None = SHORT_CACHE,
    headers: tuple = (),
    *,
    status: int = 200,
    etag: str | None = None,
) -> Answer:
    """GeoJSON already written, cacheable for :data:`SHORT_CACHE` unless told otherwise."""
    data = body.encode() if isinstance(body, str) else body
    return Answer(status, data, GEOJSON, cache, headers, etag)


def last_modified(moment: datetime) -> tuple[str, str]:
    """The ``Last-Modified`` header for ``moment`` (an HTTP date, in GMT)."""
    return ("Last-Modified", format_datetime(moment.astimezone(UTC), usegmt=True))


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


def finish(request: Request, answer: Answer, public: bool = True) -> Reply:
    """The reply for ``answer``: every API response's headers are set here and only here.

    ``public`` is False for a signed-in operation's answer (errors included): it gets no
    CORS headers (:func:`cors_headers`).
    """
    if answer.status != 200:
        return _finish_other(request, answer, public)
    tag = answer.etag or entity_tag(answer.body)
    varies = len(answer.body) >= MIN_BYTES and answer.media_type in COMPRESSIBLE
    asked = request.if_none_match
    if asked and request.method in CONDITIONAL and _matches(asked, tag):
        return _not_modified(request, answer, tag, varies, public)
    headers = [("Content-Type", answer.media_type)] if answer.media_type else []
    if answer.cache:
        headers.append(("Cache-Control", answer.cache))
    headers.append(("ETag", tag))
    headers += answer.headers
    headers += cors_headers(request.method, public)
    headers += COMMON_HEADERS
    body = answer.body
    if varies:
        headers.append(("Vary", "Accept-Encoding"))
        if wants_gzip(request.accept_encoding, body):
            body = gzip_body(body)
            headers.append(("Content-Encoding", "gzip"))
    headers.append(("Content-Length", str(len(body))))
    return Reply(status_line(200), headers, body)


def _finish_other(request: Request, answer: Answer, public: bool) -> Reply:
    """An error, a creation (201, with its own validator) or an empty answer (a
    preflight): no validator made from the body, no compression."""
    headers = [("Content-Type", answer.media_type)] if answer.media_type else []
    if answer.cache:
        headers.append(("Cache-Control", answer.cache))
    if answer.etag:
        headers.append(("ETag", answer.etag))
    headers += answer.headers
    headers += cors_headers(request.method, public)
    headers += COMMON_HEADERS
    if answer.status != NO_CONTENT:
        headers.append(("Content-Length", str(len(answer.body))))
    return Reply(status_line(answer.status), headers, answer.body)


def _not_modified(request: Request, answer: Answer, tag: str, varies: bool, public: bool) -> Reply:
    """304: the client's copy is current. It carries what the 200 would have said about
    caching (and, like Werkzeug's, no content headers), so both paths send the same."""
    headers = [("Cache-Control", answer.cache)] if answer.cache else []
    headers.append(("ETag", tag))
    headers += cors_headers(request.method, public)
    headers += COMMON_HEADERS
    if varies:
        headers.append(("Vary", "Accept-Encoding"))
    return Reply(status_line(NOT_MODIFIED), headers, b"")


def entity_tag(body: bytes) -> str:
    """A weak validator of the body: its length and CRC-32 (about 2 µs for a nearest
    answer). Weak, because the gzipped and plain bodies share it; from the body itself,
    because ``open_now`` changes an answer with the clock while the data stands still."""
    return f'W/"{len(body):x}-{zlib.crc32(body):08x}"'


def _matches(if_none_match: str, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag`` (weak comparison) or is ``*``."""
    wanted = tag.removeprefix("W/")
    for given in if_none_match.split(","):
        given = given.strip()
        if given == "*" or given.removeprefix("W/") == wanted:
            return True
    return False


def cors_headers(method: str, public: bool = True) -> tuple[tuple[str, str], ...]:
    """The CORS headers for a request with this method.

    Public reads get ``*`` (and a preflight the read methods). Signed-in operations
    (``public`` False: writes, uploads, a station's history) must not: they carry
    credentials (a session cookie or a token), and ``*`` with credentials is what CORS
    exists to forbid. They get no CORS headers, so a browser lets only pages of our own
    origin make them (the clerk's pages). Should a union's own site ever need to write
    from its origin, it is answered here with that one origin from a configured list
    (``Vary: Origin``, ``Access-Control-Allow-Credentials: true``), never with ``*``.
    """
    if not public:
        return ()
    if method == "OPTIONS":
        return PUBLIC_CORS + PREFLIGHT
    return PUBLIC_CORS if method in PUBLIC_READS else ()


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
