"""The API as HTTP clients meet it (issue #11, API rough edges): messages that say what
is missing, CORS for rider apps on other origins, validators and 304s, and over-long
queries answered in JSON, through the app and through the real gunicorn."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from browser import live_server  # noqa: F401  (the fixture: the app served by gunicorn)
from builders import XUANWU, add_station

from stationmap.web.answers import MAX_QUERY_BYTES

NEAREST = "/api/v1/stations/nearest?lon=116.4&lat=39.9"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/stations/nearest?lat=39.9", "lon is required: a number from -180 to 180"),
        ("/api/v1/stations?limit=3", "bbox is required: four numbers"),
        ("/api/v1/counties", "name is required: some text"),
        ("/api/v1/?bogus=1", "bogus: unknown parameter; this endpoint takes no parameters"),
        (
            "/api/v1/regions/provinces?bogus=1",
            "bogus: unknown parameter; this endpoint takes crs",
        ),
    ],
)
def test_messages_say_what_is_missing_or_unknown(client, url, message):
    answer = client.get(url)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"].startswith(message)


def test_one_station_says_when_it_last_changed(app):
    station = add_station(app.extensions["stationmap.store"], "玄武湖驿站", XUANWU)
    answer = app.test_client().get(f"/api/v1/stations/{station.id}")
    assert answer.last_modified is not None
    assert abs((answer.last_modified - station.updated_at).total_seconds()) < 1
    assert answer.headers["ETag"] == '"v1"'  # its version, strong: what If-Match sends


def _get(url: str, headers: dict[str, str] | None = None, method: str = "GET"):
    """The raw answer (status, headers, body) from the served app, errors included."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_gunicorn_lets_a_long_query_reach_the_json_414(live_server):  # noqa: F811
    query = "&pad=" + "x" * 6000  # past gunicorn's default 4,094-byte request line
    status, headers, body = _get(live_server.url + NEAREST + query)
    assert status == 414 and headers["Content-Type"] == "application/json"
    assert b'"uri_too_long"' in body and str(MAX_QUERY_BYTES).encode() in body


def test_a_query_too_long_for_gunicorn_gets_the_same_json_414(live_server):  # noqa: F811
    query = "&pad=" + "x" * 10_000  # the 10 KB query: past what gunicorn reads
    status, headers, body = _get(live_server.url + NEAREST + query)
    assert status == 414 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "uri_too_long"
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_a_rider_app_on_another_origin_may_read_the_api(live_server):  # noqa: F811
    origin = {"Origin": "https://rider.example"}
    preflight = {**origin, "Access-Control-Request-Method": "GET"}
    status, headers, _ = _get(live_server.url + NEAREST, preflight, "OPTIONS")
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in headers["Access-Control-Allow-Methods"]
    for url in (NEAREST, "/api/v1/stations/nearest?lat=1", "/api/v1/stations/zzzzzzzzzz"):
        status, headers, _ = _get(live_server.url + url, origin)
        assert headers["Access-Control-Allow-Origin"] == "*", (url, status)
        assert headers.get("Access-Control-Allow-Credentials") is None


def test_a_current_copy_is_not_sent_again(live_server):  # noqa: F811
    status, headers, body = _get(live_server.url + NEAREST)
    assert status == 200 and body
    status, again, body = _get(live_server.url + NEAREST, {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
