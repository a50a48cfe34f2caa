"""Benchmark a clerk's writes through the API, on SpatiaLite and PostGIS.

    .venv/bin/python scripts/bench_writes.py [--stations 173000] [--writes 100]
                                             [--upload-rows 5000] [--skip-postgis]

For each backend: a store holding the synthetic demo set (``load-demo``), an editor of
南京市's union made with ``stationmap users add`` and a token from
``stationmap tokens create``, and ``stationmap serve --workers 2`` as ``make run``
starts it. Then, through HTTP with the tokens:

- ``--writes`` creates (``POST /api/v1/stations``), each timed from sending to the 201,
  and after each, how long until ``nearest`` at its point answers with it on every
  worker: ten answers in a row (a worker answers each at random, so a streak of ten
  means both have it, but for a chance of 1 in 512);
- as many changes (``PATCH`` with ``If-Match``), timed the same way;
- a ``--upload-rows``-row CSV across 南京市 uploaded by the same editor
  (``POST /api/v1/imports``: read, check, plan, keep the preview), then applied.

The issue's targets are printed beside the figures: a write's p50 under 50 ms, visible
on every worker within 1 s (p99), a 5,000-row preview under 10 s. Sign-in has its own
script, ``scripts/bench_login.py``. Progress goes to stderr; nothing fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from bench_finder import free_port, stop_server

BIN = Path(sys.executable).parent
SERVER_DSN = "postgresql://postgres@127.0.0.1:5432"
BENCH_DB = "stationmap_bench_writes"
NANJING = (118.70, 31.95, 118.90, 32.10)
"""A box inside 南京市's districts for the uploaded list (lon, lat, lon, lat)."""
XUANWU = (118.7975, 32.0485)
STREAK = 10
TARGETS = {"write p50": 50.0, "visible p99": 1000.0, "preview": 10_000.0}


def main() -> None:
    options = _options()
    backends = ["spatialite"] if options.skip_postgis else ["spatialite", "postgis"]
    with tempfile.TemporaryDirectory() as work:
        results = {name: _bench_backend(name, Path(work), options) for name in backends}
    _print_table(results, options)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=173_000)
    parser.add_argument("--writes", type=int, default=100)
    parser.add_argument("--upload-rows", type=int, default=5000)
    parser.add_argument("--skip-postgis", action="store_true")
    return parser.parse_args()


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- one backend --------------------------------------------------------------------------


def _bench_backend(backend: str, work: Path, options: argparse.Namespace) -> dict:
    env = _environment(backend, work)
    _prepare_store(env, options.stations)
    city_token = _user_with_token(env, "bench_nanjing", "320100")
    with _serving(env, work / f"{backend}.log") as base:
        _say(f"{backend}: {options.writes} creates")
        created = [_create_and_watch(base, city_token, n) for n in range(options.writes)]
        _say(f"{backend}: {options.writes} changes")
        changed = [_change_and_watch(base, city_token, s) for s in created]
        _say(f"{backend}: a {options.upload_rows:,}-row list")
        preview_ms, apply_ms, counts = _upload(base, city_token, options.upload_rows)
    return {
        "create_ms": [c["write_ms"] for c in created],
        "create_visible_ms": [c["visible_ms"] for c in created],
        "change_ms": [c["write_ms"] for c in changed],
        "change_visible_ms": [c["visible_ms"] for c in changed],
        "preview_ms": preview_ms,
        "apply_ms": apply_ms,
        "counts": counts,
    }


def _environment(backend: str, work: Path) -> dict[str, str]:
    if backend == "spatialite":
        url = f"sqlite:///{work / 'bench-writes.sqlite'}"
    else:
        _fresh_postgis_database()
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DB}"
    return os.environ | {
        "STATIONMAP_DATABASE_URL": url,
        "STATIONMAP_INSTANCE_DIR": str(work / f"instance-{backend}"),
        "STATIONMAP_LOG_LEVEL": "WARNING",
    }


def _fresh_postgis_database() -> None:
    with psycopg.connect(f"{SERVER_DSN}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")  # our own name, no input
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    with psycopg.connect(f"{SERVER_DSN}/{BENCH_DB}") as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def _stationmap(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(BIN / "stationmap"), *args], env=env, input=stdin, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"stationmap {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _prepare_store(env: dict[str, str], stations: int) -> None:
    _say(f"init-db and load-demo --count {stations:,}")
    _stationmap(env, "init-db")
    _stationmap(env, "load-demo", "--count", str(stations), "--seed", "1")


def _user_with_token(env: dict[str, str], username: str, union: str) -> str:
    password = "bench-password-not-secret"
    _stationmap(
        env, "users", "add", username, "--union", union, "--role", "editor", "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip
    return _stationmap(env, "tokens", "create", username).strip().splitlines()[-1]


@contextmanager
def _serving(env: dict[str, str], log_path: Path) -> Iterator[str]:
    port = free_port()
    command = [str(BIN / "stationmap"), "serve", "--port", str(port), "--workers", "2"]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _until_ready(server, base, log_path)
        yield base
    finally:
        stop_server(server)


def _until_ready(server: subprocess.Popen, base: str, log_path: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped; see {log_path}")
        status, _ = _request("GET", base + "/readyz")
        if status == 200 and _two_workers_ready(base):
            return
        time.sleep(0.5)
    raise SystemExit(f"the server was not ready in 300 s; see {log_path}")


def _two_workers_ready(base: str) -> bool:
    """Twenty answers in a row from /readyz: both workers have their index."""
    return all(_request("GET", base + "/readyz")[0] == 200 for _ in range(20))


# -- the measured requests -------------------------------------------------------------


def _request(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, _json(reply.read(), reply.headers) | {
                "_etag": reply.headers.get("ETag")
            }
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read(), error.headers)
    except OSError:
        return 0, {}


def _json(data: bytes, headers) -> dict:
    kind = headers.get("Content-Type", "")
    return json.loads(data) if "json" in kind and data else {}


def _create_and_watch(base: str, token: str, n: int) -> dict:
    lon = XUANWU[0] + random.uniform(-0.01, 0.01)
    lat = XUANWU[1] + random.uniform(-0.008, 0.008)
    body = {"name": f"基准驿站{n}", "kind": "shop", "lon": lon, "lat": lat, "hours_text": "24小时"}
    started = time.perf_counter()
    status, answer = _request("POST", base + "/api/v1/stations", *_json_body(body, token))
    written = time.perf_counter()
    if status != 201:
        raise SystemExit(f"create answered {status}: {answer}")
    visible = _until_nearest_shows(base, lon, lat, answer["id"], written)
    return {
        "id": answer["id"], "etag": answer["_etag"], "lon": lon, "lat": lat,
        "write_ms": (written - started) * 1000, "visible_ms": visible,
    }  # fmt: skip


def _change_and_watch(base: str, token: str, station: dict) -> dict:
    lon, lat = station["lon"] + 0.0005, station["lat"]
    body, headers = _json_body({"lon": lon, "lat": lat}, token)
    headers["If-Match"] = station["etag"]
    started = time.perf_counter()
    status, answer = _request("PATCH", f"{base}/api/v1/stations/{station['id']}", body, headers)
    written = time.perf_counter()
    if status != 200:
        raise SystemExit(f"change answered {status}: {answer}")
    visible = _until_nearest_shows(base, lon, lat, station["id"], written, moved=True)
    return {"write_ms": (written - started) * 1000, "visible_ms": visible}


def _json_body(body: dict, token: str) -> tuple[bytes, dict[str, str]]:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    return json.dumps(body).encode(), headers


def _until_nearest_shows(
    base: str, lon: float, lat: float, station_id: str, since: float, moved: bool = False
) -> float:
    """Milliseconds from ``since`` until ``nearest`` at the point answers with the station
    (at the point, for a move) :data:`STREAK` times in a row: the streak's first answer."""
    url = f"{base}/api/v1/stations/nearest?lon={lon:.7f}&lat={lat:.7f}&k=1"
    streak_began, streak = None, 0
    deadline = since + 30
    while time.perf_counter() < deadline:
        asked = time.perf_counter()
        _, answer = _request("GET", url)
        features = answer.get("features") or [{}]
        found = features[0].get("id") == station_id
        if found and moved:
            found = features[0]["properties"].get("distance_m", 99) < 1
        if found:
            streak_began = streak_began or asked
            streak += 1
            if streak >= STREAK:
                return (streak_began - since) * 1000
        else:
            streak_began, streak = None, 0
    return float("inf")


def _upload(base: str, token: str, rows: int) -> tuple[float, float, dict]:
    content = _nanjing_list(rows)
    boundary = "benchboundary7d1f"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="crs"\r\n\r\nwgs84\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="list.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Authorization": f"Bearer {token}",
    }
    started = time.perf_counter()
    status, answer = _request("POST", base + "/api/v1/imports", body, headers)
    previewed = time.perf_counter()
    if status != 201:
        raise SystemExit(f"upload answered {status}: {answer}")
    auth = {"Authorization": f"Bearer {token}"}
    status, applied = _request("POST", f"{base}/api/v1/imports/{answer['id']}/apply", b"", auth)
    done = time.perf_counter()
    if status != 200:
        raise SystemExit(f"apply answered {status}: {applied}")
    counts = applied["report"]["counts"]
    return (previewed - started) * 1000, (done - previewed) * 1000, counts


def _nanjing_list(rows: int) -> bytes:
    """A clerk's CSV: name, address, WGS-84 point and hours of ``rows`` stations in 南京."""
    rng = random.Random(7)
    lines = ["驿站名称,详细地址,经度,纬度,开放时间"]
    for n in range(rows):
        lon = rng.uniform(NANJING[0], NANJING[2])
        lat = rng.uniform(NANJING[1], NANJING[3])
        lines.append(f"清单驿站{n},南京市测试路{n}号,{lon:.6f},{lat:.6f},周一至周五 8:30-17:30")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# -- the report ----------------------------------------------------------------------------


def _print_table(results: dict[str, dict], options: argparse.Namespace) -> None:
    print(
        f"\nWrites through the API: {options.writes} creates and {options.writes} changes by a "
        f"city editor's token; {options.stations:,} demo stations (synthetic); "
        "stationmap serve --workers 2"
    )
    print(f"  {'figure':<44}{'backend':>12}{'p50':>10}{'p99':>10}  target")
    for backend, found in results.items():
        for label, key, target in (
            ("create (POST), ms", "create_ms", "p50 < 50"),
            ("create visible on every worker, ms", "create_visible_ms", "p99 < 1000"),
            ("change (PATCH, a move), ms", "change_ms", "p50 < 50"),
            ("change visible on every worker, ms", "change_visible_ms", "p99 < 1000"),
        ):
            values = found[key]
            print(
                f"  {label:<44}{backend:>12}{statistics.median(values):>10.1f}"
                f"{_p99(values):>10.1f}  {target}"
            )
    for backend, found in results.items():
        counts = ", ".join(f"{k} {v}" for k, v in found["counts"].items() if v)
        preview_s, apply_s = found["preview_ms"] / 1000, found["apply_ms"] / 1000
        print(
            f"  {options.upload_rows:,}-row list on {backend}: preview {preview_s:.2f} s "
            f"(target < 10 s), apply {apply_s:.2f} s; {counts}"
        )


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
