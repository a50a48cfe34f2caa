"""The signed-in station operations (create, change, history) through the app and its
one answer path for signed-in users (``routing.respond_signed_in``), with a Principal
injected the way every API test signs in, on both backends; and a write reaching the
finder's live index within a second."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
from builders import XUANWU, add_station, add_user, bearer, table_dump
from flask import Flask

from stationmap import create_app
from stationmap.store import Store
from stationmap.web import close_app

BODY = {"name": "玄武区新驿站", "kind": "shop", "lon": XUANWU[0], "lat": XUANWU[1]}


@pytest.fixture
def api(store: Store, database_url: str) -> Iterator[Flask]:
    """The app on the test's store (each backend); its index stops following after."""
    app = create_app({"database_url": database_url})
    yield app
    close_app(app)


def _send(app, method, url, principal=None, body=None, headers=None, raw=None):
    """The reply (status code, headers dict, JSON) to one request through the app."""
    data = raw if raw is not None else json.dumps(body or {}).encode()
    sent = {"Content-Type": "application/json"} | (headers or {}) | bearer(principal)
    reply = app.test_client().open(
        url, method=method, data=data if method != "GET" else None, headers=sent
    )
    return reply.status_code, dict(reply.headers), json.loads(reply.data or b"null")


def test_create_answers_201_with_the_feature_its_etag_and_location(store, api):
    clerk = add_user(store)
    status, headers, feature = _send(api, "POST", "/api/v1/stations", clerk, BODY)
    assert status == 201 and feature["properties"]["name"] == "玄武区新驿站"
    assert headers["ETag"] == '"v1"'
    assert headers["Location"] == f"/api/v1/stations/{feature['id']}"
    assert headers["Content-Type"] == "application/geo+json"
    assert "Access-Control-Allow-Origin" not in headers  # a credentialed write: no *
    [entry] = store.history(feature["id"])
    assert (entry.actor, entry.union) == (clerk.username, clerk.union_name)


def test_a_repeated_idempotency_key_answers_200_with_the_same_feature(store, api):
    clerk = add_user(store)
    key = {"Idempotency-Key": "3f6c8a52-1d2e-4b7a-9c1f-2a3b4c5d6e7f"}
    status, _, first = _send(api, "POST", "/api/v1/stations", clerk, BODY, key)
    again, _, second = _send(api, "POST", "/api/v1/stations", clerk, BODY, key)
    assert (status, again) == (201, 200) and first == second
    assert store.count_stations() == 1


@pytest.mark.parametrize(
    ("change", "headers", "raw", "status", "code"),
    [
        ({}, {"Content-Type": "text/plain"}, None, 415, "unsupported_media_type"),
        ({}, {}, b"{not json", 400, "invalid_json"),
        ({}, {}, b"[1, 2]", 400, "invalid_json"),
        ({}, {}, b'{"name": "' + b"x" * 70_000 + b'"}', 413, "payload_too_large"),
        ({"colour": "red"}, {}, None, 400, "unknown_field"),
        ({"lon": "abc"}, {}, None, 422, "invalid_station"),
        ({"lon": float("nan")}, {}, None, 422, "invalid_station"),
        ({"name": "=1+HYPERLINK(1)"}, {}, None, 422, "invalid_station"),
        ({"lon": 2.35, "lat": 48.86}, {}, None, 422, "invalid_station"),  # Paris
        ({}, {"Idempotency-Key": "键"}, None, 400, "invalid_parameter"),
    ],
)
def test_a_refused_create_answers_its_code_and_writes_nothing(
    store, api, change, headers, raw, status, code
):
    clerk = add_user(store)
    before = table_dump(store)
    got, _, error = _send(api, "POST", "/api/v1/stations", clerk, BODY | change, headers, raw)
    assert (got, error["error"]["code"]) == (status, code)
    assert table_dump(store) == before


def test_a_field_error_names_the_field_in_chinese_first(store, api):
    status, _, error = _send(
        api, "POST", "/api/v1/stations", add_user(store), BODY | {"lon": "abc"}
    )
    assert status == 422
    assert (error["error"]["field"], error["error"]["label"]) == ("lon", "经度")
    assert error["error"]["message"].startswith("经度 (lon): got 'abc', expected a number")


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        (None, 401, "unauthenticated"),
        (("v", "320102", "viewer"), 403, "forbidden"),
        (("qh", "320104", "editor"), 403, "outside_jurisdiction"),
        (("nj", "320100", "editor"), 201, None),
        (("cn", "100000", "admin"), 201, None),
    ],
)
def test_who_may_create_where(store, api, who, status, code):
    principal = add_user(store, *who) if who else None
    got, headers, answer = _send(api, "POST", "/api/v1/stations", principal, BODY)
    assert got == status
    if code:
        assert answer["error"]["code"] == code and store.count_stations() == 0
    if who is None:
        assert headers["WWW-Authenticate"].startswith("Bearer")


def test_patch_needs_the_stations_etag(store, api):
    clerk = add_user(store)
    station = add_station(store)
    url = f"/api/v1/stations/{station.id}"
    status, headers, _ = _send(api, "GET", url)
    assert (status, headers["ETag"]) == (200, '"v1"')
    status, _, _ = _send(api, "GET", url, headers={"If-None-Match": '"v1"'})
    assert status == 304
    cases = [({}, 428, "version_required"), ({"If-Match": '"v9"'}, 412, "version_mismatch")]
    cases += [({"If-Match": 'W/"v1"'}, 412, "version_mismatch")]
    cases += [({"If-Match": 'W/"3b-1a2b3c4d"'}, 412, "version_mismatch")]
    for headers, code, name in cases:
        got, _, error = _send(api, "PATCH", url, clerk, {"name": "新名"}, headers)
        assert (got, error["error"]["code"]) == (code, name), headers
    assert len(store.history(station.id)) == 1
    got, headers, feature = _send(api, "PATCH", url, clerk, {"name": "新名"}, {"If-Match": '"v1"'})
    assert (got, headers["ETag"], feature["properties"]["name"]) == (200, '"v2"', "新名")


def test_two_concurrent_patches_of_one_version_one_wins(store, api):
    clerk = add_user(store)
    station = add_station(store)
    url, barrier, statuses = f"/api/v1/stations/{station.id}", threading.Barrier(2), []

    def patch(name: str) -> None:
        barrier.wait()
        got, _, _ = _send(api, "PATCH", url, clerk, {"name": name}, {"If-Match": '"v1"'})
        statuses.append(got)

    threads = [threading.Thread(target=patch, args=(n,)) for n in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412]
    assert store.get_station(station.id).version == 2


def test_close_with_a_reason_then_reopen_and_read_the_history(store, api):
    clerk = add_user(store)
    station = add_station(store)
    url = f"/api/v1/stations/{station.id}"
    closing = {"status": "temporarily_closed", "reason": "装修", "reopen_on": "2099-01-01"}
    got, _, feature = _send(api, "PATCH", url, clerk, closing, {"If-Match": '"v1"'})
    assert got == 200
    assert feature["properties"]["status_reason"] == "装修"
    assert feature["properties"]["reopen_on"] == "2099-01-01"
    got, _, feature = _send(api, "PATCH", url, clerk, {"status": "active"}, {"If-Match": '"v2"'})
    assert got == 200 and feature["properties"]["status_reason"] is None
    viewer = add_user(store, "v", "320102", "viewer")
    got, headers, history = _send(api, "GET", f"{url}/history", viewer)
    assert got == 200 and "Access-Control-Allow-Origin" not in headers
    entries = history["entries"]
    assert [e["action"] for e in entries] == ["update", "update", "create"]
    assert entries[0]["changes"]["status_reason"] == ["装修", None]
    assert entries[1]["changes"]["status"] == ["active", "temporarily_closed"]
    assert (entries[0]["actor"], entries[0]["union"]) == (clerk.username, clerk.union_name)
    outsider = add_user(store, "qh", "320104", "viewer")
    got, _, error = _send(api, "GET", f"{url}/history", outsider)
    assert (got, error["error"]["code"]) == (403, "outside_jurisdiction")


def test_a_write_reaches_the_finder_within_a_second(app):
    """Written through the use case, found by nearest through the app (its LiveIndex)."""
    from stationmap.editing import create_station

    store = app.extensions["stationmap.store"]
    client = app.test_client()
    url = f"/api/v1/stations/nearest?lon={XUANWU[0]}&lat={XUANWU[1]}&k=1"
    assert client.get(url).get_json()["features"] == []
    station, _ = create_station(store, add_user(store), BODY, None)
    started = time.monotonic()
    while time.monotonic() - started < 1.0:
        features = client.get(url).get_json()["features"]
        if features and features[0]["id"] == station.id:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the new station was not found within a second")


def test_writes_past_the_limit_are_429_with_retry_after_and_write_nothing(store, database_url):
    """One user's writes are counted (reads are not): past STATIONMAP_WRITE_RATE_LIMIT,
    429 rate_limited with Retry-After, and the refused write writes nothing."""
    app = create_app({"database_url": database_url, "write_rate_limit": "2 per minute"})
    try:
        clerk = add_user(store)
        for n in range(2):
            created = _send(app, "POST", "/api/v1/stations", clerk, BODY | {"name": f"驿站{n}"})
            assert created[0] == 201
        for _ in range(3):  # reads go on
            assert (
                _send(app, "GET", f"/api/v1/stations/{created[2]['id']}/history", clerk)[0] == 200
            )
        before = table_dump(store)
        status, headers, answer = _send(app, "POST", "/api/v1/stations", clerk, BODY)
        assert status == 429 and answer["error"]["code"] == "rate_limited"
        assert int(headers["Retry-After"]) > 0
        assert table_dump(store) == before
        other = add_user(store, "other")  # another user has their own count
        assert _send(app, "POST", "/api/v1/stations", other, BODY | {"name": "别人的"})[0] == 201
    finally:
        close_app(app)
