"""Benchmark nearest-station queries, in process and over HTTP, against baselines timed alongside.

    .venv/bin/python scripts/bench_finder.py [--quick] [--skip-http] [--skip-postgis]

In process: ``find_nearest`` (k=5) on the 173,000-station demo set and on a
1,730,000-station set, without and with filters, next to a bare scipy cKDTree query on
the same 3-D points (the floor), the bare pykdtree query ours makes, a naive k-d tree
over lon/lat, and a PostGIS geography KNN query over one psycopg connection. Over
HTTP: ``/api/v1/stations/nearest`` under ``stationmap serve --workers 2`` loaded by
wrk, next to a bare Flask app answering fixed bytes (on gunicorn as it comes, and on
``stationmap serve``'s gunicorn: its worker and access logger) and the same endpoint
answered by PostGIS per request, all with the same workers, timeout and access log.

The HTTP servers run side by side and are loaded in interleaved rounds: all start,
each is warmed, then in every round wrk loads each server in turn for a few seconds,
after a second of load not measured (ours between its baselines, the order reversed
every other round). A ratio is the median of the rounds' ratios, with their range.
Measured one after another, minutes apart, the ratio tracked how busy the shared
machine was at each time more than the code (0.63x to 1.59x for the same code); within
a round the runs compared are seconds apart.

The machine is noisy, so every figure is shown as a ratio to a baseline measured in
the same run, with its target beside it; nothing fails. Progress goes to stderr.
Databases, request lists and server logs stay in --work-dir and are reused.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql
from pyproj import Geod
from scipy.spatial import cKDTree

from stationmap.config import SETTINGS
from stationmap.demo import generate_demo_stations
from stationmap.finder import StationFilter, StationIndex, find_nearest
from stationmap.finder.geodesy import ecef_point
from stationmap.finder.index import KDTree as PyKDTree
from stationmap.hours import CHINA_TZ
from stationmap.types import Station
from stationmap.vocabulary import amenity_mask
from stationmap.web.server import ACCESS_LOGGER_CLASS, WORKER_CLASS

STARTED = time.perf_counter()
BIN = Path(sys.executable).parent
GEOD = Geod(ellps="WGS84")
LUA_SCRIPT = Path(__file__).with_suffix(".lua")

DEMO_COUNT = 173_000
LARGE_COUNT = 1_730_000
DEMO_SEED = 1
POINT_SEED = 20_261_125
HTTP_POINT_SEED = 20_261_126
JITTER_M = 5_000.0
METRES_PER_DEGREE = 111_320.0
K = 5

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=CHINA_TZ)
"""The fixed "now" of the open-now case (a Wednesday morning)."""
NIGHT = datetime(2026, 11, 25, 3, 0, tzinfo=CHINA_TZ)

COMMON_AMENITIES = ("ebike_charging", "hot_water")
RARE_AMENITIES = ("ebike_charging", "first_aid")
FILTERS: dict[str, StationFilter] = {
    "no filter": StationFilter.build(),
    "common filter": StationFilter.build(amenities=COMMON_AMENITIES),
    "rare filter": StationFilter.build(amenities=RARE_AMENITIES, open_24h=True),
    "open now (10:30)": StationFilter.build(open_at=NOW),
    "open at 03:00": StationFilter.build(open_at=NIGHT),
}
"""Our cases. Each keeps active stations only, as the API does by default."""

FLOOR = "floor: cKDTree 3-D"
PYKDTREE = "pykdtree 3-D (ours queries it)"
NAIVE = "naive: cKDTree lon/lat"

BENCH_DB = "stationmap_bench"
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
BENCH_DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={BENCH_DB}"
BENCH_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DB}"
DEMO_SOURCE = f"demo (seed {DEMO_SEED}, {DEMO_COUNT} stations)"
"""The import batch ``stationmap load-demo`` records; its presence means the set is loaded."""

KNN_SQL = (
    "SELECT public_id, ST_Distance(geom::geography, p.g) FROM stations, "
    "(SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography AS g) AS p "
    "{where} ORDER BY geom::geography <-> p.g LIMIT " + str(K)
)
_COMMON, _RARE = amenity_mask(COMMON_AMENITIES), amenity_mask(RARE_AMENITIES)
POSTGIS_WHERE = {
    "no filter": "",
    "common filter": f"WHERE amenity_mask & {_COMMON} = {_COMMON} AND status = 'active'",
    "rare filter": f"WHERE amenity_mask & {_RARE} = {_RARE} AND status = 'active' "
    "AND opening_hours = '24/7'",
}
"""The PostGIS baseline's filters, named as our cases (the first has none, as briefed)."""

WORKERS = 2
WRK_THREADS = 2
WRK_CONNECTIONS = 16
HTTP_POINTS = 10_000
WARM_UP_LIMIT_S = 120
OPTIONAL_INDEX_WAIT_S = 8
LEAD_IN_S = 1
"""Load, not measured, just before each measured run. Without it the server run second
in a round, idle through the first's run, came out 10-20 % slower whichever it was."""
"""How long warm-up waits for an index the server may load but does not answer from."""
GUNICORN_SETTINGS = (
    "sync workers, accesslog to stdout, timeout 60 s; ours and bare_tuned with stationmap's "
    "worker and access logger (as `stationmap serve`), the other baselines with gunicorn's own"
)
BARE_APP = '''\
"""A bare Flask app for scripts/bench_finder.py: every path answers the same 1 KB of JSON."""

import json

from flask import Flask, Response

BODY = json.dumps({"padding": "x" * 1009})
app = Flask(__name__)


@app.get("/")
@app.get("/<path:path>")
def fixed(path=""):
    return Response(BODY, mimetype="application/json")
'''

AS_OURS_APP = '''\
"""A bare Flask app for scripts/bench_finder.py answering like ours without its work: every
path answers the same JSON as long as a k=5 nearest answer, with the headers ours sends."""

import json

from flask import Flask, Response

BODY = json.dumps({"padding": "x" * 3330})
HEADERS = {
    "Cache-Control": "public, max-age=10",
    "ETag": 'W/"d16-1a2b3c4d"',
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
    "X-Content-Type-Options": "nosniff",
    "Vary": "Accept-Encoding",
}
app = Flask(__name__)


@app.get("/")
@app.get("/<path:path>")
def fixed(path=""):
    return Response(BODY, mimetype="application/geo+json", headers=HEADERS)
'''


# -- what to run ----------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What this run measures, from the command line."""

    quick: bool
    http: bool
    postgis: bool
    work_dir: Path

    @property
    def points(self) -> int:
        """In-process query points per case."""
        return 1_000 if self.quick else 5_000

    @property
    def repeats(self) -> int:
        """Repetitions of every measurement (the median is reported)."""
        return 1 if self.quick else 3

    @property
    def http_rounds(self) -> int:
        """Rounds of the HTTP comparison; in each, wrk loads every server once."""
        return 4 if self.quick else 8

    @property
    def round_seconds(self) -> int:
        """How long wrk loads one server in one round."""
        return 3 if self.quick else 5

    @property
    def large_set(self) -> bool:
        """Whether the 1,730,000-station set is measured too."""
        return not self.quick


def read_plan() -> Plan:
    """The plan from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: fewer points and rounds, 1 run"
    )
    parser.add_argument("--skip-http", action="store_true", help="no HTTP benchmark")
    parser.add_argument("--skip-postgis", action="store_true", help="no PostGIS baselines")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/stationmap-bench"))
    args = parser.parse_args()
    if not args.skip_http and shutil.which("wrk") is None:
        parser.error("the HTTP benchmark needs wrk: `apt-get install wrk`, or pass --skip-http")
    (args.work_dir / "logs").mkdir(parents=True, exist_ok=True)
    return Plan(args.quick, not args.skip_http, not args.skip_postgis, args.work_dir.resolve())


def progress(message: str) -> None:
    """One progress line on stderr, stamped with the seconds since the start."""
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def print_header() -> None:
    """The command line, the machine and the code being measured."""
    print("stationmap finder benchmark")
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"machine: nproc {len(os.sched_getaffinity(0))} ({os.cpu_count()} CPUs), {_cpu_model()}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print(f"code: {_git_revision()}")
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"started: {datetime.now().astimezone():%Y-%m-%d %H:%M:%S %Z}, load average {load}")


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _git_revision() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=LUA_SCRIPT.parent)
        return done.stdout.strip()

    dirty = " with uncommitted changes" if git("status", "--porcelain") else ""
    return f"{git('rev-parse', '--short', 'HEAD')}{dirty}"


# -- station sets and query points ------------------------------------------------------


@dataclass
class StationSet:
    """A generated station set and its index."""

    label: str
    index: StationIndex
    generate_s: float
    index_build_s: float


def build_station_set(label: str, count: int) -> StationSet:
    """``count`` demo stations (seed 1) in a :class:`StationIndex`, no database involved."""
    progress(f"generating {count:,} demo stations")
    started = time.perf_counter()
    stations = stations_from_frame(generate_demo_stations(count=count, seed=DEMO_SEED))
    generated = time.perf_counter()
    progress(f"building the index over {count:,} stations")
    index = StationIndex(stations)
    return StationSet(label, index, generated - started, time.perf_counter() - generated)


def stations_from_frame(frame: pd.DataFrame) -> list[Station]:
    """Stations as the store would return them for a demo frame's rows."""
    stamp = datetime.now(UTC)
    return [_station(row, stamp) for row in frame.itertuples(index=False)]


def _station(row: tuple, stamp: datetime) -> Station:
    return Station(
        id=row.public_id, name=row.name, kind=row.kind, address=row.address,
        province=row.province, city=row.city, county=row.county, adcode=row.adcode,
        lon=float(row.lon), lat=float(row.lat), amenities=row.amenities,
        opening_hours=row.opening_hours, opening_hours_raw=row.opening_hours,
        phone=row.phone, status=row.status, status_reason=None, reopen_on=None,
        union_id=None, batch_id=None,
        source_key=row.source_key, version=1, created_at=stamp, updated_at=stamp,
    )  # fmt: skip


def query_points(index: StationIndex, count: int, seed: int) -> list[tuple[float, float]]:
    """Points near stations: a random station's position moved by ~5 km of Gaussian jitter."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(len(index), size=count)
    north, east = rng.normal(0.0, JITTER_M, size=(2, count))
    lat = index.lat[rows] + north / METRES_PER_DEGREE
    lon = index.lon[rows] + east / (METRES_PER_DEGREE * np.cos(np.radians(index.lat[rows])))
    return list(zip(lon.tolist(), lat.tolist(), strict=True))


# -- databases --------------------------------------------------------------------------


def stationmap_env(plan: Plan, url: str, finder: str = "memory") -> dict[str, str]:
    """The environment for a ``stationmap`` command on ``url``."""
    return os.environ | {
        "STATIONMAP_DATABASE_URL": url,
        "STATIONMAP_FINDER": finder,
        "STATIONMAP_INSTANCE_DIR": str(plan.work_dir / "instance"),
        "STATIONMAP_LOG_LEVEL": "INFO",
    }


def run_stationmap(plan: Plan, args: list[str], env: dict[str, str]) -> None:
    """Run one ``stationmap`` command, its output appended to logs/cli.log."""
    log = plan.work_dir / "logs" / "cli.log"
    progress(f"stationmap {shlex.join(args)} (output in {log})")
    with log.open("a") as out:
        done = subprocess.run(
            [str(BIN / "stationmap"), *args],
            env=env,
            cwd=plan.work_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=1800,
        )
    if done.returncode:
        raise SystemExit(f"`stationmap {shlex.join(args)}` failed; see {log}")


def demo_set_loaded(conn: sqlite3.Connection | psycopg.Connection) -> bool:
    """Whether the store holds exactly the seed-1 demo set (any DB-API-like connection)."""
    count = conn.execute("SELECT count(*) FROM stations").fetchone()[0]
    applied = conn.execute("SELECT source_name FROM import_batches WHERE state = 'applied'")
    return count == DEMO_COUNT and DEMO_SOURCE in {row[0] for row in applied.fetchall()}


def prepare_spatialite(plan: Plan) -> str:
    """The URL of a SpatiaLite file holding the demo set (built on the first run)."""
    path = plan.work_dir / f"demo-{DEMO_COUNT}-seed{DEMO_SEED}.sqlite"
    url = f"sqlite:///{path}"
    run_stationmap(plan, ["init-db"], stationmap_env(plan, url))
    with closing(sqlite3.connect(path)) as conn:
        loaded = demo_set_loaded(conn)
    if not loaded:
        load = ["load-demo", "--count", str(DEMO_COUNT), "--seed", str(DEMO_SEED)]
        run_stationmap(plan, load, stationmap_env(plan, url))
    return url


def prepare_postgis(plan: Plan) -> bool:
    """Fill the bench database with the demo set (once); False when PostgreSQL is down."""
    progress(f"preparing PostGIS database {BENCH_DB}")
    try:
        _create_bench_database()
    except psycopg.OperationalError as exc:
        print(f"PostGIS: cannot connect ({exc}); PostGIS baselines skipped")
        return False
    run_stationmap(plan, ["init-db"], stationmap_env(plan, BENCH_URL))
    with psycopg.connect(BENCH_DSN, autocommit=True) as conn:
        if not demo_set_loaded(conn):
            load = ["load-demo", "--count", str(DEMO_COUNT), "--seed", str(DEMO_SEED)]
            run_stationmap(plan, load, stationmap_env(plan, BENCH_URL))
        print(f"PostGIS: {_ensure_knn_index(conn)}")
        conn.execute("ANALYZE stations")
        _print_knn_plans(conn)
    return True


def _create_bench_database() -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DB,))
        if found.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
    with psycopg.connect(BENCH_DSN, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def _ensure_knn_index(conn: psycopg.Connection) -> str:
    """A GiST index on ``geom::geography``, without which geography KNN scans every row."""
    found = conn.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'stations' "
        "AND indexdef ILIKE '%gist%' AND indexdef ILIKE '%geography%'"
    ).fetchone()
    if found:
        return f"geography GiST index {found[0]} comes with the schema (stationmap init-db)"
    conn.execute("CREATE INDEX idx_stations_geog_bench ON stations USING gist ((geom::geography))")
    return "the schema has no geography index; created idx_stations_geog_bench for KNN"


def _print_knn_plans(conn: psycopg.Connection) -> None:
    """The first line of PostgreSQL's plan for each baseline query (is the index used?)."""
    for name, where in POSTGIS_WHERE.items():
        plan = conn.execute("EXPLAIN " + KNN_SQL.format(where=where), {"lon": 116.4, "lat": 39.9})
        steps = [row[0].strip() for row in plan.fetchall()]
        scan = next((s for s in steps if "Scan" in s), steps[0])
        print(f"PostGIS plan, {name}: {scan.split('  (')[0]}")


# -- in process -------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    """Median p50 and p99 over repetitions, in microseconds."""

    p50_us: float
    p99_us: float


@dataclass
class SetResults:
    """What one station set measured."""

    label: str
    count: int
    points: int
    latency: dict[str, Latency]
    first_call_ms: dict[str, float]
    passing: dict[str, int]
    index_build_s: float
    generate_s: float
    notes: list[str] = field(default_factory=list)


def bench_in_process(
    plan: Plan, station_set: StationSet, postgis: psycopg.Connection | None
) -> SetResults:
    """Nearest (k=5) for every case and baseline on the same points, repeated."""
    index = station_set.index
    points = query_points(index, plan.points, POINT_SEED)
    first_calls = time_first_calls(index, points[0])
    cases = our_cases(index) | floor_cases(index) | (postgis_cases(postgis) if postgis else {})
    progress(f"{station_set.label}: timing {len(cases)} cases on {len(points):,} points")
    return SetResults(
        label=station_set.label,
        count=len(index),
        points=len(points),
        latency=measure(cases, points, plan.repeats),
        first_call_ms=first_calls,
        passing={name: int(index.passing(f).sum()) for name, f in FILTERS.items()},
        index_build_s=station_set.index_build_s,
        generate_s=station_set.generate_s,
        notes=set_notes(index, points, postgis),
    )


def set_notes(
    index: StationIndex, points: list[tuple[float, float]], postgis: psycopg.Connection | None
) -> list[str]:
    """The once-a-minute cost of open now and, with PostGIS, who is right where answers differ."""
    rebuild_ms = next_minutes_first_call_ms(index, points[0])
    notes = [
        f"open now: the first call in each new minute rebuilds its tree: {rebuild_ms:.1f} ms "
        "(median of the next 3 minutes)"
    ]
    if postgis:
        for name in ("common filter", "rare filter"):
            notes.append(agreement_with_postgis(index, postgis, points[:500], name))
    return notes


def our_cases(index: StationIndex) -> dict[str, Callable[[float, float], object]]:
    """``find_nearest`` with each filter, as calls of (lon, lat)."""
    return {
        f"ours, {name}": partial(find_nearest, index, k=K, station_filter=station_filter)
        for name, station_filter in FILTERS.items()
    }


def floor_cases(index: StationIndex) -> dict[str, Callable[[float, float], object]]:
    """Bare k-d tree queries: scipy's over the same 3-D points (the floor), the
    pykdtree one ours calls, and a naive scipy one over lon/lat."""
    tree_3d = cKDTree(index.xyz, balanced_tree=False, compact_nodes=False)
    tree_ours = PyKDTree(index.xyz)
    tree_2d = cKDTree(np.column_stack((index.lon, index.lat)))
    return {
        FLOOR: lambda lon, lat: tree_3d.query(ecef_point(lon, lat), k=K),
        PYKDTREE: lambda lon, lat: tree_ours.query(np.array([ecef_point(lon, lat)]), k=K),
        NAIVE: lambda lon, lat: tree_2d.query((lon, lat), k=K),
    }


def postgis_cases(conn: psycopg.Connection) -> dict[str, Callable[[float, float], object]]:
    """The geography KNN query, one prepared statement per filter."""
    return {
        f"PostGIS, {name}": partial(postgis_nearest, conn, KNN_SQL.format(where=where))
        for name, where in POSTGIS_WHERE.items()
    }


def postgis_nearest(conn: psycopg.Connection, query: str, lon: float, lat: float) -> list:
    """One KNN query's rows (public id, metres)."""
    return conn.execute(query, {"lon": lon, "lat": lat}, prepare=True).fetchall()


def time_first_calls(index: StationIndex, point: tuple[float, float]) -> dict[str, float]:
    """Milliseconds of each filter's first call, which builds and caches its k-d tree."""
    first = {}
    for name, station_filter in FILTERS.items():
        started = time.perf_counter()
        find_nearest(index, *point, k=K, station_filter=station_filter)
        first[f"ours, {name}"] = (time.perf_counter() - started) * 1000
    return first


def next_minutes_first_call_ms(index: StationIndex, point: tuple[float, float]) -> float:
    """Open-now's first call in each of the next three minutes (median): paid once a minute."""
    times = []
    for minutes in (1, 2, 3):
        station_filter = StationFilter.build(open_at=NOW + timedelta(minutes=minutes))
        started = time.perf_counter()
        find_nearest(index, *point, k=K, station_filter=station_filter)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(
    cases: dict[str, Callable[[float, float], object]],
    points: list[tuple[float, float]],
    repeats: int,
) -> dict[str, Latency]:
    """Median p50 and p99 of each case over ``repeats`` passes (cases interleaved per pass)."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for call in cases.values():
        call(*points[0])  # warm: first-call costs are measured separately
    for repeat in range(repeats):
        progress(f"  pass {repeat + 1} of {repeats}")
        for name, call in cases.items():
            took_us = time_calls(call, points) / 1000
            runs[name].append((np.percentile(took_us, 50), np.percentile(took_us, 99)))
    return {name: _median_latency(found) for name, found in runs.items()}


def _median_latency(runs: list[tuple[float, float]]) -> Latency:
    return Latency(statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))


def time_calls(call: Callable[[float, float], object], points: list[tuple[float, float]]):
    """Nanoseconds of each call, one per point."""
    took = np.empty(len(points), dtype=np.int64)
    clock = time.perf_counter_ns
    for i, (lon, lat) in enumerate(points):
        started = clock()
        call(lon, lat)
        took[i] = clock() - started
    return took


def agreement_with_postgis(
    index: StationIndex, conn: psycopg.Connection, points: list[tuple[float, float]], name: str
) -> str:
    """Where ours and PostGIS name different stations (filter ``name``), who is right.

    Each disagreement is judged by PROJ's geodesic (pyproj, not the finder): an answer
    is right when it is in geodesic order and no farther, place by place, than the other.
    """
    query = KNN_SQL.format(where=POSTGIS_WHERE[name])
    verdicts: Counter = Counter()
    worst_m = 0.0
    for lon, lat in points:
        ours = find_nearest(index, lon, lat, k=K, station_filter=FILTERS[name])
        theirs = dict(postgis_nearest(conn, query, lon, lat))
        verdicts[_verdict(index, lon, lat, [f.station.id for f in ours], list(theirs))] += 1
        gaps = [abs(f.distance_m - theirs[f.station.id]) for f in ours if f.station.id in theirs]
        worst_m = max([worst_m, *gaps])
    tally = ", ".join(f"{verdict} {n}" for verdict, n in verdicts.most_common())
    return (
        f"ours vs PostGIS KNN, {name}, {len(points)} points: {tally}; "
        f"largest gap between their distances to the same station {worst_m:.3f} m"
    )


def _verdict(index: StationIndex, lon: float, lat: float, ours: list, theirs: list) -> str:
    if ours == theirs:
        return "same answer"
    mine, its = (_geodesic_m(index, lon, lat, ids) for ids in (ours, theirs))
    ours_right, theirs_right = _no_worse(mine, its), _no_worse(its, mine)
    if ours_right and theirs_right:
        return "differ on a tie"
    if ours_right:
        return "differ, ours right"
    return "differ, PostGIS right" if theirs_right else "differ, neither right"


def _no_worse(answer: list[float], other: list[float]) -> bool:
    """In nearest-first order and, place by place, no farther than ``other`` (1 mm slack)."""
    in_order = all(a <= b + 1e-3 for a, b in pairwise(answer))
    return in_order and all(a <= b + 1e-3 for a, b in zip(answer, sorted(other), strict=False))


def _geodesic_m(index: StationIndex, lon: float, lat: float, ids: list[str]) -> list[float]:
    rows = [index.row_of_id[i] for i in ids]
    count = len(rows)
    _, _, metres = GEOD.inv([lon] * count, [lat] * count, index.lon[rows], index.lat[rows])
    return list(metres)


def print_set_results(results: SetResults, repeats: int) -> None:
    """One station set's table: latencies, ratios to the floor, first calls, filter sizes."""
    print(
        f"\nIn-process nearest, k={K}, {results.count:,} stations ({results.label}): "
        f"{results.points:,} points, median of {repeats} run(s)"
    )
    print(
        f"  generated in {results.generate_s:.1f} s; StationIndex built in "
        f"{results.index_build_s:.1f} s"
    )
    floor = results.latency[FLOOR]
    print(
        f"  {'case':<30}{'p50 µs':>9}{'p99 µs':>9}{'p50/floor':>11}{'p99/floor':>11}"
        f"{'1st call ms':>13}{'passing':>10}"
    )
    for name, found in results.latency.items():
        first = results.first_call_ms.get(name)
        passing = results.passing.get(name.removeprefix("ours, "))
        print(
            f"  {name:<30}{found.p50_us:>9.1f}{found.p99_us:>9.1f}"
            f"{found.p50_us / floor.p50_us:>10.2f}x{found.p99_us / floor.p99_us:>10.2f}x"
            f"{'' if first is None else f'{first:.1f}':>13}"
            f"{'' if passing is None else f'{passing:,}':>10}"
        )
    print("  1st call: the call that builds and caches the filter's tree (before timing)")
    for note in results.notes:
        print(f"  {note}")


# -- over HTTP --------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A server to load and how to start it."""

    key: str
    label: str
    command: Callable[[int], list[str]]
    env: dict[str, str]
    index_wait_s: float
    """How long warm-up waits for every worker to build its station index."""
    transactions: Callable[[], int] | None = None
    """Database transactions so far, for servers that answer from PostgreSQL."""


@dataclass(frozen=True)
class WrkRun:
    """One wrk run's throughput, 99th-percentile latency and failed requests."""

    requests_per_s: float
    p99_ms: float
    errors: int


@dataclass(frozen=True)
class LogReport:
    """What a server's log says: response statuses, problems, index builds (seconds)."""

    statuses: Counter
    problems: list[str]
    index_builds_s: list[float]
    primings_s: list[float] = field(default_factory=list)
    """Background GeoJSON primings finished (servers that prime after serving)."""

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


@dataclass
class HttpResult:
    """One server's runs and what its log said."""

    server: Server
    runs: list[WrkRun]
    """One per round, in round order."""
    body_bytes: int
    log: LogReport
    log_path: Path
    transactions_per_request: float | None

    @property
    def requests_per_s(self) -> float:
        return statistics.median(r.requests_per_s for r in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.runs)


@dataclass(frozen=True)
class RoundRatios:
    """Ours over a baseline, round by round: each round's two runs were seconds apart."""

    ratios: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def spread(self) -> str:
        return (
            f"range {min(self.ratios):.2f}-{max(self.ratios):.2f}x over {len(self.ratios)} rounds"
        )


def round_ratios(ours: HttpResult, base: HttpResult, figure: str) -> RoundRatios:
    """``figure`` (a :class:`WrkRun` field) of ours over the baseline's, round by round."""
    pairs = zip(ours.runs, base.runs, strict=True)
    return RoundRatios([getattr(a, figure) / getattr(b, figure) for a, b in pairs])


def bench_http(plan: Plan, points: list[tuple[float, float]], postgis: bool) -> list[HttpResult]:
    """Every server up at once and warmed, then loaded by wrk in turn, round after round.

    Side by side, a baseline's run is seconds from ours in every round, so a ratio
    compares the code, not how busy the shared machine was minutes apart.
    """
    paths = write_request_paths(plan.work_dir, points)
    servers = http_servers(plan, postgis)
    logs = {s.key: plan.work_dir / "logs" / f"server-{s.key}.log" for s in servers}
    transactions_before = {s.key: s.transactions() for s in servers if s.transactions}
    with ExitStack() as running:
        urls = {
            s.key: running.enter_context(running_server(s, logs[s.key], plan.work_dir))
            for s in servers
        }
        for server in servers:
            progress(f"HTTP {server.label}: warming up")
            warm_up(server, urls[server.key], paths, logs[server.key])
        wait_for_background_work(logs)
        first_path = paths.read_text().split("\n", 1)[0]
        body_bytes = {key: len(fetch(url + first_path)) for key, url in urls.items()}
        runs = load_in_rounds(plan, servers, urls, paths)
    if transactions_before:  # read after the stop: exiting backends flush their statistics
        time.sleep(1)
    return [
        http_result(s, runs[s.key], body_bytes[s.key], logs[s.key], transactions_before.get(s.key))
        for s in servers
    ]


def http_servers(plan: Plan, postgis: bool) -> list[Server]:
    """Ours first, then its baselines: bare Flask (on gunicorn as it comes, then on
    stationmap's gunicorn) and, when asked and possible, PostGIS."""
    servers = [
        ours_server(plan, prepare_spatialite(plan)),
        bare_server(plan),
        as_ours_server(plan),
        bare_tuned_server(plan),
    ]
    if postgis and database_finder_available():
        servers.append(postgis_server(plan))
    elif postgis:
        print("\nHTTP: STATIONMAP_FINDER is not a setting yet; the PostGIS server is skipped")
    return servers


def load_in_rounds(
    plan: Plan, servers: list[Server], urls: dict[str, str], paths: Path
) -> dict[str, list[WrkRun]]:
    """``plan.http_rounds`` rounds, each one wrk run per server (see :func:`round_order`)."""
    runs: dict[str, list[WrkRun]] = {s.key: [] for s in servers}
    for number in range(plan.http_rounds):
        order = round_order(servers, number)
        for server in order:
            run_wrk(urls[server.key], paths, LEAD_IN_S)
            runs[server.key].append(run_wrk(urls[server.key], paths, plan.round_seconds))
        rates = ", ".join(f"{s.key} {runs[s.key][-1].requests_per_s:.0f}/s" for s in order)
        progress(f"HTTP round {number + 1} of {plan.http_rounds}: {rates}")
    return runs


def round_order(servers: list[Server], number: int) -> list[Server]:
    """Ours between its baselines, so each ratio compares neighbours in time; reversed
    every other round, so neither side always runs first (just after the other's load)."""
    ours, first, *rest = servers
    order = [first, ours, *rest]
    return order if number % 2 == 0 else order[::-1]


def http_result(
    server: Server, runs: list[WrkRun], body_bytes: int, log_path: Path, transactions: int | None
) -> HttpResult:
    """A stopped server's runs with what its log says (and its database transactions)."""
    log = read_server_log(log_path)
    per_request = None
    if server.transactions and transactions is not None:
        per_request = (server.transactions() - transactions) / log.requests
    return HttpResult(server, runs, body_bytes, log, log_path, per_request)


def write_request_paths(work_dir: Path, points: list[tuple[float, float]]) -> Path:
    """The request paths wrk picks from, one nearest query per line."""
    path = work_dir / "nearest-paths.txt"
    lines = (f"/api/v1/stations/nearest?lon={lon:.6f}&lat={lat:.6f}&k={K}\n" for lon, lat in points)
    path.write_text("".join(lines))
    return path


def database_finder_available() -> bool:
    """Whether this checkout has the ``STATIONMAP_FINDER`` setting (memory or database)."""
    return any(s.env == "STATIONMAP_FINDER" for s in SETTINGS)


def stationmap_serve(port: int) -> list[str]:
    """``stationmap serve`` on 127.0.0.1:``port``."""
    options = f"--host 127.0.0.1 --port {port} --workers {WORKERS}"
    return [str(BIN / "stationmap"), "serve", *options.split()]


def bare_gunicorn(
    work_dir: Path, port: int, module: str = "bench_bare_app", tuned: bool = False
) -> list[str]:
    """gunicorn serving a bare app as ``gunicorn --workers 2 --access-logfile - app:app``
    would, with ``stationmap serve``'s timeout; ``tuned``: with stationmap's worker and
    access logger too (every option ``stationmap serve`` gives gunicorn that changes how
    a request is served)."""
    options = f"--bind 127.0.0.1:{port} --workers {WORKERS} --timeout 60"
    if tuned:
        options += f" --worker-class {WORKER_CLASS} --logger-class {ACCESS_LOGGER_CLASS}"
    app = ["--access-logfile", "-", "--chdir", str(work_dir), f"{module}:app"]
    return [str(BIN / "gunicorn"), *options.split(), *app]


def ours_server(plan: Plan, url: str) -> Server:
    env = stationmap_env(plan, url, finder="memory")
    return Server("ours", "ours: memory index, SpatiaLite", stationmap_serve, env, WARM_UP_LIMIT_S)


def bare_server(plan: Plan) -> Server:
    (plan.work_dir / "bench_bare_app.py").write_text(BARE_APP)
    command = partial(bare_gunicorn, plan.work_dir)
    return Server("bare", "bare Flask, fixed 1 KB JSON", command, dict(os.environ), 0)


def as_ours_server(plan: Plan) -> Server:
    """Bare Flask answering an answer of ours' size with ours' headers: what is left of the
    gap to the 1 KB app once the framework is gone is the answer itself (a baseline to
    read, with no target)."""
    (plan.work_dir / "bench_as_ours_app.py").write_text(AS_OURS_APP)
    command = partial(bare_gunicorn, plan.work_dir, module="bench_as_ours_app")
    label = "bare Flask, ours' size and headers"
    return Server("as_ours", label, command, dict(os.environ), 0)


def bare_tuned_server(plan: Plan) -> Server:
    """The bare 1 KB app on ``stationmap serve``'s gunicorn (its worker, freed when the
    answer is sent, and its access logger): ours against it compares the apps alone,
    Flask's dispatch of fixed bytes against our whole answer."""
    command = partial(bare_gunicorn, plan.work_dir, tuned=True)
    label = "bare Flask on stationmap's gunicorn"
    return Server("bare_tuned", label, command, dict(os.environ), 0)


def postgis_server(plan: Plan) -> Server:
    env = stationmap_env(plan, BENCH_URL, finder="database")
    return Server(
        "postgis",
        "PostGIS per request",
        stationmap_serve,
        env,
        index_wait_s=OPTIONAL_INDEX_WAIT_S,
        transactions=postgres_transactions,
    )


def postgres_transactions() -> int:
    """Transactions finished in the bench database so far, by PostgreSQL's statistics."""
    with psycopg.connect(BENCH_DSN, autocommit=True) as conn:
        found = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            (BENCH_DB,),
        )
        return found.fetchone()[0]


@contextmanager
def running_server(server: Server, log_path: Path, work_dir: Path) -> Iterator[str]:
    """A started server's base URL on 127.0.0.1; SIGTERM when the block ends."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            server.command(port),
            env=server.env,
            cwd=work_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(process, url, log_path)
        yield url
    finally:
        stop_server(process)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(process: subprocess.Popen, url: str, log_path: Path) -> None:
    """Return once ``/api/v1/`` answers 200; stop the run if the server dies or stays silent."""
    deadline = time.monotonic() + WARM_UP_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}; see {log_path}")
        try:
            fetch(url + "/api/v1/")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer in {WARM_UP_LIMIT_S} s; see {log_path}")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn's graceful stop), SIGKILL after 30 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def warm_up(server: Server, url: str, paths: Path, log_path: Path) -> None:
    """Send requests until every worker has answered, built its station index and primed
    its answers.

    Servers whose nearest answers do not need the index may still load it for other
    endpoints; they get a few seconds, so the load does not overlap the measurement.
    """
    deadline = time.monotonic() + server.index_wait_s
    while True:
        run_wrk(url, paths, seconds=3, connections=4, timeout_s=30)
        log = read_server_log(log_path)
        if _settled(log) or time.monotonic() > deadline:
            break
    run_wrk(url, paths, seconds=2)


def wait_for_background_work(logs: dict[str, Path]) -> None:
    """Before the first round, let every server that loads a station index finish
    building and priming it: side by side, its background work would slow the others'
    rounds too. A server whose log shows no index build is taken as having none."""
    deadline = time.monotonic() + WARM_UP_LIMIT_S
    for key, log_path in logs.items():
        if not _idle(read_server_log(log_path)):
            progress(f"HTTP {key}: waiting for its station index and primed answers")
        while not _idle(read_server_log(log_path)) and time.monotonic() < deadline:
            time.sleep(1)


def _idle(log: LogReport) -> bool:
    return not log.index_builds_s or _settled(log)


def _settled(log: LogReport) -> bool:
    """Every worker built its index and primed its answers (which it does in the
    background after it starts serving): what is measured is the steady state."""
    return len(log.index_builds_s) >= WORKERS and len(log.primings_s) >= len(log.index_builds_s)


def run_wrk(
    url: str, paths: Path, seconds: int, connections: int = WRK_CONNECTIONS, timeout_s: int = 5
) -> WrkRun:
    """One wrk run over random lines of ``paths``."""
    options = f"-t{WRK_THREADS} -c{connections} -d{seconds}s --timeout {timeout_s}s --latency"
    script = ["-s", str(LUA_SCRIPT), url, "--", str(paths), str(HTTP_POINT_SEED)]
    command = ["wrk", *options.split(), *script]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout)


WRK_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
WRK_P99 = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
WRK_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
WRK_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
WRK_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> WrkRun:
    """Requests/s, the 99% latency line (ms) and the error counts of wrk's report."""
    rate, p99 = WRK_RATE.search(output), WRK_P99.search(output)
    if rate is None or p99 is None:
        raise SystemExit(f"could not read wrk's report:\n{output}")
    errors = sum(int(n) for m in (WRK_NON_2XX, WRK_SOCKET) for n in _groups(m, output))
    return WrkRun(float(rate[1]), float(p99[1]) * WRK_UNIT_MS[p99[2]], errors)


def _groups(pattern: re.Pattern, text: str) -> tuple[str, ...]:
    found = pattern.search(text)
    return found.groups() if found else ()


LOG_STATUS = re.compile(r'HTTP/[\d.]+" (\d{3}) ')
LOG_PROBLEM = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|WORKER TIMEOUT|Exception")
LOG_INDEX_BUILT = re.compile(r"station index built: [\d,]+ stations in ([\d.]+) s")
LOG_PRIMED = re.compile(r"answers primed: [\d,]+ stations in ([\d.]+) s")


def read_server_log(log_path: Path) -> LogReport:
    """Response statuses, problem lines and station-index builds found in a server's log."""
    statuses: Counter = Counter()
    problems: list[str] = []
    builds: list[float] = []
    primings: list[float] = []
    for line in log_path.read_text(errors="replace").splitlines():
        if status := LOG_STATUS.search(line):
            statuses[status[1]] += 1
        elif LOG_PROBLEM.search(line):
            problems.append(line.strip())
        elif built := LOG_INDEX_BUILT.search(line):
            builds.append(float(built[1]))
        elif primed := LOG_PRIMED.search(line):
            primings.append(float(primed[1]))
    return LogReport(statuses, problems, builds, primings)


def print_http_results(results: list[HttpResult], plan: Plan) -> None:
    """The HTTP tables: req/s round by round, each server's medians, the ratios, the logs."""
    print(
        f"\nHTTP nearest, k={K}, no filter, {HTTP_POINTS:,} random points: gunicorn "
        f"{WORKERS} workers ({GUNICORN_SETTINGS}); wrk {WRK_THREADS} threads, "
        f"{WRK_CONNECTIONS} connections"
    )
    print(
        f"  all servers up at once and warmed, then {plan.http_rounds} rounds: in each, wrk "
        f"loads every server in turn for {LEAD_IN_S} s unmeasured, then {plan.round_seconds} s "
        "(ours between its baselines, the order reversed every other round)"
    )
    print(
        f"  NOTE: wrk and the servers share this machine's {len(os.sched_getaffinity(0))} cores "
        "(and PostgreSQL too, for the PostGIS server): absolute figures are low, ratios fair"
    )
    print_rounds(results)
    print_server_medians(results)
    ours, *baselines = results
    for base in baselines:
        ratios = round_ratios(ours, base, "requests_per_s")
        print(
            f"  req/s ours/{base.server.key}: {ratios.median:.2f}x, median of the rounds' "
            f"ratios ({ratios.spread})"
        )
    for found in results:
        print_server_log_summary(found)


def print_rounds(results: list[HttpResult]) -> None:
    """Each round's req/s per server and ours over each baseline."""
    ours, *baselines = results
    ratios = [round_ratios(ours, base, "requests_per_s").ratios for base in baselines]
    header = "".join(f"{r.server.key + ' req/s':>17}" for r in results)
    header += "".join(f"{'ours/' + b.server.key:>17}" for b in baselines)
    print(f"  {'round':<7}{header}")
    for number, runs in enumerate(zip(*(r.runs for r in results), strict=True)):
        rates = "".join(f"{run.requests_per_s:>17.0f}" for run in runs)
        print(f"  {number + 1:<7}{rates}" + "".join(f"{r[number]:>16.2f}x" for r in ratios))


def print_server_medians(results: list[HttpResult]) -> None:
    """Each server's median req/s and p99 over the rounds, and its failed requests."""
    print(f"  {'server (median over the rounds)':<34}{'req/s':>8}{'p99 ms':>9}{'errors':>8}")
    for found in results:
        errors = sum(r.errors for r in found.runs)
        print(
            f"  {found.server.label:<34}{found.requests_per_s:>8.0f}{found.p99_ms:>9.1f}{errors:>8}"
        )


def print_server_log_summary(found: HttpResult) -> None:
    """Body size, statuses, index builds and problems of one server."""
    statuses = ", ".join(f"{code}: {n:,}" for code, n in sorted(found.log.statuses.items()))
    builds = ", ".join(f"{s:.1f} s" for s in found.log.index_builds_s) or "none"
    print(
        f"  {found.server.key}: body {found.body_bytes:,} B; statuses {statuses}; "
        f"station index builds {builds}; {len(found.log.problems)} problem lines ({found.log_path})"
    )
    for line in found.log.problems[:3]:
        print(f"    {line[:160]}")
    if found.transactions_per_request is not None:
        print(
            f"    PostgreSQL transactions per request: {found.transactions_per_request:.2f} "
            "(pg_stat_database, over the server's whole life)"
        )
    if found.server.key != "ours" and found.log.index_builds_s:
        print("    its workers built the memory index too, though nearest does not use it")


# -- summary ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the summary: ours, the baseline, their ratio and the target."""

    measure: str
    ours: str
    baseline: str
    ratio: float | None
    target: str = ""
    met: bool | None = None
    spread: str = ""
    """How far the ratio ranged, where it is a median of several (the HTTP rounds)."""


def in_process_rows(results: SetResults) -> list[Row]:
    """Ours against the floor (p50 within 2x, p99 under 200 µs) for every case of one set."""
    floor = results.latency[FLOOR]
    rows = []
    for name in FILTERS:
        ours = results.latency[f"ours, {name}"]
        rows += [
            Row(
                f"{results.label} {name}: p50 vs floor",
                _us(ours.p50_us),
                _us(floor.p50_us),
                ours.p50_us / floor.p50_us,
                "≤ 2x",
                ours.p50_us <= 2 * floor.p50_us,
            ),
            Row(
                f"{results.label} {name}: p99",
                _us(ours.p99_us),
                _us(floor.p99_us),
                ours.p99_us / floor.p99_us,
                "< 200 µs",
                ours.p99_us < 200,
            ),
        ]
    return rows


def postgis_rows(results: SetResults) -> list[Row]:
    """Ours against PostGIS KNN on the same filter (p50), where both were measured."""
    rows = []
    for name in POSTGIS_WHERE:
        theirs = results.latency.get(f"PostGIS, {name}")
        if theirs is not None:
            ours = results.latency[f"ours, {name}"]
            rows.append(
                Row(
                    f"{results.label} {name}: p50 vs PostGIS",
                    _us(ours.p50_us),
                    _us(theirs.p50_us),
                    ours.p50_us / theirs.p50_us,
                )
            )
    return rows


def scale_rows(small: SetResults, large: SetResults) -> list[Row]:
    """The large set against the demo set, case by case (target ≤ 1.5x)."""
    rows = []
    for name in [*(f"ours, {f}" for f in FILTERS), FLOOR]:
        a, b = small.latency[name], large.latency[name]
        target = "≤ 1.5x" if name != FLOOR else ""
        for label, x, y in (("p50", a.p50_us, b.p50_us), ("p99", a.p99_us, b.p99_us)):
            met = y / x <= 1.5 if target else None
            rows.append(
                Row(
                    f"{large.label}/{small.label} {name}: {label}",
                    _us(y),
                    _us(x),
                    y / x,
                    target,
                    met,
                )
            )
    return rows


def http_rows(results: list[HttpResult]) -> list[Row]:
    """Ours over HTTP against the bare app (at least as fast, issue #10), the other bare
    apps (no target) and PostGIS per request (≥ 1.8), and p99.

    Each ratio is the median of the rounds' ratios; ours and the baseline are each
    server's median over the rounds.
    """
    by_key = {r.server.key: r for r in results}
    ours = by_key["ours"]
    rows = []
    targets = {"bare": 1.0, "as_ours": None, "bare_tuned": None, "postgis": 1.8}
    for key, target in targets.items():
        if key not in by_key:
            continue
        base = by_key[key]
        ratios = round_ratios(ours, base, "requests_per_s")
        rows.append(
            Row(
                f"HTTP req/s vs {base.server.label}",
                f"{ours.requests_per_s:.0f}/s",
                f"{base.requests_per_s:.0f}/s",
                ratios.median,
                "" if target is None else f"≥ {target}x",
                None if target is None else ratios.median >= target,
                ratios.spread,
            )
        )
    bare = by_key["bare"]
    p99s = round_ratios(ours, bare, "p99_ms")
    rows.append(
        Row(
            "HTTP p99 (baseline: bare Flask)",
            f"{ours.p99_ms:.1f} ms",
            f"{bare.p99_ms:.1f} ms",
            p99s.median,
            "< 15 ms",
            ours.p99_ms < 15,
            p99s.spread,
        )
    )
    return rows


def print_summary(sets: list[SetResults], http: list[HttpResult] | None) -> None:
    """Every headline figure as ours / baseline, beside its target."""
    groups = [in_process_rows(s) for s in sets] + [postgis_rows(sets[0])]
    if len(sets) > 1:
        groups.append(scale_rows(sets[0], sets[1]))
    if http:
        groups.append(http_rows(http))
    print("\nSUMMARY (ratio = ours / baseline; lower is better for times, higher for req/s)")
    print(f"  {'measure':<48}{'ours':>11}{'baseline':>11}{'ratio':>9}  {'target':<10}{'met':<4}")
    for group in filter(None, groups):
        print()
        for row in group:
            print(_summary_line(row))


def _summary_line(row: Row) -> str:
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
    met = {True: "yes", False: "NO", None: ""}[row.met]
    line = f"  {row.measure:<48}{row.ours:>11}{row.baseline:>11}{ratio:>9}  {row.target:<10}"
    return f"{line}{met:<5}{row.spread}".rstrip()


def _us(value: float) -> str:
    return f"{value:,.1f} µs"


# -- the run ----------------------------------------------------------------------------


def main() -> None:
    plan = read_plan()
    print_header()
    postgis = plan.postgis and prepare_postgis(plan)
    demo = build_station_set("173k", DEMO_COUNT)
    sets = [bench_demo_set(plan, demo, postgis)]
    http_points = query_points(demo.index, HTTP_POINTS, HTTP_POINT_SEED)
    del demo
    if plan.large_set:
        sets.append(bench_large_set(plan))
    http = bench_http(plan, http_points, postgis) if plan.http else None
    if http:
        print_http_results(http, plan)
    print_summary(sets, http)
    print(f"\ntotal run time: {time.perf_counter() - STARTED:.0f} s")


def bench_demo_set(plan: Plan, demo: StationSet, postgis: bool) -> SetResults:
    """The demo set's in-process figures, with the PostGIS baseline when it is ready."""
    if not postgis:
        results = bench_in_process(plan, demo, None)
    else:
        with psycopg.connect(BENCH_DSN, autocommit=True) as conn:
            results = bench_in_process(plan, demo, conn)
    print_set_results(results, plan.repeats)
    return results


def bench_large_set(plan: Plan) -> SetResults:
    """The 1,730,000-station set's in-process figures (no PostGIS baseline)."""
    results = bench_in_process(plan, build_station_set("1.73M", LARGE_COUNT), None)
    print_set_results(results, plan.repeats)
    return results


if __name__ == "__main__":
    main()
