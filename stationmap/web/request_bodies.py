"""What a write request sends: its JSON body and the version it edits (Flask-free).

A body is read only as JSON (``Content-Type: application/json``), at most
:data:`MAX_BODY_BYTES` long, and must be one JSON object; each refusal says what it got
and what was expected. NaN and Infinity, which Python's reader accepts, are left for the
store boundary to refuse naming their field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, VersionMismatch
from .answers import Request

MAX_BODY_BYTES = 64 * 1024
"""The longest body a write reads: a station is under 2 KB; 64 KB leaves room for any."""
JSON_TYPE = "application/json"


def json_body(request: Request) -> Mapping[str, Any]:
    """The request's JSON object; 415, 413 or 400 naming what was wrong."""
    media = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media != JSON_TYPE:
        raise UnsupportedMediaType(
            f"Content-Type: got {media or 'none'!r}, expected {JSON_TYPE} (a JSON object "
            "of station fields)",
            parameter="Content-Type",
        )
    if request.body_length > MAX_BODY_BYTES:
        raise PayloadTooLarge(
            f"body: got {request.body_length} bytes, expected at most {MAX_BODY_BYTES}"
        )
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(
            f"body: got text that is not JSON in UTF-8 ({error}), expected a JSON object",
            code="invalid_json",
        ) from None
    if not isinstance(body, dict):
        raise BadRequest(
            f"body: got a JSON {type(body).__name__}, expected a JSON object of station fields",
            code="invalid_json",
        )
    return body


def version_from_if_match(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header names (``"v3"`` → 3), or None when there is none.

    Only a station's own strong ETag names a version: a weak tag, ``*`` or an answer's
    body tag (from a list, say) is a :class:`VersionMismatch`, so nothing is written
    against a version the writer never saw.
    """
    if if_match is None or not if_match.strip():
        return None
    for tag in (t.strip() for t in if_match.split(",")):
        inner = tag[2:-1] if len(tag) > 3 and tag[:2] == '"v' and tag[-1] == '"' else ""
        if inner.isascii() and inner.isdigit():
            return int(inner)
    raise VersionMismatch(
        f'If-Match: got {if_match[:80]!r}, expected the station\'s ETag such as "v3" '
        "(from GET /api/v1/stations/{id}, or the answer to the last write)"
    )
