"""Writing an import plan: one transaction for the unions, the batch, every station and
every audit entry, so a failed or killed import leaves the store exactly as it was.

Additions and updated records pass the same store-boundary validation as every other
write; updates and closures are guarded by the version read when planning, so a
station someone changed meanwhile makes the whole import refuse (nothing written).
"""

from __future__ import annotations

from ..station_fields import UPDATED_COLUMNS
from ..store import Store, batches, stations, unions
from ..store.validation import clean_frame
from ..types import ImportBatch
from .plan import ImportPlan


def apply_import(store: Store, plan: ImportPlan) -> ImportBatch:
    """Write ``plan`` in one transaction and return the batch it became."""
    with store.transaction() as conn:
        unions.add(conn, plan.new_unions, plan.actor)
        batch = batches.open_batch(conn, plan.source_name, plan.source_format, plan.crs, plan.actor)
        if len(plan.additions):
            values = stations.clean_new(conn, plan.additions, store.regions)
            stations.add(conn, values, plan.actor, batch)
        stations.change(conn, _updates(store, plan), plan.actor, batch)
        stations.change(conn, _closures(plan), plan.actor, batch)
        batches.finish(conn, batch, plan.counts, plan.actor, plan.source_name)
    store.after_bulk_write(len(plan.additions) + len(plan.updates) + len(plan.closures))
    return store.get_batch(batch.public_id)


def _updates(store: Store, plan: ImportPlan) -> list[stations.Edit]:
    if not len(plan.updates):
        return []
    values = clean_frame(plan.updates.reset_index(drop=True), store.regions)
    records = stations.frame_records(values[[*UPDATED_COLUMNS, "lon", "lat"]])
    return [
        stations.Edit(
            public_id,
            int(version),
            record,
            {k: v[0] for k, v in change.items()},
            {k: v[1] for k, v in change.items()},
        )
        for public_id, version, record, change in zip(
            plan.updates["public_id"], plan.updates["version"], records, plan.changed, strict=True
        )
    ]


def _closures(plan: ImportPlan) -> list[stations.Edit]:
    return [
        stations.Edit(
            c.station_id,
            c.version,
            {"status": "closed"},
            {"status": c.status},
            {"status": "closed"},
        )
        for c in plan.closures
    ]
