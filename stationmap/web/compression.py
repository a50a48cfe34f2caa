"""Gzip for clients that accept it: riders on weak networks get a third of the bytes.

JSON, HTML, CSS and scripts larger than one network packet are compressed (Leaflet's
147 KB script travels as 42 KB); a small answer gains nothing and would only cost time.
This hook compresses the pages and their assets; API answers are compressed by
:func:`.answers.finish`, by the same rule.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, request

from .answers import COMPRESSIBLE, MIN_BYTES, gzip_body, wants_gzip

STATIC_TYPES = ("text/css", "application/javascript", "text/javascript")


def register(app: Flask) -> None:
    """Compress suitable responses of ``app``."""
    app.after_request(_compress)


def _compress(response: Response) -> Response:
    if (
        request.path.startswith("/api/")  # API answers are finished by answers.finish
        or response.status_code != 200
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
        response.set_etag(f"{etag}-gzip", weak=bool(weak))
    response.vary.add("Accept-Encoding")
    return response


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
