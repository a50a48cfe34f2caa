"""Putting the synthetic national set into a store, with one union per county."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..store import Store
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
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Generate the demo set and load it, replacing any earlier demo set in one transaction."""
    frame = generate_demo_stations(count=count, seed=seed)
    unions = _county_unions(store, sorted(frame["adcode"].unique()), actor)
    frame = frame.assign(union_id=frame["adcode"].map(unions))
    return store.load_stations(
        frame,
        source_name=f"demo (seed {seed}, {count} stations)",
        source_format="demo",
        crs="wgs84",
        actor=actor,
        replace_format="demo",
        progress=progress,
    )


def _county_unions(store: Store, adcodes: list[str], actor: str) -> dict[str, str]:
    """The public id of each county's union (张家港市总工会), created when missing."""
    existing = {u.jurisdiction: u.id for u in store.list_unions()}
    missing = [code for code in adcodes if code not in existing]
    rows = [
        {"name": f"{store.regions.county(code).name}总工会", "jurisdiction": code}
        for code in missing
    ]
    created = store.add_unions(rows, actor) if rows else []
    if created:
        log.info("created %d county unions for the demo set", len(created))
    return existing | {u.jurisdiction: u.id for u in created}
