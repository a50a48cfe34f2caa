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


class NotFound(StationmapError):
    """The thing asked for does not exist."""

    status = 404
    code = "not_found"


class Conflict(StationmapError):
    """The write clashes with what is stored (a duplicate id, a stale version)."""

    status = 409
    code = "conflict"


class InvalidStation(StationmapError):
    """A station write was refused at the store boundary; nothing was written."""

    status = 422
    code = "invalid_station"

    def __init__(self, field: str, value: Any, expected: str, *, row: int | None = None) -> None:
        where = f"row {row}: " if row is not None else ""
        extra: dict[str, Any] = {"row": row} if row is not None else {}
        super().__init__(
            f"{where}{field}: got {value!r}, expected {expected}",
            field=field,
            value=_json_safe(value),
            **extra,
        )
        self.field = field
        self.value = value
        self.expected = expected


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


class PayloadTooLarge(StationmapError):
    """An uploaded body or file is larger than the limit; it was not read to the end."""

    status = 413
    code = "payload_too_large"
