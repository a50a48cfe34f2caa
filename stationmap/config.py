"""stationmap's settings: every ``STATIONMAP_*`` variable, documented in one table.

Settings are read once, by :func:`load_settings`, when the app or the CLI starts.
``SETTINGS`` is the single source of truth; the README's settings table is checked
against it by the test suite.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
BASEMAPS = ("osm", "tianditu", "amap", "none")


@dataclass(frozen=True)
class Setting:
    """One documented setting: its variable, default and meaning."""

    env: str
    field: str
    default: str
    help: str
    parse: Callable[[str, str], Any]


def _parse_text(env: str, raw: str) -> str:
    return raw.strip()


def _parse_database_url(env: str, raw: str) -> str:
    url = raw.strip()
    if url and not url.startswith(("sqlite:///", "postgresql")):
        raise ConfigError(
            f"{env}: got {url!r}, expected sqlite:///PATH (SpatiaLite) or "
            "postgresql+psycopg://USER@HOST/DB (PostGIS)"
        )
    return url


def _parse_log_level(env: str, raw: str) -> str:
    level = raw.strip().upper()
    if level not in _LOG_LEVELS:
        raise ConfigError(f"{env}: got {raw!r}, expected one of {', '.join(_LOG_LEVELS)}")
    return level


def _parse_finder(env: str, raw: str) -> str:
    mode = raw.strip().lower()
    if mode not in ("memory", "database"):
        raise ConfigError(f"{env}: got {raw!r}, expected memory or database")
    return mode


def _parse_basemap(env: str, raw: str) -> str:
    name = raw.strip().lower()
    if name not in BASEMAPS:
        raise ConfigError(f"{env}: got {raw!r}, expected one of {', '.join(BASEMAPS)}")
    return name


def _parse_switch(env: str, raw: str) -> bool:
    text = raw.strip().lower()
    if text not in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
        raise ConfigError(f"{env}: got {raw!r}, expected true or false (1 or 0)")
    return text in ("1", "true", "yes", "on")


def _parse_storage_url(env: str, raw: str) -> str:
    url = raw.strip()
    if not url.startswith(("memory://", "redis://", "rediss://", "redis+sentinel://")):
        raise ConfigError(
            f"{env}: got {url!r}, expected memory:// (one server process's own counts) or "
            "redis://HOST:PORT such as redis://127.0.0.1:6379 (shared by every process)"
        )
    return url


def _parse_rate_limit(env: str, raw: str) -> str:
    """Limits in Flask-Limiter's notation: ``300 per minute; 10000 per hour``."""
    from limits import parse_many  # Flask-Limiter's own parser, so the two cannot disagree

    text = raw.strip()
    try:
        parse_many(text)
    except ValueError:
        raise ConfigError(
            f"{env}: got {raw!r}, expected limits such as '300 per minute; 10000 per hour'"
        ) from None
    return text


def _parse_path(env: str, raw: str) -> Path:
    return Path(raw.strip()).expanduser()


def _parse_whole_number(low: int, high: int, example: str) -> Callable[[str, str], int]:
    """A parser for a whole number from ``low`` to ``high``; ``example`` says what it counts."""

    def parse(env: str, raw: str) -> int:
        text = raw.strip()
        if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
            raise ConfigError(
                f"{env}: got {raw!r}, expected a whole number from {low} to {high} ({example})"
            )
        return int(text)

    return parse


ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
"""gunicorn's default access log line (the Combined Log Format), and the milliseconds taken."""


def parse_access_log_format(env: str, raw: str) -> str:
    """A gunicorn access log format: ``%(NAME)s`` items such as ``%(h)s`` (the client),
    ``%(r)s`` (the request line), ``%(s)s`` (the status), ``%(M)s`` (milliseconds)."""
    text = raw.strip()
    try:
        text % _AnyAtom()
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"{env}: got {raw!r}, expected a gunicorn access log format "
            f"such as '%(h)s \"%(r)s\" %(s)s %(M)sms' ({exc})"
        ) from None
    if "%(" not in text:
        raise ConfigError(
            f"{env}: got {raw!r}, expected a gunicorn access log format with at least "
            "one %(NAME)s item, such as '%(h)s \"%(r)s\" %(s)s %(M)sms'"
        )
    return text


class _AnyAtom(dict[str, object]):
    """Stands in for gunicorn's log atoms: the durations and the byte count are numbers,
    every other item (headers ``%({name}i)s`` included) is text."""

    def __missing__(self, key: str) -> object:
        return 0 if key in ("T", "D", "M", "B") else "-"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "STATIONMAP_DATABASE_URL",
        "database_url",
        "",
        "Where stations are stored: sqlite:///PATH for SpatiaLite, "
        "postgresql+psycopg://USER@HOST/DB for PostGIS. Empty means the embedded "
        "SpatiaLite file instance/stationmap.sqlite.",
        _parse_database_url,
    ),
    Setting(
        "STATIONMAP_INSTANCE_DIR",
        "instance_dir",
        "instance",
        "Folder for the embedded database and other local state, created on first use.",
        _parse_path,
    ),
    Setting(
        "STATIONMAP_SPATIALITE_PATH",
        "spatialite_path",
        "",
        "Path of the mod_spatialite library, when it is not on the loader's search path.",
        _parse_text,
    ),
    Setting(
        "STATIONMAP_FINDER",
        "finder",
        "memory",
        "How nearest-station queries are answered: memory (an in-memory index in each "
        "worker, kept in step with the store) or database (an SQL query per request).",
        _parse_finder,
    ),
    Setting(
        "STATIONMAP_BASEMAP",
        "basemap",
        "osm",
        "Map background: osm (OpenStreetMap, WGS-84), tianditu (天地图, needs "
        "STATIONMAP_TIANDITU_KEY), amap (高德, GCJ-02: markers are shifted to match) or none.",
        _parse_basemap,
    ),
    Setting(
        "STATIONMAP_TIANDITU_KEY",
        "tianditu_key",
        "",
        "Your 天地图 API key, needed when STATIONMAP_BASEMAP is tianditu.",
        _parse_text,
    ),
    Setting(
        "STATIONMAP_WORKER_TIMEOUT",
        "worker_timeout",
        "60",
        "Seconds a server worker may spend on one request before gunicorn restarts it "
        "(`stationmap serve --timeout` overrides).",
        _parse_whole_number(1, 3600, "seconds"),
    ),
    Setting(
        "STATIONMAP_ACCESS_LOG_FORMAT",
        "access_log_format",
        ACCESS_LOG_FORMAT,
        "The server's access log line, in gunicorn's format (`stationmap serve "
        "--access-log-format` overrides).",
        parse_access_log_format,
    ),
    Setting(
        "STATIONMAP_TRUST_PROXY",
        "trust_proxy",
        "0",
        "How many proxies (nginx) stand in front of the server: their X-Forwarded-For, "
        "-Proto and -Host headers then give the client's address, the scheme and the host. "
        "0 trusts none; set it only when clients cannot reach the server but through them.",
        _parse_whole_number(0, 5, "proxies in front: 0 for none, 1 behind one nginx"),
    ),
    Setting(
        "STATIONMAP_SECRET_KEY",
        "secret_key",
        "",
        "The key that signs session cookies and CSRF tokens. Empty: one is generated on "
        "first start and kept in the instance folder (file secret_key, mode 0600), shared "
        "by every worker there; set it when several machines serve one site.",
        _parse_text,
    ),
    Setting(
        "STATIONMAP_COOKIE_SECURE",
        "cookie_secure",
        "false",
        "Whether the sign-in cookie is sent over HTTPS only: set it to true whenever the "
        "site is served over HTTPS (behind nginx); false lets http://127.0.0.1 sign in.",
        _parse_switch,
    ),
    Setting(
        "STATIONMAP_RATELIMIT_STORAGE_URL",
        "ratelimit_storage_url",
        "memory://",
        "Where sign-in attempts are counted for the rate limits: memory:// counts in each "
        "server process; redis://127.0.0.1:6379 shares the counts among every process "
        "and instance.",
        _parse_storage_url,
    ),
    Setting(
        "STATIONMAP_WRITE_RATE_LIMIT",
        "write_rate_limit",
        "300 per minute; 10000 per hour",
        "How many writes (station creates and changes, uploads, applies) one signed-in user "
        "may make, in Flask-Limiter's notation; past it, 429 rate_limited with Retry-After. "
        "Counted where the sign-in attempts are.",
        _parse_rate_limit,
    ),
    Setting(
        "STATIONMAP_LOG_LEVEL",
        "log_level",
        "INFO",
        "Logging level: DEBUG, INFO, WARNING or ERROR.",
        _parse_log_level,
    ),
)


@dataclass(frozen=True)
class Settings:
    """The parsed settings. Build with :func:`load_settings`, not by hand."""

    database_url: str = ""
    instance_dir: Path = Path("instance")
    spatialite_path: str = ""
    finder: str = "memory"
    basemap: str = "osm"
    tianditu_key: str = ""
    worker_timeout: int = 60
    access_log_format: str = ACCESS_LOG_FORMAT
    trust_proxy: int = 0
    secret_key: str = dataclasses.field(default="", repr=False)
    """Never in a repr (nor so in a log line or a traceback's locals)."""
    cookie_secure: bool = False
    ratelimit_storage_url: str = "memory://"
    write_rate_limit: str = "300 per minute; 10000 per hour"
    log_level: str = "INFO"

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the embedded SpatiaLite file in the instance folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.instance_dir / 'stationmap.sqlite').resolve()}"

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (used by tests and ``create_app(config)``)."""
        return dataclasses.replace(self, **changes)


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Read every setting from ``environ`` (default ``os.environ``), then apply ``overrides``.

    ``overrides`` are keyed by field name (``database_url``) and win over the
    environment; they are how ``create_app(config)`` and tests configure the app.
    """
    environ = os.environ if environ is None else environ
    values = {s.field: s.parse(s.env, environ.get(s.env, s.default)) for s in SETTINGS}
    for field, value in (overrides or {}).items():
        if field not in values:
            known = ", ".join(sorted(values))
            raise ConfigError(f"unknown setting {field!r}; known settings: {known}")
        values[field] = value
    return Settings(**values)


def configure_logging(settings: Settings) -> None:
    """Send stationmap's log to stderr at the configured level."""
    logging.basicConfig(
        level=getattr(logging, settings.log_level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
