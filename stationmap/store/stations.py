"""Stations: the writers and readers every use case composes, each on a caller's connection.

Writers take an open :class:`Connection` so that a use case (an import, the demo
load, a clerk's edit) can compose several of them in one transaction. There is one
path for each kind of write, whatever its size: :func:`add` adds one station or
173,000, :func:`change` changes one or many (each guarded by the version it read),
and each writes one audit entry per station.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Float, bindparam, delete, func, insert, select, update

from ..errors import Conflict
from ..identifiers import new_public_ids
from ..regions import RegionIndex
from ..station_fields import EDITABLE_FIELDS, audit_view, station_audit_view
from ..types import Station, StationDraft
from .audit import Actor, Change, record
from .backend import geometry_in_box, point_lonlat
from .batches import BatchRef
from .records import station_from_row, station_select
from .schema import now, stations
from .unions import primary_keys
from .validation import clean_draft, clean_frame, invalid

INSERT_CHUNK = 5000
"""Rows per INSERT statement: large enough to be fast, small enough to report progress."""

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Edit:
    """A change to one stored station, as a writer hands it to :func:`change`."""

    public_id: str
    version: int
    """The version the change was made against: if the stored one differs, nothing is written."""
    values: dict[str, Any]
    """New table values (``amenity_mask``, ``lon`` and ``lat`` together for a move, ...)."""
    before: dict[str, Any]
    """The audit view of the changed fields before the change."""
    after: dict[str, Any]
    """The audit view of the changed fields after it."""


# -- writers ---------------------------------------------------------------------------


def clean_new(conn: Connection, frame: pd.DataFrame, regions: RegionIndex) -> pd.DataFrame:
    """Table values for new stations given as :class:`StationDraft` columns.

    Validated at the store boundary (:func:`clean_frame`); ``public_id`` is kept where
    given and drawn where not; ``union_id`` (public ids) becomes the union's table key.
    """
    values = clean_frame(frame.reset_index(drop=True), regions)
    given = frame["public_id"].tolist() if "public_id" in frame else [None] * len(frame)
    fresh = iter(new_public_ids(len(frame)))
    values["public_id"] = [pid if isinstance(pid, str) else next(fresh) for pid in given]
    union_ids = frame["union_id"].tolist() if "union_id" in frame else [None] * len(frame)
    values["union_id"] = primary_keys(conn, union_ids)
    return values


def add(
    conn: Connection,
    values: pd.DataFrame,
    actor: Actor,
    batch: BatchRef | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """Insert stations from :func:`clean_new` values, audit each; returns their public ids."""
    stamp = now()
    records = frame_records(
        values,
        batch_id=batch.pk if batch else None,
        version=1,
        created_at=stamp,
        updated_at=stamp,
    )
    statement = insert(stations).values(
        geom=point_lonlat(bindparam("lon", type_=Float), bindparam("lat", type_=Float))
    )
    for start in range(0, len(records), INSERT_CHUNK):
        chunk = records[start : start + INSERT_CHUNK]
        conn.execute(statement, chunk)
        record(conn, actor, [_created(r) for r in chunk], batch.pk if batch else None)
        if progress is not None:
            progress(len(chunk))
    return [r["public_id"] for r in records]


def change(
    conn: Connection, edits: Iterable[Edit], actor: Actor, batch: BatchRef | None = None
) -> None:
    """Apply ``edits``, audit each; :class:`Conflict` (nothing written) if any version is stale.

    Edits that change the same columns go to the database as one statement.
    """
    groups: dict[tuple[str, ...], list[Edit]] = {}
    for edit in edits:
        groups.setdefault(tuple(sorted(edit.values)), []).append(edit)
    stamp = now()
    for columns, group in groups.items():
        _update_group(conn, columns, group, stamp, batch)
        changes = [Change("update", "station", e.public_id, e.before, e.after) for e in group]
        record(conn, actor, changes, batch.pk if batch else None)


def delete_of_batch(conn: Connection, batch: BatchRef, actor: Actor) -> int:
    """Delete the stations a batch last wrote, each audited with what it held; how many."""
    gone = [station_from_row(r) for r in conn.execute(station_select().where(_in_batch(batch)))]
    conn.execute(delete(stations).where(stations.c.batch_id == batch.pk))
    record(
        conn,
        actor,
        [Change("delete", "station", s.id, before=station_audit_view(s)) for s in gone],
        batch.pk,
    )
    return len(gone)


def frame_records(frame: pd.DataFrame, **constant: Any) -> list[dict[str, Any]]:
    """The frame's rows as dicts with NaN as None, plus ``constant`` columns.

    Built from column lists: pandas' ``to_dict("records")`` boxes every cell and took
    5 s of a 173,000-row import.
    """
    columns = list(frame.columns)
    lists = [[None if v is None or v != v else v for v in frame[c].tolist()] for c in columns]
    return [dict(zip(columns, row, strict=True), **constant) for row in zip(*lists, strict=True)]


def _created(values: dict[str, Any]) -> Change:
    return Change("create", "station", values["public_id"], after=audit_view(values))


def _update_group(
    conn: Connection,
    columns: tuple[str, ...],
    group: list[Edit],
    stamp: Any,
    batch: BatchRef | None,
) -> None:
    plain = [c for c in columns if c not in ("lon", "lat")]
    moves = "lon" in columns
    statement = (
        update(stations)
        .where(
            stations.c.public_id == bindparam("b_public_id"),
            stations.c.version == bindparam("b_version"),
        )
        .values(
            **{c: bindparam(c) for c in plain},
            **({"geom": point_lonlat(bindparam("b_lon"), bindparam("b_lat"))} if moves else {}),
            **({"batch_id": batch.pk} if batch else {}),
            version=stations.c.version + 1,
            updated_at=stamp,
        )
    )
    rows = [
        {
            **{c: e.values[c] for c in plain},
            **({"b_lon": e.values["lon"], "b_lat": e.values["lat"]} if moves else {}),
            "b_public_id": e.public_id,
            "b_version": e.version,
        }
        for e in group
    ]
    if conn.execute(statement, rows).rowcount != len(rows):
        raise Conflict(
            "a station was changed by someone else meanwhile; nothing was written: "
            "reload it and apply your change again"
        )


def check_editable(changes: dict[str, Any]) -> None:
    """Refuse (InvalidStation) any change of a field writers may not set."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise invalid(
            unknown[0],
            changes[unknown[0]],
            f"one of the editable fields {', '.join(EDITABLE_FIELDS)}",
        )


def edit_of(current: Station, changes: dict[str, Any], regions: RegionIndex) -> Edit | None:
    """The :class:`Edit` that ``changes`` make to ``current``, after validation;
    None when nothing really changes."""
    merged = {
        f.name: getattr(current, f.name)
        for f in dataclasses.fields(StationDraft)
        if hasattr(current, f.name)
    }
    if "lon" in changes or "lat" in changes:
        merged["adcode"] = None  # the county follows the point unless given
    merged.update(changes)
    merged.pop("union_id", None)
    cleaned = clean_draft(StationDraft(**merged), regions)
    old = station_audit_view(current)
    after = {k: v for k, v in audit_view(cleaned).items() if old.get(k) != v}
    if not after:
        return None
    columns = {k: cleaned[k] for k in after if k not in ("lon", "lat", "amenities")}
    if "amenities" in after:
        columns["amenity_mask"] = cleaned["amenity_mask"]
    if "lon" in after or "lat" in after:
        columns |= {"lon": cleaned["lon"], "lat": cleaned["lat"]}
    before = {k: old[k] for k in after}
    return Edit(current.id, current.version, columns, before, after)


# -- readers ---------------------------------------------------------------------------


def get(conn: Connection, public_id: str) -> Station | None:
    """One station by public id, or None."""
    row = conn.execute(station_select().where(stations.c.public_id == public_id)).first()
    return None if row is None else station_from_row(row)


def by_ids(conn: Connection, public_ids: list[str]) -> list[Station]:
    """The stored stations among ``public_ids`` (missing ones are left out)."""
    found: list[Station] = []
    for start in range(0, len(public_ids), 1000):
        wanted = public_ids[start : start + 1000]
        rows = conn.execute(station_select().where(stations.c.public_id.in_(wanted)))
        found.extend(station_from_row(row) for row in rows)
    return found


def in_box(conn: Connection, box: Box, limit: int | None = None) -> list[Station]:
    """Stations inside a lon/lat box, found through the spatial index, in table order."""
    query = station_select().where(_in_box(box)).order_by(stations.c.id).limit(limit)
    return [station_from_row(row) for row in conn.execute(query)]


def in_boxes_or_keyed(conn: Connection, boxes: list[Box], keys: list[str]) -> list[Station]:
    """Stations inside any of ``boxes`` or whose source key is one of ``keys`` (each once)."""
    found: dict[str, Station] = {}
    for box in boxes:
        found.update((s.id, s) for s in in_box(conn, box))
    for start in range(0, len(keys), 1000):
        query = station_select().where(stations.c.source_key.in_(keys[start : start + 1000]))
        found.update((s.id, s) for s in map(station_from_row, conn.execute(query)))
    return list(found.values())


def of_batches(conn: Connection, batches: list[BatchRef]) -> list[Station]:
    """The stations these batches last wrote."""
    pks = [b.pk for b in batches]
    return [
        station_from_row(r)
        for r in conn.execute(station_select().where(stations.c.batch_id.in_(pks)))
    ]


def count(conn: Connection, status: str | None = None) -> int:
    """How many stations are stored (with ``status``, when given)."""
    query = select(func.count()).select_from(stations)
    if status is not None:
        query = query.where(stations.c.status == status)
    return conn.execute(query).scalar_one()


def chunk_after(conn: Connection, last_pk: int, size: int) -> tuple[list[Station], int | None]:
    """Up to ``size`` stations after table key ``last_pk``, and the key to continue from."""
    query = (
        station_select()
        .add_columns(stations.c.id.label("pk"))
        .where(stations.c.id > last_pk)
        .order_by(stations.c.id)
        .limit(size)
    )
    rows = conn.execute(query).all()
    following = rows[-1].pk if len(rows) == size else None
    return [station_from_row(row) for row in rows], following


def iter_chunks(connect: Callable[[], Any], size: int) -> Iterator[Station]:
    """Every station in table order, each chunk read on a fresh connection from ``connect``."""
    last: int | None = 0
    while last is not None:
        with connect() as conn:
            chunk, last = chunk_after(conn, last, size)
        yield from chunk


def _in_batch(batch: BatchRef) -> Any:
    return stations.c.batch_id == batch.pk


def _in_box(box: Box) -> Any:
    min_lon, min_lat, max_lon, max_lat = box
    return (
        geometry_in_box(stations.c.geom, min_lon, min_lat, max_lon, max_lat)
        & func.ST_X(stations.c.geom).between(min_lon, max_lon)
        & func.ST_Y(stations.c.geom).between(min_lat, max_lat)
    )
