"""A worker still loading its index answers at once: 503, Retry-After, a Chinese message.

On a restart the first nearest request used to hang 7-30 s while the worker built its
index. Here the app's index load is held open (its ``on_load`` hook waits for the test)
and every endpoint that needs the index must answer within a fraction of a second,
through Flask and through the WSGI fast path, then 200 once the load finishes.
``/healthz`` answers throughout; ``/readyz`` turns from 503 to 200.
"""

from __future__ import annotations

import threading
import time

import pytest
from builders import add_station
from werkzeug.test import Client

from stationmap.web import FINDER_KEY, STORE_KEY

QUICK = 1.0
"""Seconds within which a loading worker must answer (it used to take 7-30)."""

NEEDS_INDEX = [
    "/api/v1/stations/nearest?lon=118.7975&lat=32.0485",
    "/api/v1/stations/within?lon=118.7975&lat=32.0485&radius_m=5000",
    "/api/v1/stations?bbox=118,31,119,33",
    "/api/v1/clusters?bbox=118,31,119,33&zoom=8",
    "/api/v1/stations/search?q=驿站",
    "/api/v1/stations/{id}",
    "/api/v1/counties/320102/stations",
]


@pytest.fixture
def loading_app(app):
    """The app with its index load started and held until the test calls ``finish()``."""
    station = add_station(app.extensions[STORE_KEY], name="玄武驿站")
    live = app.extensions[FINDER_KEY]
    gate = threading.Event()
    primed = live.on_load

    def held(index) -> None:
        assert gate.wait(30), "the test never let the load finish"
        if primed is not None:
            primed(index)

    live.on_load = held
    live.warm()
    yield app, station.id, gate
    gate.set()


def _timed_get(client: Client, url: str):
    """GET ``url``; fails if no answer comes within :data:`QUICK` seconds."""
    answers = []
    worker = threading.Thread(target=lambda: answers.append(client.get(url)), daemon=True)
    started = time.perf_counter()
    worker.start()
    worker.join(QUICK)
    assert answers, f"{url} held the connection for over {QUICK} s while the index loaded"
    return answers[0], time.perf_counter() - started


def _clients(app) -> dict[str, Client]:
    return {"fast path": Client(app.wsgi_app), "flask": Client(app.wsgi_app.downstream)}


def test_a_loading_worker_answers_503_with_retry_after_at_once_then_200(loading_app):
    app, station_id, gate = loading_app
    for name, client in _clients(app).items():
        for url in NEEDS_INDEX:
            response, _ = _timed_get(client, url.replace("{id}", station_id))
            assert response.status_code == 503, (name, url, response.status_code)
            assert int(response.headers["Retry-After"]) >= 1
            error = response.get_json()["error"]
            assert error["code"] == "index_loading"
            assert error["message"].startswith("驿站数据正在加载，请稍后再试（约")
            assert error["retry_after"] == int(response.headers["Retry-After"])
        ready, _ = _timed_get(client, "/readyz")
        assert ready.status_code == 503 and ready.get_json()["index"]["loaded"] is False
        assert _timed_get(client, "/healthz")[0].status_code == 200
    gate.set()
    app.extensions[FINDER_KEY].current()  # the load finishes
    for name, client in _clients(app).items():
        for url in NEEDS_INDEX:
            response, _ = _timed_get(client, url.replace("{id}", station_id))
            assert response.status_code == 200, (name, url, response.status_code)
        figures = client.get("/readyz").get_json()
        assert figures["ready"] is True and figures["index"]["stations"] == 1
        assert figures["database"]["reachable"] is True


def test_a_page_that_needs_the_index_says_so_in_chinese_while_it_loads(loading_app):
    app, station_id, _ = loading_app
    response, _ = _timed_get(app.test_client(), f"/stations/{station_id}")
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert "驿站数据正在加载" in response.get_data(as_text=True)


def test_healthz_and_readyz_once_loaded(client):
    assert client.get("/healthz").get_json() == {"status": "alive"}
    client.get("/api/v1/stations/nearest?lon=118.7975&lat=32.0485")  # loads in process
    figures = client.get("/readyz").get_json()
    assert figures["ready"] is True and figures["index"]["loaded"] is True
    assert figures["database"]["dialect"] == "sqlite"
