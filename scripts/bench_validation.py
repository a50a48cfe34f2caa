"""Time the store's validator at both ends: a clerk's one-row write and the demo set.

    .venv/bin/python scripts/bench_validation.py [--calls 200] [--runs 5]

Prints the median time of :func:`clean_frame` on one station (a draft as the API
builds it) over ``--calls`` calls, and on the 173,000-station demo set over ``--runs``
runs (with the fastest run: a loaded machine spreads them widely).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import pandas as pd

from stationmap.demo import generate_demo_stations
from stationmap.regions import RegionIndex, load_regions
from stationmap.store.validation import clean_frame
from stationmap.types import StationDraft

DRAFT = StationDraft(
    name="驿站", kind="shop", lon=118.7975, lat=32.0485, opening_hours_raw="24小时"
)


def main() -> None:
    args = _arguments()
    regions = load_regions()
    one = pd.DataFrame([dataclasses.asdict(DRAFT)], dtype=object)
    demo = generate_demo_stations()
    _times(one, regions, 20)
    small = _times(one, regions, args.calls)
    print(f"one row: {statistics.median(small) * 1000:.2f} ms (median of {args.calls})")
    big = _times(demo, regions, args.runs)
    print(
        f"{len(demo):,} rows: {statistics.median(big):.2f} s "
        f"(median of {args.runs}, fastest {min(big):.2f} s)"
    )


def _times(frame: pd.DataFrame, regions: RegionIndex, count: int) -> list[float]:
    """Seconds of each of ``count`` calls of :func:`clean_frame` on ``frame``."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        clean_frame(frame, regions)
        times.append(time.perf_counter() - started)
    return times


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


if __name__ == "__main__":
    main()
