"""Putting the synthetic national set into a store, with one union per county."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Connection

from ..regions import RegionIndex
from ..store import Store, load_batch, unions
from ..types import ImportBatch
from . import generate_demo_stations

log = logging.getLogger(__name__)

DEMO_COUNT = 173_000


def load_demo(
    store: Store,
    *,
    count: int = DEMO_COUNT,
    seed: int = 1,
    actor: str = "load-demo",
    progress: Callable[[int], object] | None = None,
) -> ImportBatch:
    """Generate the demo set and load it, its county unions included, in one transaction
    that also removes any earlier demo set."""
    frame = generate_demo_stations(count=count, seed=seed)
    with store.transaction() as conn:
        union_ids = _county_unions(conn, store.regions, sorted(frame["adcode"].unique()), actor)
        batch = load_batch(
            conn,
            store.regions,
            frame.assign(union_id=frame["adcode"].map(union_ids)),
            source=(f"demo (seed {seed}, {count} stations)", "demo", "wgs84"),
            actor=actor,
            replace_format="demo",
            progress=progress,
        )
    store.after_bulk_write(len(frame))
    return store.get_batch(batch.public_id)


def _county_unions(
    conn: Connection, regions: RegionIndex, adcodes: list[str], actor: str
) -> dict[str, str]:
    """The public id of each county's union (张家港市总工会), created when missing."""
    existing = {u.jurisdiction: u.id for u in unions.list_all(conn)}
    missing = [code for code in adcodes if code not in existing]
    rows = [
        {"name": unions.county_union_name(regions, code), "jurisdiction": code} for code in missing
    ]
    created = unions.add(conn, rows, actor)
    if created:
        log.info("created %d county unions for the demo set", len(created))
    return existing | {u.jurisdiction: u.id for u in created}
