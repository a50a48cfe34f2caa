"""The station store: one engine, the reference layers, and the writes use cases compose.

A :class:`Store` wraps one SQLAlchemy engine; its SQL is dialect-neutral and runs
unchanged on SpatiaLite and PostGIS (what differs lives in :mod:`.backend`). The
writers and readers live in one module per aggregate (:mod:`.stations`,
:mod:`.unions`, :mod:`.batches`, :mod:`.audit`, :mod:`.feed`), each taking a
connection; a use case opens :meth:`Store.transaction` and composes them, so an
import's unions, batch, stations and audit entries commit together or not at all.
The methods here are the common single-step uses of those writers.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import IntegrityError

from ..config import Settings
from ..errors import Conflict, NotFound
from ..regions import RegionIndex, load_regions
from ..types import AuditEntry, ImportBatch, Station, StationDraft, Union
from . import audit, batches, migrate, stations, unions
from .audit import Actor
from .backend import create_store_engine, refresh_statistics
from .feed import ChangeFeed, FeedPosition, current_position, read_changes
from .schema import audit_entries
from .validation import one_station

log = logging.getLogger(__name__)


BULK_WRITE_ROWS = 1000
"""Writes of this many stations or more refresh the planner's statistics after committing."""


class Store:
    """Stations, unions, import batches and the audit trail in one spatial database."""

    def __init__(self, engine: Engine, regions: RegionIndex | None = None) -> None:
        self.engine = engine
        self._regions = regions

    @property
    def regions(self) -> RegionIndex:
        """The reference layers used to check locations (read on first use)."""
        if self._regions is None:
            self._regions = load_regions()
        return self._regions

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def init_schema(self) -> str:
        """Create or upgrade the schema; returns the migration revision reached."""
        return migrate.upgrade_schema(self.engine)

    def schema_is_current(self) -> bool:
        """Whether the database is at the newest migration."""
        return migrate.current_revision(self.engine) == migrate.head_revision()

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction for a use case to compose writers in: all commits, or nothing.

        A clash with a stored public id becomes :class:`Conflict` (after the rollback).
        """
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError as exc:
            if "public_id" not in str(exc.orig):
                raise
            raise Conflict(
                "a station with that id is already stored; leave the id out to get "
                "a new one, or update the stored station"
            ) from None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for readers."""
        with self.engine.connect() as conn:
            yield conn

    # -- stations ------------------------------------------------------------------

    def add_station(self, draft: StationDraft, actor: Actor) -> Station:
        """Validate and store a new station; returns it as stored."""
        frame = pd.DataFrame([dataclasses.asdict(draft)], dtype=object)
        with self.transaction() as conn, one_station():
            values = stations.clean_new(conn, frame, self.regions)
            [public_id] = stations.add(conn, values, actor)
        return self.get_station(public_id)

    def update_station(
        self,
        station_id: str,
        changes: dict[str, Any],
        actor: Actor,
        expected_version: int | None = None,
    ) -> Station:
        """Apply ``changes`` (fields of :data:`EDITABLE_FIELDS`) and audit what changed.

        ``expected_version`` guards against overwriting someone else's edit: when
        given and the stored version differs, :class:`Conflict` is raised.
        """
        stations.check_editable(changes)
        current = self.get_station(station_id)
        if expected_version is not None and expected_version != current.version:
            raise Conflict(
                f"station {station_id} is at version {current.version}, "
                f"not {expected_version}: reload it and apply your change again"
            )
        edit = stations.edit_of(current, changes, self.regions)
        if edit is None:
            return current
        with self.transaction() as conn:
            stations.change(conn, [edit], actor)
        return self.get_station(station_id)

    def get_station(self, station_id: str) -> Station:
        """One station by public id; :class:`NotFound` when there is none."""
        with self.reading() as conn:
            found = stations.get(conn, station_id)
        if found is None:
            raise NotFound(f"no station with id {station_id!r}")
        return found

    def stations_in_box(
        self,
        min_lon: float,
        min_lat: float,
        max_lon: float,
        max_lat: float,
        limit: int | None = None,
    ) -> list[Station]:
        """Stations inside a lon/lat box, found through the spatial index."""
        with self.reading() as conn:
            return stations.in_box(conn, (min_lon, min_lat, max_lon, max_lat), limit)

    def count_stations(self, status: str | None = None) -> int:
        """How many stations are stored (with ``status``, when given)."""
        with self.reading() as conn:
            return stations.count(conn, status)

    def iter_stations(self, chunk: int = stations.INSERT_CHUNK) -> Iterator[Station]:
        """Every station, in table order, read in chunks (for exports)."""
        return stations.iter_chunks(self.engine.connect, chunk)

    def read_stations(self, station_ids: list[str] | None = None) -> list[Station]:
        """Every station (the finder's index is built from this), or those with these ids."""
        if station_ids is None:
            return list(self.iter_stations(chunk=50_000))
        with self.reading() as conn:
            return stations.by_ids(conn, station_ids)

    def source_stations(self, source_name: str) -> list[Station]:
        """The stations last written by imports of the list ``source_name``."""
        with self.reading() as conn:
            return stations.of_batches(conn, batches.applied(conn, source_name=source_name))

    def has_demo_stations(self) -> bool:
        """Whether the synthetic demo set is loaded (pages and API must say so)."""
        with self.reading() as conn:
            return bool(batches.applied(conn, source_format="demo"))

    # -- bulk loads ----------------------------------------------------------------

    def after_bulk_write(self, rows: int) -> None:
        """Refresh the planner's statistics once a write of ``rows`` stations has committed,
        if it was large (:data:`BULK_WRITE_ROWS`): see :func:`.backend.refresh_statistics`."""
        if rows >= BULK_WRITE_ROWS:
            refresh_statistics(self.engine)

    def load_stations(
        self,
        frame: pd.DataFrame,
        *,
        source_name: str,
        source_format: str,
        crs: str,
        actor: Actor,
        replace_format: str | None = None,
        progress: Any = None,
    ) -> ImportBatch:
        """Add every row of ``frame`` as a new station, all or nothing, as one batch.

        ``frame`` has :class:`StationDraft` columns (``union_id`` holds union public
        ids, ``public_id`` optional). With ``replace_format``, stations from earlier
        batches of that format (e.g. ``"demo"``) are removed in the same transaction.
        """
        with self.transaction() as conn:
            batch = load_batch(
                conn,
                self.regions,
                frame,
                source=(source_name, source_format, crs),
                actor=actor,
                replace_format=replace_format,
                progress=progress,
            )
        self.after_bulk_write(len(frame))
        return self.get_batch(batch.public_id)

    def get_batch(self, batch_id: str) -> ImportBatch:
        """One import batch by public id."""
        with self.reading() as conn:
            return batches.get(conn, batch_id)

    # -- unions --------------------------------------------------------------------

    def add_unions(self, rows: list[dict[str, str]], actor: Actor) -> list[Union]:
        """Create unions from ``{"name", "jurisdiction"}`` rows (public ids optional)."""
        with self.transaction() as conn:
            return unions.add(conn, rows, actor)

    def list_unions(self) -> list[Union]:
        """Every union, by jurisdiction."""
        with self.reading() as conn:
            return unions.list_all(conn)

    # -- audit ---------------------------------------------------------------------

    def history(self, entity_id: str, entity: str = "station") -> list[AuditEntry]:
        """Every audited change of one station (or union, or batch), oldest first."""
        with self.reading() as conn:
            return audit.history(conn, entity_id, entity)

    def changes_since(self, position: FeedPosition) -> ChangeFeed:
        """What was committed after ``position``, exactly once: see :mod:`.feed`."""
        with self.reading() as conn:
            return read_changes(conn, position)

    def feed_position(self) -> FeedPosition:
        """Where a follower starts: take it before reading the stations it starts from."""
        with self.reading() as conn:
            return current_position(conn)

    def last_change_id(self) -> int:
        """The newest audit entry's id: grows with every write (followers use feed_position)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.coalesce(func.max(audit_entries.c.id), 0))).scalar_one()


def open_store(settings: Settings) -> Store:
    """A store on the configured database (the embedded SpatiaLite file by default)."""
    engine = create_store_engine(settings.effective_database_url, settings.spatialite_path)
    return Store(engine)


def load_batch(
    conn: Connection,
    regions: RegionIndex,
    frame: pd.DataFrame,
    *,
    source: tuple[str, str, str],
    actor: Actor,
    replace_format: str | None = None,
    progress: Any = None,
) -> batches.BatchRef:
    """Add ``frame``'s rows as one new batch on ``conn``; with ``replace_format``, first
    remove the stations of every applied batch of that format. Returns the batch."""
    source_name, source_format, crs = source
    if replace_format:
        _remove_batches_of_format(conn, replace_format, actor)
    batch = batches.open_batch(conn, source_name, source_format, crs, actor)
    values = stations.clean_new(conn, frame, regions)
    stations.add(conn, values, actor, batch, progress)
    counts = {"rows": len(frame), "added": len(frame)}
    batches.finish(conn, batch, counts, actor, source_name)
    log.info("loaded %d stations from %s as batch %s", len(frame), source_name, batch.public_id)
    return batch


def _remove_batches_of_format(conn: Connection, source_format: str, actor: Actor) -> None:
    for batch in batches.applied(conn, source_format=source_format):
        removed = stations.delete_of_batch(conn, batch, actor)
        batches.mark_replaced(conn, batch, actor, removed)
        log.info("removed %d stations of earlier batch %s", removed, batch.public_id)
