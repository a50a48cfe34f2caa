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


def _parse_path(env: str, raw: str) -> Path:
    return Path(raw.strip()).expanduser()


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
