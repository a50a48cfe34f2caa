"""The errors stationmap raises on purpose, each carrying its HTTP status.

Views, the CLI and the import report render these in one place each; the
``message`` is public (safe to show a user) and says what was received and what
was expected. Internal detail belongs in the log, never in ``message``.
"""

from __future__ import annotations

from typing import Any


class StationmapError(Exception):
    """Base of every deliberate error: a status, a stable code and a public message."""

    status: int = 500
    code: str = "internal_error"
    headers: tuple[tuple[str, str], ...] = ()
    """HTTP headers the answer must carry (a 503's ``Retry-After``)."""

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The JSON body the API returns: ``{"error": {"code", "message", ...}}``."""
        return {"error": {"code": self.code, "message": self.message, **self.details}}


class BadRequest(StationmapError):
    """A client sent something malformed (a parameter, a file)."""

    status = 400
    code = "bad_request"


class OutsideServiceArea(BadRequest):
    """A query point lies outside the area the finder serves (mainland China and around it)."""

    code = "outside_service_area"


class PayloadTooLarge(BadRequest):
    """A request body longer than the endpoint reads."""

    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(BadRequest):
    """A request body in a format the endpoint does not read (it reads JSON)."""

    status = 415
    code = "unsupported_media_type"


class NotFound(StationmapError):
    """The thing asked for does not exist."""

    status = 404
    code = "not_found"


class Conflict(StationmapError):
    """The write clashes with what is stored (a duplicate id, a stale version)."""

    status = 409
    code = "conflict"


class InvalidStation(StationmapError):
    """A station write was refused at the store boundary; nothing was written.

    The message names the field in Chinese first, then by its key, and says what was got
    and what was expected: ``经度 (lon): got 'abc', expected a number``. The error JSON
    carries ``field`` (the key) and ``label`` (the Chinese name forms show).
    """

    status = 422
    code = "invalid_station"

    def __init__(
        self, field: str, value: Any, expected: str, *, row: int | None = None, label: str = ""
    ) -> None:
        where = f"row {row}: " if row is not None else ""
        named = f"{label} ({field})" if label else field
        extra: dict[str, Any] = {"row": row} if row is not None else {}
        super().__init__(
            f"{where}{named}: got {_shown(value)}, expected {expected}",
            field=field,
            label=label or field,
            value=_json_safe(value),
            **extra,
        )
        self.field = field
        self.value = value
        self.expected = expected
        self.label = label
        self.row = row

    def at_row(self, row: int | None) -> InvalidStation:
        """The same refusal told of frame row ``row`` (None: of the one station written)."""
        return InvalidStation(self.field, self.value, self.expected, row=row, label=self.label)


def _shown(value: Any) -> str:
    """``value`` as a message quotes it: its repr, cut short past 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}… ({len(str(value))} characters)"


class ConfigError(StationmapError):
    """A ``STATIONMAP_*`` setting has a value stationmap cannot use."""

    status = 500
    code = "config_error"


class DatabaseUnavailable(StationmapError):
    """The database cannot be opened or lacks its spatial extension."""

    status = 503
    code = "database_unavailable"


class IndexLoading(StationmapError):
    """The station index is still loading (a worker just started): try again shortly."""

    status = 503
    code = "index_loading"

    def __init__(self, seconds: int) -> None:
        super().__init__(f"驿站数据正在加载，请稍后再试（约{seconds}秒）", retry_after=seconds)
        self.headers = (("Retry-After", str(seconds)),)


def _json_safe(value: Any) -> Any:
    """``value`` if JSON can carry it, else its ``repr``."""
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else repr(value)
    return repr(value)


class Unauthenticated(StationmapError):
    """The request carries no valid credentials (no session, a bad or expired token)."""

    status = 401
    code = "unauthenticated"
    headers = (("WWW-Authenticate", 'Bearer realm="stationmap"'),)


class Forbidden(StationmapError):
    """The caller is known but may not do this (its role, a missing CSRF token)."""

    status = 403
    code = "forbidden"


class OutsideJurisdiction(Forbidden):
    """The station, or the point it would move to, lies outside the caller's union's area."""

    code = "outside_jurisdiction"


class VersionMismatch(StationmapError):
    """The change names a version of the station that is no longer the stored one."""

    status = 412
    code = "version_mismatch"


class VersionRequired(StationmapError):
    """A change must name the version it edits (``If-Match`` with the station's ETag)."""

    status = 428
    code = "version_required"


class RateLimited(StationmapError):
    """Too many attempts from one account or address: wait ``seconds`` and try again."""

    status = 429
    code = "rate_limited"

    def __init__(self, seconds: int, message: str | None = None) -> None:
        super().__init__(message or f"尝试次数过多，请{seconds}秒后再试", retry_after=seconds)
        self.headers = (("Retry-After", str(seconds)),)
