"""Applying an import plan to the store: one transaction, every change audited.

The importing package decides what to add, update and close; this module writes
it. Additions and updated records pass the same store-boundary validation as any
write (:func:`clean_frame`), updates are guarded by each station's version, and
the whole batch commits or nothing does: a killed import leaves the store as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, bindparam, insert, update

from ..errors import Conflict
from ..identifiers import new_public_ids
from ..types import STATION_DATA_FIELDS, ImportBatch
from ..vocabulary import amenities_from_mask
from .backend import point_lonlat
from .schema import audit_entries, stations
from .store import Store, _audit, _finish_batch, _insert_frame, _open_batch, frame_records, now
from .validation import clean_frame

UPDATED_COLUMNS = tuple(
    "amenity_mask" if f == "amenities" else f
    for f in STATION_DATA_FIELDS
    if f not in ("lon", "lat")
)
"""Columns an import rewrites on a changed station (its position goes through ``geom``)."""


@dataclass
class ImportPlan:
    """What an import will write."""

    source_name: str
    source_format: str
    crs: str
    actor: str
    additions: pd.DataFrame
    """New stations: :class:`StationDraft` columns plus ``union_id`` (public id)."""
    updates: pd.DataFrame
    """Whole new records of changed stations, with ``public_id`` and ``version``."""
    changed: list[dict[str, tuple[Any, Any]]] = field(default_factory=list)
    """Per update row: field → (before, after), for the audit trail."""
    closures: list[tuple[str, int]] = field(default_factory=list)
    """(public id, version) of stations to mark closed."""
    counts: dict[str, int] = field(default_factory=dict)
    matched_ids: list[str] = field(default_factory=list)
    """Stored stations the file listed (changed or not); the rest may be closed."""


def apply_import(store: Store, plan: ImportPlan) -> ImportBatch:
    """Write the plan in one transaction and return the batch it became."""
    additions = _clean(store, plan.additions)
    updated = _clean(store, plan.updates)
    with store.engine.begin() as conn:
        batch = _open_batch(conn, plan.source_name, plan.source_format, plan.crs, plan.actor)
        if len(additions):
            _add(store, conn, plan, additions, batch["id"])
        if len(updated):
            _update(conn, plan, updated, batch["id"])
        for public_id, version in plan.closures:
            _close(conn, plan.actor, public_id, version, batch["id"])
        _finish_batch(conn, batch["id"], plan.counts)
        _audit(
            conn,
            plan.actor,
            "bulk_load",
            "batch",
            batch["public_id"],
            None,
            {"source_name": plan.source_name, **plan.counts},
            batch["id"],
        )
    return store.get_batch(batch["public_id"])


def _clean(store: Store, frame: pd.DataFrame) -> pd.DataFrame:
    if not len(frame):
        return frame
    values = clean_frame(frame.reset_index(drop=True), store.regions)
    for column in ("public_id", "union_id", "version"):
        if column in frame:
            values[column] = frame[column].to_numpy()
    return values


def _add(
    store: Store, conn: Connection, plan: ImportPlan, values: pd.DataFrame, batch_pk: int
) -> None:
    values = values.copy()
    if "public_id" not in values or values["public_id"].isna().any():
        values["public_id"] = new_public_ids(len(values))
    values["union_id"] = (
        store._union_pks(conn, values["union_id"]) if "union_id" in values else None
    )
    values = values.drop(columns=["version"], errors="ignore")
    records = _insert_frame(conn, values, batch_pk, None)
    audits = [{"public_id": row["public_id"], "after": _audit_view(row)} for row in records]
    _audit_many(conn, plan.actor, "create", audits, batch_pk)


def _update(conn: Connection, plan: ImportPlan, values: pd.DataFrame, batch_pk: int) -> None:
    stamp = now()
    records = [
        {
            **{c: row[c] for c in UPDATED_COLUMNS},
            "b_public_id": row["public_id"],
            "b_version": int(row["version"]),
            "b_lon": row["lon"],
            "b_lat": row["lat"],
            "b_batch": batch_pk,
            "b_stamp": stamp,
        }
        for row in frame_records(values)
    ]
    statement = (
        update(stations)
        .where(
            stations.c.public_id == bindparam("b_public_id"),
            stations.c.version == bindparam("b_version"),
        )
        .values(
            **{c: bindparam(c) for c in UPDATED_COLUMNS},
            geom=point_lonlat(bindparam("b_lon"), bindparam("b_lat")),
            batch_id=bindparam("b_batch"),
            version=stations.c.version + 1,
            updated_at=bindparam("b_stamp"),
        )
    )
    result = conn.execute(statement, records)
    if result.rowcount != len(records):
        raise Conflict(
            "some stations were changed by someone else during the import; "
            "nothing was written: import the file again"
        )
    audits = [
        {
            "public_id": pid,
            "before": {k: v[0] for k, v in change.items()},
            "after": {k: v[1] for k, v in change.items()},
        }
        for pid, change in zip(values["public_id"], plan.changed, strict=True)
    ]
    _audit_many(conn, plan.actor, "update", audits, batch_pk)


def _close(conn: Connection, actor: str, public_id: str, version: int, batch_pk: int) -> None:
    result = conn.execute(
        update(stations)
        .where(stations.c.public_id == public_id, stations.c.version == version)
        .values(
            status="closed", version=stations.c.version + 1, updated_at=now(), batch_id=batch_pk
        )
    )
    if result.rowcount != 1:
        raise Conflict(f"station {public_id} changed during the import; nothing was written")
    _audit(
        conn,
        actor,
        "update",
        "station",
        public_id,
        {"status": "active"},
        {"status": "closed"},
        batch_pk,
    )


def _audit_view(row: dict[str, Any]) -> dict[str, Any]:
    view = {
        k: row[k]
        for k in (
            "name",
            "kind",
            "address",
            "adcode",
            "lon",
            "lat",
            "opening_hours",
            "phone",
            "status",
            "source_key",
        )
        if k in row
    }
    view["amenities"] = list(amenities_from_mask(int(row["amenity_mask"])))
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in view.items()}


def _audit_many(
    conn: Connection, actor: str, action: str, entries: list[dict[str, Any]], batch_pk: int
) -> None:
    if not entries:
        return
    stamp = now()
    conn.execute(
        insert(audit_entries),
        [
            {
                "at": stamp,
                "actor": actor,
                "action": action,
                "entity": "station",
                "entity_id": e["public_id"],
                "batch_id": batch_pk,
                "before": e.get("before"),
                "after": e.get("after"),
            }
            for e in entries
        ],
    )
