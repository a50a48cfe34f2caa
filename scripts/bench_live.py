"""Benchmark how soon a change reaches another process's answers, before and after overlays.

    .venv/bin/python scripts/bench_live.py [--database-url URL] [--repeat 3]
    .venv/bin/python scripts/bench_live.py --served [--database-url URL]

A follower process keeps a :class:`~stationmap.finder.LiveIndex` on the store (as each
server worker does); this process commits a change and times how long until the
follower's index shows it: a 1-station edit (a rename) and a 100-station import (one
bulk write). *Before* is the follower as it was until overlays: every change built a
whole new :class:`StationIndex` from the merged station list (reproduced by
``RebuildingLiveIndex`` below, the old ``with_changes`` line for line), and the first
query on the new snapshot then built its filter's k-d tree again. *After* is the
LiveIndex as it is. Both columns give the time to visible and the time of the first
nearest query on the snapshot that shows the change. Then, in this process,
``find_nearest`` with and without an overlay of changed stations, so the price of an
overlay per query is known too.

With ``--served``, instead: ``stationmap serve`` as ``make run`` starts it (2 workers),
timed from start to its first nearest answer and to ``/readyz``; the master's and each
worker's RSS after the load and after 40 national and regional cluster views; and the
time from a committed rename to every worker answering with it.

The store must hold the demo set (``stationmap load-demo``: 173,000 stations by
default). The benchmark writes to it: it renames stations and adds 100 stations per
import (source format ``bench``; remove them with ``load-demo`` again). Progress goes
to stderr, the table to stdout; nothing fails.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import replace
from functools import partial
from multiprocessing import Queue
from multiprocessing.synchronize import Event

import numpy as np

from stationmap.demo import generate_demo_stations
from stationmap.finder import LiveIndex, StationFilter, StationIndex, find_nearest
from stationmap.finder.live import ChangeFeed
from stationmap.geojson import prime_feature_heads
from stationmap.store import Store
from stationmap.store.backend import create_store_engine

POLL = 0.002
SETTLE_SECONDS = 30
DEFAULT_URL = "sqlite:////tmp/stationmap-bench/demo.sqlite"


class RebuildingLiveIndex(LiveIndex):
    """The follower before overlays: each change rebuilt the whole index."""

    def _applied(self, index: StationIndex, feed: ChangeFeed) -> StationIndex:
        if not feed.station_ids:
            return index.advanced_to(feed.position) if feed.position != index.position else index
        ids = list(feed.station_ids)
        fresh = {s.id: s for s in self.store.read_stations(ids)}
        named = set(ids) | set(fresh)
        stations = []
        for station in index.current_stations():
            if station.id not in named:
                stations.append(station)
            elif station.id in fresh:
                stations.append(fresh.pop(station.id))
        stations.extend(fresh.values())
        return StationIndex(stations, feed.position, index.notice)


def follow(url: str, mode: str, ready: Event, commands: Queue, reports: Queue) -> None:
    """A worker's LiveIndex; for each (kind, station_id, value) report when it shows."""
    store = Store(create_store_engine(url))
    kind = RebuildingLiveIndex if mode == "before" else LiveIndex
    live = kind(store, poll_seconds=0.05, on_load=lambda index: prime_feature_heads(index.stations))
    live.current()
    ready.set()
    while (command := commands.get(timeout=600)) is not None:
        reports.put(_visible_at(live, *command))
    live.stop()
    store.close()


def _visible_at(
    live: LiveIndex, station_id: str, name: str, limit: float = 120.0
) -> tuple[float, float]:
    """Wall-clock time the index first shows ``station_id`` named ``name`` (nan: never),
    and the seconds the first nearest query on that snapshot took."""
    deadline = time.time() + limit
    while time.time() < deadline:
        index = live.current()
        row = index.row_of_id.get(station_id)
        if row is not None and index.stations[row].name == name:
            seen = time.time()
            station = index.stations[row]
            started = time.perf_counter()
            find_nearest(index, station.lon, station.lat, 5, StationFilter())
            return seen, time.perf_counter() - started
        time.sleep(POLL)
    return float("nan"), float("nan")


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _edit_one(store: Store, tag: str) -> tuple[str, str, float]:
    station = next(store.iter_stations(chunk=1))
    name = f"改名驿站{tag}"
    store.update_station(station.id, {"name": name}, actor="bench")
    return station.id, name, time.time()


def _import_hundred(store: Store, seed: int) -> tuple[str, str, float]:
    unions = {u.jurisdiction: u.id for u in store.list_unions()}
    frame = generate_demo_stations(count=100, seed=seed).drop(columns=["public_id", "source_key"])
    frame = frame.assign(union_id=frame["adcode"].map(unions))
    batch = store.load_stations(
        frame, source_name=f"bench {seed}", source_format="bench", crs="wgs84", actor="bench"
    )
    written_at = time.time()
    last = store.source_stations(batch.source_name)[-1]
    return last.id, last.name, written_at


def time_visibility(url: str, mode: str, repeat: int) -> dict[str, list[tuple[float, float]]]:
    """Seconds from commit to visible in a follower, and of the first query then, per change."""
    context = multiprocessing.get_context("spawn")
    ready, commands, reports = context.Event(), context.Queue(), context.Queue()
    child = context.Process(target=follow, args=(url, mode, ready, commands, reports))
    started = time.perf_counter()
    child.start()
    ready.wait(600)
    _say(f"{mode}: follower loaded in {time.perf_counter() - started:.1f} s")
    delays: dict[str, list[tuple[float, float]]] = {"1-station edit": [], "100-station import": []}
    with Store(create_store_engine(url)) as store:
        for n in range(repeat):
            changes = {
                "1-station edit": partial(_edit_one, store, f"{mode}{n}{time.time():.0f}"),
                "100-station import": partial(
                    _import_hundred, store, int(time.time()) % 100_000 + n
                ),
            }
            for kind, change in changes.items():
                station_id, name, written_at = change()
                commands.put((station_id, name))
                seen, first_query = reports.get(timeout=600)
                delays[kind].append((seen - written_at, first_query))
                _say(
                    f"{mode}: {kind}: visible after {seen - written_at:.3f} s, "
                    f"first query {first_query * 1e3:.2f} ms"
                )
                time.sleep(0.5)
    commands.put(None)
    child.join(60)
    return delays


def time_queries(url: str, points: int = 3000) -> dict[str, float]:
    """Median µs of find_nearest (k=5, active) over the country: no overlay, an overlay of
    100 or 1,000 stations spread over the country, and of 100 in one county (an import)."""
    with Store(create_store_engine(url)) as store:
        stations = store.read_stations()
    index = StationIndex(stations)
    rng = np.random.default_rng(1)
    county = [i for i, s in enumerate(stations) if s.adcode == stations[0].adcode][:100]
    cases = {
        "spread 100": rng.choice(len(stations), 100, replace=False),
        "spread 1000": rng.choice(len(stations), 1000, replace=False),
        f"one county {len(county)}": np.asarray(county),
    }
    sample = rng.choice(len(stations), points)
    queries = [(stations[i].lon + 0.01, stations[i].lat + 0.01) for i in sample]
    timed = {"no overlay": _median_us(index, queries)}
    for label, picks in cases.items():
        moved = [_moved(stations[i], rng) for i in picks]
        overlaid = index.with_changes([s.id for s in moved], moved, index.position)
        timed[f"overlay: {label}"] = _median_us(overlaid, queries)
    return timed


def _moved(station, rng):
    return replace(station, lon=station.lon + rng.uniform(-0.02, 0.02), name=station.name + "改")


def _median_us(index: StationIndex, queries: list[tuple[float, float]]) -> float:
    active = StationFilter()
    for lon, lat in queries[:200]:
        find_nearest(index, lon, lat, 5, active)
    took = []
    for lon, lat in queries:
        started = time.perf_counter()
        find_nearest(index, lon, lat, 5, active)
        took.append(time.perf_counter() - started)
    return statistics.median(took) * 1e6


def measure_served(url: str, port: int = 5077) -> None:
    """Start-up, memory and change-to-answer figures of ``stationmap serve`` (2 workers)."""
    env = {**os.environ, "STATIONMAP_DATABASE_URL": url, "STATIONMAP_LOG_LEVEL": "INFO"}
    cli = os.path.join(os.path.dirname(sys.executable), "stationmap")
    command = [cli, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            _measure(server, f"http://127.0.0.1:{port}", url, started)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        log.seek(0)
        print(*(f"server: {line.strip()}" for line in log if "index built" in line), sep="\n")
    print(f"load average: {os.getloadavg()}")


def _measure(server: subprocess.Popen, base: str, url: str, started: float) -> None:
    first = _until_ok(base + "/api/v1/stations/nearest?lon=118.8&lat=32.05", started)
    ready = _until_ok(base + "/readyz", started, in_a_row=10)
    print(f"start to first nearest answer: {first:.1f} s; to /readyz 200 ten times: {ready:.1f} s")
    print(f"RSS at the first answers (MB): {_rss_mb(server.pid)}")
    time.sleep(SETTLE_SECONDS)  # the answers' GeoJSON is primed in the background meanwhile
    print(f"RSS {SETTLE_SECONDS} s later (MB): {_rss_mb(server.pid)}")
    for zoom, box in [(4, "70,15,137,55"), (6, "100,20,125,45"), (8, "115,28,122,34")] * 14:
        _get(f"{base}/api/v1/clusters?bbox={box}&zoom={zoom}")
    print(f"RSS after 42 cluster views (MB): {_rss_mb(server.pid)}")
    with Store(create_store_engine(url)) as store:
        for n in range(3):
            station_id, name, written_at = _edit_one(store, f"served{n}{time.time():.0f}")
            seen = _until_answer_has(f"{base}/api/v1/stations/{station_id}", name)
            print(f"rename to every worker's answer: {seen - written_at:.3f} s")


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""


def _until_ok(url: str, started: float, in_a_row: int = 1) -> float:
    """Seconds since ``started`` until ``url`` answered 200 ``in_a_row`` times."""
    answered = 0
    while answered < in_a_row:
        answered = answered + 1 if _get(url)[0] == 200 else 0
        if not answered:
            time.sleep(0.05)
    return time.perf_counter() - started


def _until_answer_has(url: str, text: str, in_a_row: int = 10) -> float:
    """Wall-clock time from which ``url`` answered with ``text`` ``in_a_row`` times."""
    first, answered = None, 0
    while answered < in_a_row:
        if text in _get(url)[1]:
            first, answered = first or time.time(), answered + 1
        else:
            first, answered = None, 0
            time.sleep(0.005)
    return first


def _rss_mb(master: int) -> dict[str, int]:
    """Resident memory of the master and each worker, in MB."""
    children = subprocess.run(
        ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
    ).stdout.split()
    found = {"master": _rss_of(master)}
    found.update({f"worker {n + 1}": _rss_of(int(pid)) for n, pid in enumerate(children)})
    return found


def _rss_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("STATIONMAP_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-before", action="store_true", help="only the code as it is")
    parser.add_argument("--served", action="store_true", help="figures of `stationmap serve`")
    args = parser.parse_args()
    url = args.database_url or DEFAULT_URL
    if args.served:
        measure_served(url)
        return
    results = {mode: time_visibility(url, mode, args.repeat) for mode in _modes(args)}
    print(f"Commit to visible in another process (median of {args.repeat}), {url}")
    for column, label, unit, scale in ((0, "visible after", "s", 1), (1, "first query", "ms", 1e3)):
        print(f"{label:<34}{'before ' + unit:>12}{'after ' + unit:>12}{'before/after':>14}")
        for kind, after in results["after"].items():
            before = results.get("before", {}).get(kind, [(float("nan"), float("nan"))])
            b = statistics.median(x[column] for x in before) * scale
            a = statistics.median(x[column] for x in after) * scale
            print(f"  {kind:<32}{b:>12.3f}{a:>12.3f}{b / a:>14.1f}")
    print("\nfind_nearest k=5 (active), median µs per query, one process")
    for label, micros in time_queries(url).items():
        print(f"  {label:<28}{micros:>8.1f}")


def _modes(args: argparse.Namespace) -> list[str]:
    return ["after"] if args.skip_before else ["before", "after"]


if __name__ == "__main__":
    main()
