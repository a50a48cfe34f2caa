"""The station store: every read and write of stations, unions, batches and audit.

A :class:`Store` wraps one SQLAlchemy engine; its SQL is dialect-neutral and runs
unchanged on SpatiaLite and PostGIS (what differs lives in :mod:`.backend`).
Every write is validated first (:mod:`.validation`), runs in one transaction and
leaves an audit entry saying who changed what.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Float, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..config import Settings
from ..errors import Conflict, InvalidStation, NotFound
from ..identifiers import new_public_id, new_public_ids
from ..regions import RegionIndex, load_regions
from ..types import EDITABLE_FIELDS, AuditEntry, ImportBatch, Station, StationDraft, Union
from ..vocabulary import amenity_mask
from . import migrate
from .backend import create_store_engine, geometry_in_box, point_lonlat
from .feed import ChangeFeed, FeedPosition, current_position, read_changes
from .records import public_values, station_from_row, station_select, station_values
from .schema import audit_entries, import_batches, stations, unions
from .validation import clean_draft, clean_frame

log = logging.getLogger(__name__)

INSERT_CHUNK = 5000


def now() -> datetime:
    """The current time in UTC (one place, so every write agrees on it)."""
    return datetime.now(UTC)


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

    # -- stations ------------------------------------------------------------------

    def add_station(self, draft: StationDraft, actor: str) -> Station:
        """Validate and store a new station; returns it as stored."""
        values = clean_draft(draft, self.regions)
        public_id = draft.public_id or new_public_id()
        with _unique_ids_or_conflict(), self.engine.begin() as conn:
            union_pk = self._union_pk(conn, draft.union_id)
            stamp = now()
            conn.execute(
                _insert_stations(),
                [
                    {
                        **values,
                        "public_id": public_id,
                        "union_id": union_pk,
                        "batch_id": None,
                        "version": 1,
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                ],
            )
            _audit(conn, actor, "create", "station", public_id, None, public_values(values))
        return self.get_station(public_id)

    def update_station(
        self,
        station_id: str,
        changes: dict[str, Any],
        actor: str,
        expected_version: int | None = None,
    ) -> Station:
        """Apply ``changes`` (fields of :data:`EDITABLE_FIELDS`) and audit what changed.

        ``expected_version`` guards against overwriting someone else's edit: when
        given and the stored version differs, :class:`Conflict` is raised.
        """
        unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
        if unknown:
            raise InvalidStation(
                unknown[0],
                changes[unknown[0]],
                f"one of the editable fields {', '.join(EDITABLE_FIELDS)}",
            )
        current = self.get_station(station_id)
        if expected_version is not None and expected_version != current.version:
            raise Conflict(
                f"station {station_id} is at version {current.version}, "
                f"not {expected_version}: reload it and apply your change again"
            )
        before, after = _changed_values(current, changes, self.regions)
        if not after:
            return current
        with self.engine.begin() as conn:
            _update_station_row(conn, current, after)
            _audit(conn, actor, "update", "station", station_id, before, after)
        return self.get_station(station_id)

    def get_station(self, station_id: str) -> Station:
        """One station by public id; :class:`NotFound` when there is none."""
        with self.engine.connect() as conn:
            row = conn.execute(station_select().where(stations.c.public_id == station_id)).first()
        if row is None:
            raise NotFound(f"no station with id {station_id!r}")
        return station_from_row(row)

    def stations_in_box(
        self,
        min_lon: float,
        min_lat: float,
        max_lon: float,
        max_lat: float,
        limit: int | None = None,
    ) -> list[Station]:
        """Stations inside a lon/lat box, found through the spatial index."""
        query = (
            station_select()
            .where(
                geometry_in_box(stations.c.geom, min_lon, min_lat, max_lon, max_lat),
                func.ST_X(stations.c.geom).between(min_lon, max_lon),
                func.ST_Y(stations.c.geom).between(min_lat, max_lat),
            )
            .order_by(stations.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [station_from_row(row) for row in conn.execute(query)]

    def count_stations(self, status: str | None = None) -> int:
        """How many stations are stored (with ``status``, when given)."""
        query = select(func.count()).select_from(stations)
        if status is not None:
            query = query.where(stations.c.status == status)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def iter_stations(self, chunk: int = INSERT_CHUNK) -> Iterator[Station]:
        """Every station, in id order, read in chunks (for exports)."""
        last = 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    station_select()
                    .add_columns(stations.c.id.label("pk"))
                    .where(stations.c.id > last)
                    .order_by(stations.c.id)
                    .limit(chunk)
                ).all()
            yield from (station_from_row(row) for row in rows)
            if len(rows) < chunk:
                return
            last = rows[-1].pk

    def read_stations(self, station_ids: list[str] | None = None) -> list[Station]:
        """Every station (the finder's index is built from this), or those with these ids."""
        if station_ids is None:
            return list(self.iter_stations(chunk=50_000))
        found: list[Station] = []
        with self.engine.connect() as conn:
            for start in range(0, len(station_ids), 1000):
                wanted = station_ids[start : start + 1000]
                rows = conn.execute(station_select().where(stations.c.public_id.in_(wanted)))
                found.extend(station_from_row(row) for row in rows)
        return found

    def changes_since(self, position: FeedPosition) -> ChangeFeed:
        """What was committed after ``position``, exactly once: see :mod:`.feed`."""
        with self.engine.connect() as conn:
            return read_changes(conn, position)

    def feed_position(self) -> FeedPosition:
        """Where a follower starts: take it before reading the stations it starts from."""
        with self.engine.connect() as conn:
            return current_position(conn)

    def source_stations(self, source_name: str) -> list[Station]:
        """The stations last written by imports of the list ``source_name``."""
        batches = (
            select(import_batches.c.id)
            .where(import_batches.c.source_name == source_name, import_batches.c.state == "applied")
            .order_by(import_batches.c.id)
        )
        with self.engine.connect() as conn:
            batch_ids = conn.execute(batches).scalars().all()
            rows = conn.execute(station_select().where(stations.c.batch_id.in_(batch_ids))).all()
        return [station_from_row(r) for r in rows]

    def has_demo_stations(self) -> bool:
        """Whether the synthetic demo set is loaded (pages and API must say so)."""
        query = select(import_batches.c.id).where(
            import_batches.c.source_format == "demo", import_batches.c.state == "applied"
        )
        with self.engine.connect() as conn:
            return conn.execute(query.limit(1)).first() is not None

    # -- bulk loads ----------------------------------------------------------------

    def load_stations(
        self,
        frame: pd.DataFrame,
        *,
        source_name: str,
        source_format: str,
        crs: str,
        actor: str,
        replace_format: str | None = None,
        progress: Any = None,
    ) -> ImportBatch:
        """Add every row of ``frame`` as a new station, all or nothing, as one batch.

        ``frame`` has :class:`StationDraft` columns (``union_id`` holds union public
        ids, ``public_id`` optional). With ``replace_format``, stations from earlier
        batches of that format (e.g. ``"demo"``) are removed in the same transaction.
        """
        values = clean_frame(frame, self.regions)
        given = frame["public_id"] if "public_id" in frame else [None] * len(frame)
        fresh = iter(new_public_ids(len(frame)))
        values["public_id"] = [pid if isinstance(pid, str) else next(fresh) for pid in given]
        with _unique_ids_or_conflict(), self.engine.begin() as conn:
            if replace_format:
                _remove_batches_of_format(conn, replace_format, actor)
            batch = _open_batch(conn, source_name, source_format, crs, actor)
            values["union_id"] = (
                self._union_pks(conn, frame["union_id"]) if "union_id" in frame else None
            )
            _insert_frame(conn, values, batch["id"], progress)
            counts = {"rows": len(frame), "added": len(frame)}
            _finish_batch(conn, batch["id"], counts)
            _audit(
                conn,
                actor,
                "bulk_load",
                "batch",
                batch["public_id"],
                None,
                {"source_name": source_name, "source_format": source_format, **counts},
                batch_id=batch["id"],
            )
        log.info(
            "loaded %d stations from %s as batch %s", len(frame), source_name, batch["public_id"]
        )
        return self.get_batch(batch["public_id"])

    def get_batch(self, batch_id: str) -> ImportBatch:
        """One import batch by public id."""
        query = (
            select(import_batches, unions.c.public_id.label("union_public_id"))
            .select_from(import_batches.outerjoin(unions, import_batches.c.union_id == unions.c.id))
            .where(import_batches.c.public_id == batch_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFound(f"no import batch with id {batch_id!r}")
        values = dict(row._mapping)
        values.pop("id")
        values["union_id"] = values.pop("union_public_id")
        values["id"] = values.pop("public_id")
        return ImportBatch(**values)

    # -- unions --------------------------------------------------------------------

    def add_unions(self, rows: list[dict[str, str]], actor: str) -> list[Union]:
        """Create unions from ``{"name", "jurisdiction"}`` rows (public ids optional)."""
        stamp = now()
        records = [_clean_union(row, stamp) for row in rows]
        with self.engine.begin() as conn:
            if records:
                conn.execute(insert(unions), records)
            for record in records:
                _audit(
                    conn,
                    actor,
                    "create",
                    "union",
                    record["public_id"],
                    None,
                    {"name": record["name"], "jurisdiction": record["jurisdiction"]},
                )
        return [
            Union(
                id=r["public_id"], name=r["name"], jurisdiction=r["jurisdiction"], created_at=stamp
            )
            for r in records
        ]

    def list_unions(self) -> list[Union]:
        """Every union, by jurisdiction."""
        query = select(unions).order_by(unions.c.jurisdiction, unions.c.id)
        with self.engine.connect() as conn:
            return [
                Union(
                    id=r.public_id,
                    name=r.name,
                    jurisdiction=r.jurisdiction,
                    created_at=r.created_at,
                )
                for r in conn.execute(query)
            ]

    def _union_pk(self, conn: Connection, union_id: str | None) -> int | None:
        return self._union_pks(conn, pd.Series([union_id]))[0]

    def _union_pks(self, conn: Connection, union_ids: pd.Series) -> list[int | None]:
        wanted = {u for u in union_ids.dropna().unique()}
        found = (
            dict(
                conn.execute(
                    select(unions.c.public_id, unions.c.id).where(unions.c.public_id.in_(wanted))
                ).all()
            )
            if wanted
            else {}
        )
        missing = sorted(wanted - set(found))
        if missing:
            raise InvalidStation("union_id", missing[0], "the id of an existing union")
        return [found.get(u) if isinstance(u, str) else None for u in union_ids]

    # -- audit ---------------------------------------------------------------------

    def history(self, entity_id: str, entity: str = "station") -> list[AuditEntry]:
        """Every audited change of one station (or union, or batch), oldest first."""
        query = (
            select(audit_entries, import_batches.c.public_id.label("batch_public_id"))
            .select_from(
                audit_entries.outerjoin(
                    import_batches, audit_entries.c.batch_id == import_batches.c.id
                )
            )
            .where(audit_entries.c.entity == entity, audit_entries.c.entity_id == entity_id)
            .order_by(audit_entries.c.id)
        )
        with self.engine.connect() as conn:
            return [_audit_entry(row) for row in conn.execute(query)]

    def last_change_id(self) -> int:
        """The newest audit entry's id: grows with every write (followers use feed_position)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.coalesce(func.max(audit_entries.c.id), 0))).scalar_one()


def open_store(settings: Settings) -> Store:
    """A store on the configured database (the embedded SpatiaLite file by default)."""
    engine = create_store_engine(settings.effective_database_url, settings.spatialite_path)
    return Store(engine)


# -- write helpers (module level: each runs inside a caller's transaction) ---------------


@contextmanager
def _unique_ids_or_conflict() -> Iterator[None]:
    """Turn a clash with a stored public id into :class:`Conflict` (after rollback)."""
    try:
        yield
    except IntegrityError as exc:
        if "public_id" not in str(exc.orig):
            raise
        raise Conflict(
            "a station with that id is already stored; leave the id out to get "
            "a new one, or update the stored station"
        ) from None


def _insert_stations() -> Any:
    return insert(stations).values(
        geom=point_lonlat(bindparam("lon", type_=Float), bindparam("lat", type_=Float))
    )


def frame_records(frame: pd.DataFrame, **constant: Any) -> list[dict[str, Any]]:
    """The frame's rows as dicts with NaN as None, plus ``constant`` columns.

    Built from column lists: pandas' ``to_dict("records")`` boxes every cell and took
    5 s of a 173,000-row import.
    """
    columns = list(frame.columns)
    lists = [[None if v is None or v != v else v for v in frame[c].tolist()] for c in columns]
    return [dict(zip(columns, row, strict=True), **constant) for row in zip(*lists, strict=True)]


def _insert_frame(
    conn: Connection, values: pd.DataFrame, batch_pk: int, progress: Any
) -> list[dict[str, Any]]:
    """Insert the frame's stations; returns the records written."""
    stamp = now()
    records = frame_records(
        values, batch_id=batch_pk, version=1, created_at=stamp, updated_at=stamp
    )
    statement = _insert_stations()
    for start in range(0, len(records), INSERT_CHUNK):
        chunk = records[start : start + INSERT_CHUNK]
        conn.execute(statement, chunk)
        if progress is not None:
            progress(len(chunk))
    return records


def _changed_values(
    current: Station, changes: dict[str, Any], regions: RegionIndex
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of the fields ``changes`` really changes, after validation."""
    merged = {
        f.name: getattr(current, f.name)
        for f in dataclasses.fields(StationDraft)
        if hasattr(current, f.name)
    }
    if "lon" in changes or "lat" in changes:
        merged["adcode"] = None  # the county follows the point unless given
    merged.update(changes)
    merged.pop("union_id", None)
    cleaned = public_values(
        clean_draft(StationDraft(**merged), regions)
        | {"amenity_mask": amenity_mask(merged["amenities"])}
    )
    old = station_values(current)
    after = {k: v for k, v in cleaned.items() if old.get(k) != v}
    return {k: old[k] for k in after}, after


def _update_station_row(conn: Connection, current: Station, after: dict[str, Any]) -> None:
    columns = {k: v for k, v in after.items() if k not in ("lon", "lat", "amenities")}
    if "amenities" in after:
        columns["amenity_mask"] = amenity_mask(after["amenities"])
    if "lon" in after or "lat" in after:
        lon, lat = after.get("lon", current.lon), after.get("lat", current.lat)
        columns["geom"] = point_lonlat(float(lon), float(lat))
    result = conn.execute(
        update(stations)
        .where(stations.c.public_id == current.id, stations.c.version == current.version)
        .values(**columns, version=stations.c.version + 1, updated_at=now())
    )
    if result.rowcount != 1:
        raise Conflict(
            f"station {current.id} was changed by someone else meanwhile: "
            "reload it and apply your change again"
        )


def _open_batch(
    conn: Connection, source_name: str, source_format: str, crs: str, actor: str
) -> dict[str, Any]:
    record = {
        "public_id": new_public_id(),
        "source_name": source_name,
        "source_format": source_format,
        "crs": crs,
        "state": "staged",
        "counts": {},
        "actor": actor,
        "created_at": now(),
    }
    record["id"] = conn.execute(insert(import_batches).values(**record)).inserted_primary_key[0]
    return record


def _finish_batch(conn: Connection, batch_pk: int, counts: dict[str, int]) -> None:
    conn.execute(
        update(import_batches)
        .where(import_batches.c.id == batch_pk)
        .values(state="applied", counts=counts, finished_at=now())
    )


def _remove_batches_of_format(conn: Connection, source_format: str, actor: str) -> None:
    """Delete the stations of every applied batch of ``source_format``; mark it replaced."""
    batches = conn.execute(
        select(import_batches.c.id, import_batches.c.public_id).where(
            import_batches.c.source_format == source_format, import_batches.c.state == "applied"
        )
    )
    for batch_pk, batch_public_id in batches.all():
        removed = conn.execute(delete(stations).where(stations.c.batch_id == batch_pk)).rowcount
        conn.execute(
            update(import_batches).where(import_batches.c.id == batch_pk).values(state="replaced")
        )
        _audit(
            conn,
            actor,
            "delete",
            "batch",
            batch_public_id,
            {"stations": removed},
            None,
            batch_id=batch_pk,
        )
        log.info("removed %d stations of earlier batch %s", removed, batch_public_id)


def _clean_union(row: dict[str, str], stamp: datetime) -> dict[str, Any]:
    jurisdiction = str(row.get("jurisdiction", ""))
    if len(jurisdiction) not in (2, 4, 6) or not jurisdiction.isdigit():
        raise InvalidStation(
            "jurisdiction",
            jurisdiction,
            "an adcode prefix of 2, 4 or 6 digits such as 32 or 320102",
        )
    name = str(row.get("name", "")).strip()
    if not name:
        raise InvalidStation("name", row.get("name"), "the union's name")
    return {
        "public_id": row.get("public_id") or new_public_id(),
        "name": name,
        "jurisdiction": jurisdiction,
        "created_at": stamp,
    }


def _audit(
    conn: Connection,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    batch_id: int | None = None,
) -> None:
    conn.execute(
        insert(audit_entries).values(
            at=now(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            batch_id=batch_id,
            before=before,
            after=after,
        )
    )


def _audit_entry(row: Any) -> AuditEntry:
    changed = tuple((row.after or row.before or {}).keys()) if row.action == "update" else ()
    return AuditEntry(
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        batch_id=row.batch_public_id,
        changed=changed,
    )
