"""Load the national demo set twice into a fresh store and check what the issue promises.

    .venv/bin/python scripts/verify_demo_set.py [--count 173000] [--seed 1] [--url URL]

Prints the generation and load times, the database size, whether both loads gave
identical stations, whether every station lies inside its county, and the national
shares next to the published ones. Uses a throwaway SpatiaLite file unless --url
names another database (whose stations it replaces).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

from stationmap.demo import generate_demo_stations
from stationmap.demo.loading import load_demo
from stationmap.demo.published import published_share
from stationmap.store import Store
from stationmap.store.backend import create_store_engine

STABLE_FIELDS = ("id", "name", "kind", "address", "adcode", "lon", "lat", "amenities",
                 "opening_hours", "phone", "status", "union_id", "source_key")  # fmt: skip
SHARES = {
    "open 24 hours": ("open_24_7", lambda s: s.opening_hours == "24/7"),
    "smart kiosks": ("smart_kiosk", lambda s: s.kind == "smart_kiosk"),
    "first aid": ("first_aid", lambda s: "first_aid" in s.amenities),
    "discounted meals": ("discount_meals", lambda s: "discount_meals" in s.amenities),
    "battery swap": ("battery_swap", lambda s: "battery_swap" in s.amenities),
}


def main() -> None:
    args = _arguments()
    folder = Path(tempfile.mkdtemp(prefix="stationmap-verify-"))
    url = args.url or f"sqlite:///{folder / 'demo.sqlite'}"
    with Store(create_store_engine(url)) as store:
        store.init_schema()
        _time_generation(args.count, args.seed)
        first = _load_and_read(store, args.count, args.seed)
        second = _load_and_read(store, args.count, args.seed)
        print(f"identical after two loads: {_stable(first) == _stable(second)}")
        print(f"inside their own county: {_inside_share(store, second):.4%}")
        _print_shares(second)
    if not args.url:
        print(f"database size: {(folder / 'demo.sqlite').stat().st_size / 1e6:.1f} MB")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=173_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", default="", help="database URL (default: a temporary file)")
    return parser.parse_args()


def _time_generation(count: int, seed: int) -> None:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        generate_demo_stations(count=count, seed=seed)
        times.append(time.perf_counter() - started)
    print(
        f"generation of {count} stations: first call (reads the layers) {times[0]:.2f} s, "
        f"median of 3 {np.median(times):.2f} s"
    )


def _load_and_read(store: Store, count: int, seed: int) -> list:
    started = time.perf_counter()
    load_demo(store, count=count, seed=seed)
    print(f"load-demo (generate, validate, write): {time.perf_counter() - started:.1f} s")
    return list(store.iter_stations())


def _stable(stations: list) -> list:
    return [tuple(getattr(s, f) for f in STABLE_FIELDS) for s in stations]


def _inside_share(store: Store, stations: list) -> float:
    inside = [shapely.contains_xy(store.regions.boundary(s.adcode), s.lon, s.lat)
              for s in stations]  # fmt: skip
    return float(np.mean(inside))


def _print_shares(stations: list) -> None:
    print(f"{'share':<18}{'demo set':>10}{'published':>11}")
    for label, (key, test) in SHARES.items():
        reached = np.mean([test(s) for s in stations])
        print(f"{label:<18}{reached:>10.2%}{published_share(key):>11.2%}")


if __name__ == "__main__":
    main()
