"""Gzip for clients that accept it: riders on weak networks get a third of the bytes.

JSON, HTML, CSS and scripts larger than one network packet are compressed (Leaflet's
147 KB script travels as 42 KB); a small answer gains nothing and would only cost time.
"""

from __future__ import annotations

import gzip
from functools import lru_cache

from flask import Flask, Response, request

MIN_BYTES = 1400
COMPRESSIBLE = (
    "application/json",
    "application/geo+json",
    "text/html",
    "text/css",
    "application/javascript",
    "text/javascript",
)
LEVEL = 5
STATIC_TYPES = ("text/css", "application/javascript", "text/javascript")


def register(app: Flask) -> None:
    """Compress suitable responses of ``app``."""
    app.after_request(_compress)


def _compress(response: Response) -> Response:
    if (
        response.status_code != 200
        or response.mimetype not in COMPRESSIBLE
        or "gzip" not in request.headers.get("Accept-Encoding", "")
        or "Content-Encoding" in response.headers
    ):
        return response
    if response.content_length is not None and response.content_length < MIN_BYTES:
        return response
    body = _read(response)
    if not wants_gzip("gzip", body):
        return response
    response.set_data(_gzip_cached(body) if response.mimetype in STATIC_TYPES else gzip_body(body))
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)  # ranges would cut the plain bytes
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-gzip", weak=weak)
    response.vary.add("Accept-Encoding")
    return response


def wants_gzip(accept_encoding: str, body: bytes) -> bool:
    """Whether a body of this size should be gzipped for a client sending this header."""
    return "gzip" in accept_encoding and len(body) >= MIN_BYTES


def gzip_body(body: bytes) -> bytes:
    """``body`` gzipped the way every stationmap response is."""
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)


def _read(response: Response) -> bytes:
    """The whole body, closing a file a static response was streaming from."""
    source = response.response
    response.direct_passthrough = False
    body = response.get_data()
    if hasattr(source, "close"):
        source.close()
    return body


@lru_cache(maxsize=64)
def _gzip_cached(body: bytes) -> bytes:
    """Scripts and stylesheets gzipped once per content, not on every request."""
    return gzip_body(body)
