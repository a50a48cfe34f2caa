"""Writes reach every worker's index within a second, and readers never see half an index."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from builders import add_station
from commands import free_port
from index_follower import follow

from stationmap.demo.loading import load_demo
from stationmap.store import Store
from stationmap.store.backend import create_store_engine

WORKERS = 2


@pytest.fixture
def followers(database_url):
    """Two separate processes, each following the store with its own LiveIndex."""
    context = multiprocessing.get_context("spawn")
    ready = [context.Event() for _ in range(WORKERS)]
    commands = [context.Queue() for _ in range(WORKERS)]
    reports = context.Queue()
    processes = [
        context.Process(target=follow, args=(database_url, r, c, reports))
        for r, c in zip(ready, commands, strict=True)
    ]
    for process in processes:
        process.start()
    for event in ready:
        assert event.wait(60), "a follower did not load its index"
    yield commands, reports
    for queue in commands:
        queue.put(None)
    for process in processes:
        process.join(20)
        assert process.exitcode == 0


def _seen_after(commands, reports, station_id: str, status: str, written_at: float) -> list:
    for queue in commands:
        queue.put((station_id, status))
    return [reports.get(timeout=30) - written_at for _ in commands]


def test_a_new_and_a_closed_station_reach_every_process_within_a_second(store, followers):
    commands, reports = followers
    station = add_station(store, name="新开驿站")
    delays = _seen_after(commands, reports, station.id, "active", time.time())
    assert all(d is not None and d < 1.0 for d in delays), delays
    store.update_station(station.id, {"status": "closed"}, actor="t")
    delays = _seen_after(commands, reports, station.id, "closed", time.time())
    assert all(d is not None and d < 1.0 for d in delays), delays


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


@pytest.fixture
def served(spatialite_url: str, tmp_path: Path):
    """``stationmap serve --workers 2`` on a fresh SpatiaLite store with a small demo set."""
    with Store(create_store_engine(spatialite_url)) as store:
        load_demo(store, count=400, seed=3)
    port = free_port()
    env = {
        **os.environ,
        "STATIONMAP_DATABASE_URL": spatialite_url,
        "STATIONMAP_LOG_LEVEL": "WARNING",
    }
    cli = Path(sys.executable).with_name("stationmap")
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [str(cli), "serve", "--port", str(port), "--workers", str(WORKERS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            _get(base + "/api/v1/")
            break
        except OSError:
            time.sleep(0.2)
    yield base
    server.send_signal(signal.SIGTERM)
    server.wait(30)
    log.close()


def _until_every_worker_is_ready(url: str, in_a_row: int = 20) -> None:
    """Wait until ``url`` answers 200 ``in_a_row`` times (a loading worker answers 503)."""
    deadline, answered = time.time() + 60, 0
    while answered < in_a_row:
        assert time.time() < deadline, "the workers never finished loading their indexes"
        try:
            answered = answered + 1 if _get(url)[0] == 200 else 0
        except urllib.error.HTTPError as error:
            assert error.code == 503 and error.headers["Retry-After"]
            answered = 0
            time.sleep(0.2)


def test_http_workers_answer_a_fresh_write_and_stay_whole_during_a_reload(served, spatialite_url):
    nearest = served + "/api/v1/stations/nearest?lon=118.7975&lat=32.0485&k=1"
    _until_every_worker_is_ready(nearest)
    with Store(create_store_engine(spatialite_url)) as store:
        station = add_station(store, name="刚登记的驿站")
        time.sleep(1.0)
        answers = [_get(nearest)[1].decode() for _ in range(30)]
        assert all(station.id in body for body in answers)
        load_demo(store, count=500, seed=9)  # replaces the whole demo set
    deadline = time.time() + 3
    while time.time() < deadline:
        status, body = _get(nearest)
        assert status == 200 and json.loads(body)["type"] == "FeatureCollection"
