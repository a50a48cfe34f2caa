"""Putting the synthetic national set into a store, with one union per county."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import Connection

from ..regions import RegionIndex
from ..store import Actor, Store, load_batch, unions
from ..types import ImportBatch
from . import generate_demo_stations

log = logging.getLogger(__name__)

DEMO_COUNT = 173_000


def load_demo(
    store: Store,
    *,
    count: int = DEMO_COUNT,
    seed: int = 1,
    actor: Actor = "load-demo",
    progress: Callable[[int], object] | None = None,
    stage: Callable[[str], object] | None = None,
) -> ImportBatch:
    """Generate the demo set and load it, its county unions included, in one transaction
    that also removes any earlier demo set.

    ``stage`` is told the name of each stage as it starts (``generating``, ``writing``,
    ``committing``); ``progress`` the number of stations written, chunk by chunk. The log
    says each stage as it starts, the count written at every tenth, and the commit's time.
    """
    announce = _announcer(stage)
    announce("generating", f"generating {count:,} synthetic stations (seed {seed})")
    frame = generate_demo_stations(count=count, seed=seed)
    with store.transaction() as conn:
        adcodes = sorted(frame["adcode"].unique())
        announce("writing", f"checking and writing {count:,} stations in {len(adcodes):,} counties")
        union_ids = _county_unions(conn, store.regions, adcodes, actor)
        batch = load_batch(
            conn,
            store.regions,
            frame.assign(union_id=frame["adcode"].map(union_ids)),
            source=(f"demo (seed {seed}, {count} stations)", "demo", "wgs84"),
            actor=actor,
            replace_format="demo",
            progress=_counted(count, progress),
        )
        announce("committing", "committing: the database finishes its indexes")
        committing = time.perf_counter()
    log.info("committed in %.1f s", time.perf_counter() - committing)
    store.after_bulk_write(len(frame))
    return store.get_batch(batch.public_id)


def _announcer(stage: Callable[[str], object] | None) -> Callable[[str, str], None]:
    """A function that starts a stage: logs what it does and tells ``stage`` its name."""

    def announce(name: str, what: str) -> None:
        log.info("%s", what)
        if stage is not None:
            stage(name)

    return announce


def _counted(total: int, progress: Callable[[int], object] | None) -> Callable[[int], None]:
    """A row callback that passes each chunk on to ``progress`` and logs the count written
    each time another tenth of ``total`` is done (so a log without a bar shows progress)."""
    written = 0
    step = max(total // 10, 1)

    def count_rows(rows: int) -> None:
        nonlocal written
        if (written + rows) // step > written // step:
            log.info("wrote %s of %s stations", f"{written + rows:,}", f"{total:,}")
        written += rows
        if progress is not None:
            progress(rows)

    return count_rows


def _county_unions(
    conn: Connection, regions: RegionIndex, adcodes: list[str], actor: Actor
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
