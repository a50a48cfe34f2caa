"""The one seam between stationmap and its two databases.

SpatiaLite (``sqlite:///PATH``) is the embedded default; PostGIS
(``postgresql+psycopg://...``) is production. Everything that differs between
them lives here: how the engine is made and the spatial extension loaded, how
the spatial metadata is prepared, and the few SQL constructs whose spelling
differs (compiled per dialect). Query code elsewhere is dialect-neutral.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Boolean, Engine, Float, Text, create_engine, event, literal, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..errors import ConfigError, DatabaseUnavailable

log = logging.getLogger(__name__)

SPATIALITE_CANDIDATES = (
    "mod_spatialite",
    "mod_spatialite.so",
    "/usr/lib/x86_64-linux-gnu/mod_spatialite.so",
    "/usr/lib/aarch64-linux-gnu/mod_spatialite.so",
    "/opt/homebrew/lib/mod_spatialite.dylib",
    "/usr/local/lib/mod_spatialite.dylib",
)

SPATIALITE_HELP = (
    "install SpatiaLite (Debian/Ubuntu: sudo apt-get install libsqlite3-mod-spatialite; "
    "macOS: brew install libspatialite) or set STATIONMAP_SPATIALITE_PATH to the "
    "mod_spatialite library"
)


def create_store_engine(url: str, spatialite_path: str = "") -> Engine:
    """An engine for ``url`` with the spatial extension ready on every connection."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise ConfigError(f"STATIONMAP_DATABASE_URL: got {url!r}, which is not a URL") from exc
    if backend == "sqlite":
        return _spatialite_engine(url, spatialite_path)
    if backend == "postgresql":
        return create_engine(url, pool_recycle=1800)
    raise ConfigError(
        f"STATIONMAP_DATABASE_URL: got a {backend!r} URL, expected sqlite:///PATH "
        "(SpatiaLite) or postgresql+psycopg://... (PostGIS)"
    )


def sqlite_module() -> ModuleType:
    """A DB-API sqlite module that can load extensions.

    Many Python builds (pyenv's default, several macOS Pythons) compile ``sqlite3``
    without extension loading; ``pysqlite3-binary`` ships one that has it.
    """
    import sqlite3

    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    try:
        return importlib.import_module("pysqlite3.dbapi2")
    except ImportError:
        raise DatabaseUnavailable(
            "this Python's sqlite3 cannot load extensions, so SpatiaLite cannot be used; "
            "run `pip install pysqlite3-binary` (Linux x86-64), or use a Python built with "
            "--enable-loadable-sqlite-extensions (Debian's /usr/bin/python3 is), or point "
            "STATIONMAP_DATABASE_URL at PostGIS"
        ) from None


def _spatialite_engine(url: str, spatialite_path: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        module=sqlite_module(),
        connect_args={"check_same_thread": False, "timeout": 30},
    )
    event.listen(engine, "connect", partial(_on_sqlite_connect, spatialite_path))
    return engine


def _on_sqlite_connect(spatialite_path: str, dbapi_connection: Any, _record: Any) -> None:
    _load_spatialite(dbapi_connection, spatialite_path)
    for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL"):
        dbapi_connection.execute(f"PRAGMA {pragma}")


def _load_spatialite(dbapi_connection: Any, spatialite_path: str) -> None:
    """Load mod_spatialite into one raw connection.

    A configured path is the only one tried (a wrong setting must not be hidden by a
    library found elsewhere); otherwise the usual names and places are tried in turn.
    """
    candidates = [spatialite_path] if spatialite_path else list(SPATIALITE_CANDIDATES)
    dbapi_connection.enable_load_extension(True)
    errors = []
    try:
        for candidate in candidates:
            try:
                dbapi_connection.load_extension(candidate)
                return
            except Exception as exc:  # each DB-API module has its own error class
                errors.append(f"{candidate}: {exc}")
    finally:
        dbapi_connection.enable_load_extension(False)
    log.debug("mod_spatialite not loaded: %s", "; ".join(errors))
    if spatialite_path:
        raise DatabaseUnavailable(
            f"STATIONMAP_SPATIALITE_PATH: could not load {spatialite_path!r} as the SpatiaLite "
            "extension; point it at mod_spatialite.so (.dylib on macOS) or unset it"
        )
    raise DatabaseUnavailable(f"could not load the SpatiaLite extension; {SPATIALITE_HELP}")


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for schema migrations.

    SQLite changes a table's constraints only by copying it; while stations point at the
    table, the copy's drop of the original breaks their foreign keys for a moment. As
    SQLite's documentation prescribes, the checks are off during the migration (the
    pragma only takes effect outside a transaction), every key is checked before the
    commit, and the checks are back on before the connection returns to the pool.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    _check_foreign_keys(connection)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                connection.commit()


def _check_foreign_keys(connection: Connection) -> None:
    """Raise if a migration left one of our tables pointing at a missing row (SpatiaLite's
    own metadata tables are its business: dropping a geometry table leaves them dangling)."""
    ours = {"unions", "import_batches", "stations", "audit_entries", "users", "api_tokens"}
    ours |= {"import_uploads", "write_receipts", "user_sessions"}
    present = {
        name
        for (name,) in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    }
    broken = [
        row
        for table in sorted(ours & present)  # our own names, never user input
        for row in connection.exec_driver_sql(f"PRAGMA foreign_key_check({table})").all()
    ]
    if broken:
        raise RuntimeError(f"a migration left {len(broken)} broken foreign keys: {broken[:3]}")


def prepare_spatial(connection: Connection) -> None:
    """Make the database spatial: SpatiaLite metadata tables, or the PostGIS extension."""
    if connection.dialect.name == "sqlite":
        has_metadata = connection.execute(
            text("SELECT 1 FROM sqlite_master WHERE name = 'spatial_ref_sys'")
        ).first()
        if not has_metadata:
            connection.execute(text("SELECT InitSpatialMetaData(1, 'WGS84')"))
    else:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))


def spatial_index_is_used(connection: Connection, sql: str, params: dict[str, Any]) -> bool:
    """Whether the database's plan for ``sql`` reads the stations' spatial index."""
    if connection.dialect.name == "sqlite":
        plan = connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"), params).all()
        return any("idx_stations_geom" in str(row[-1]) for row in plan)
    plan = connection.execute(text(f"EXPLAIN {sql}"), params).scalars().all()
    return any("idx_stations_geom" in line for line in plan)


class point_lonlat(FunctionElement):
    """A WGS-84 point geometry from longitude and latitude expressions."""

    type = Geometry("POINT", srid=4326)
    inherit_cache = True
    name = "point_lonlat"


@compiles(point_lonlat)
def _point_lonlat_postgis(element: point_lonlat, compiler: Any, **kw: Any) -> str:
    return f"ST_SetSRID(ST_MakePoint({compiler.process(element.clauses, **kw)}), 4326)"


@compiles(point_lonlat, "sqlite")
def _point_lonlat_spatialite(element: point_lonlat, compiler: Any, **kw: Any) -> str:
    return f"MakePoint({compiler.process(element.clauses, **kw)}, 4326)"


class geometry_in_box(FunctionElement):
    """True where a table's geometry column falls in a lon/lat box, through its index.

    Arguments: the geometry column, then min lon, min lat, max lon, max lat.
    """

    type = Boolean()
    inherit_cache = True
    name = "geometry_in_box"

    def __init__(self, column: Any, *box: float) -> None:
        super().__init__(column, *(literal(float(v)) for v in box))


@compiles(geometry_in_box)
def _in_box_postgis(element: geometry_in_box, compiler: Any, **kw: Any) -> str:
    geom, *box = (compiler.process(c, **kw) for c in element.clauses)
    return f"({geom} && ST_MakeEnvelope({', '.join(box)}, 4326))"


@compiles(geometry_in_box, "sqlite")
def _in_box_spatialite(element: geometry_in_box, compiler: Any, **kw: Any) -> str:
    column = element.clauses.clauses[0]
    table = column.table
    pk = compiler.process(table.c.id, **kw)
    x0, y0, x1, y1 = (compiler.process(c, **kw) for c in element.clauses.clauses[1:])
    return (
        f"({pk} IN (SELECT pkid FROM idx_{table.name}_{column.name} "
        f"WHERE xmax >= {x0} AND xmin <= {x1} AND ymax >= {y0} AND ymin <= {y1}))"
    )


class geodesic_distance(FunctionElement):
    """Metres on the WGS-84 ellipsoid from a geometry column to a lon/lat point."""

    type = Float()
    inherit_cache = True
    name = "geodesic_distance"

    def __init__(self, column: Any, lon: float, lat: float) -> None:
        super().__init__(column, literal(float(lon)), literal(float(lat)))


@compiles(geodesic_distance)
def _geodesic_postgis(element: geodesic_distance, compiler: Any, **kw: Any) -> str:
    geom, lon, lat = (compiler.process(c, **kw) for c in element.clauses)
    point = f"ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography"
    return f"ST_Distance({geom}::geography, {point}, true)"


@compiles(geodesic_distance, "sqlite")
def _geodesic_spatialite(element: geodesic_distance, compiler: Any, **kw: Any) -> str:
    geom, lon, lat = (compiler.process(c, **kw) for c in element.clauses)
    return f"ST_Distance({geom}, MakePoint({lon}, {lat}, 4326), 1)"


class nearest_first(FunctionElement):
    """An ORDER BY key that puts the stations nearest a lon/lat point first.

    PostGIS: the geography KNN operator (sphere distance, served by the geography
    GiST index). SpatiaLite has no KNN operator, so it orders by the ellipsoidal
    distance itself (a full scan: fine for small stores, which is what it serves).
    Either way the key is within 0.5% of the geodesic; callers settle exact order.
    """

    type = Float()
    inherit_cache = True
    name = "nearest_first"

    def __init__(self, column: Any, lon: float, lat: float) -> None:
        super().__init__(column, literal(float(lon)), literal(float(lat)))


@compiles(nearest_first)
def _nearest_first_postgis(element: nearest_first, compiler: Any, **kw: Any) -> str:
    geom, lon, lat = (compiler.process(c, **kw) for c in element.clauses)
    return f"({geom}::geography <-> ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography)"


@compiles(nearest_first, "sqlite")
def _nearest_first_spatialite(element: nearest_first, compiler: Any, **kw: Any) -> str:
    geom, lon, lat = (compiler.process(c, **kw) for c in element.clauses)
    return f"ST_Distance({geom}, MakePoint({lon}, {lat}, 4326), 1)"


def create_knn_index(connection: Connection) -> None:
    """The index :class:`nearest_first` needs: a geography GiST index on PostGIS."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "CREATE INDEX IF NOT EXISTS idx_stations_geog ON stations "
                "USING gist ((geom::geography))"
            )
        )


def drop_knn_index(connection: Connection) -> None:
    """Undo :func:`create_knn_index`."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP INDEX IF EXISTS idx_stations_geog"))


STATISTICS_TABLES = ("stations", "audit_entries")
"""The tables a bulk write fills, whose planner statistics it leaves stale."""


def refresh_statistics(engine: Engine) -> None:
    """Give the query planner fresh statistics on the tables a bulk write just filled.

    After ``load-demo`` PostGIS had none (autovacuum analyses a minute or more later),
    and a filtered database-mode query took 253 ms instead of 4.2 ms until ``ANALYZE``.
    Run after the write commits. PostGIS samples each table (about 0.5 s for the
    national set); SQLite's ``ANALYZE`` fills ``sqlite_stat1`` for its planner.
    """
    with engine.begin() as conn:
        for table in STATISTICS_TABLES:  # our own names, never user input
            conn.execute(text(f"ANALYZE {table}"))


class feed_key(FunctionElement):
    """The number the change feed compares with a snapshot, for each audit entry.

    Arguments: the audit table's ``tx`` and ``id`` columns. PostgreSQL: ``tx``, the
    transaction that wrote the entry (ids are drawn before commit, so they say
    nothing about visibility). SQLite: ``id``, because its writers take turns under
    one lock and draw ids while holding it, so id order is commit order there.
    """

    type = BigInteger()
    inherit_cache = True
    name = "feed_key"


@compiles(feed_key)
def _feed_key_postgres(element: feed_key, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses.clauses[0], **kw)


@compiles(feed_key, "sqlite")
def _feed_key_sqlite(element: feed_key, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses.clauses[1], **kw)


class audit_snapshot(FunctionElement):
    """Which audit entries the running statement sees, as text ``xmin:xmax:running,...``.

    PostgreSQL: the statement's own snapshot (``pg_current_snapshot()``), whose
    numbers are transaction ids, like :class:`feed_key`. SQLite: the next audit id
    as both xmin and xmax, with nothing running (a statement sees only whole commits,
    and every later commit draws higher ids).
    """

    type = Text()
    inherit_cache = True
    name = "audit_snapshot"


@compiles(audit_snapshot)
def _audit_snapshot_postgres(element: audit_snapshot, compiler: Any, **kw: Any) -> str:
    return "pg_current_snapshot()::text"


@compiles(audit_snapshot, "sqlite")
def _audit_snapshot_sqlite(element: audit_snapshot, compiler: Any, **kw: Any) -> str:
    return (
        "(SELECT next || ':' || next || ':' "
        "FROM (SELECT coalesce(max(id), 0) + 1 AS next FROM audit_entries) AS newest)"
    )


def record_writing_transaction(connection: Connection) -> None:
    """Make PostgreSQL fill ``audit_entries.tx`` with the writing transaction's id.

    SQLite needs no such column filled (see :class:`feed_key`); it stays NULL there.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "ALTER TABLE audit_entries ALTER COLUMN tx "
                "SET DEFAULT (pg_current_xact_id()::text::bigint)"
            )
        )


def lock_station_writes(conn: Connection) -> None:
    """Hold every other writer of stations and unions off until ``conn``'s transaction
    ends, so what it read stays what it writes over (readers are not held).

    PostgreSQL: a SHARE ROW EXCLUSIVE lock on both tables. SQLite: nothing more, as long
    as the transaction has written already: its writers take turns under one lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE stations, unions IN SHARE ROW EXCLUSIVE MODE"))
