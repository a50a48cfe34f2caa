"""One answer path: every API route answers byte for byte the same through Flask and
through the WSGI fast path, and a header added in the one place shows on both."""

from __future__ import annotations

import ast
import gzip
import shutil
from pathlib import Path

import pytest
from builders import add_station
from werkzeug.test import Client, EnvironBuilder

from stationmap import create_app, hours, web
from stationmap.demo.loading import load_demo
from stationmap.web import answers, close_app
from stationmap.web.context import SERVICE_KEY
from stationmap.web.endpoints import ROUTES
from stationmap.web.fastpath import FastPath
from stationmap.web.openapi import ENDPOINTS

GZIP = {"Accept-Encoding": "gzip, deflate, br"}

VALID = {
    "/api/v1/": [""],
    "/api/v1/openapi.json": [""],
    "/api/v1/stations/nearest": [
        "lon=116.4&lat=39.9",
        "lon=116.4&lat=39.9&k=50",
        "lon=116.4&lat=39.9&k=3&amenities=toilet&crs=gcj02",
        "lon=116.4&lat=39.9&open_now=true&include_unknown_hours=true",
        "lon=116.4&lat=39.9&open_at=2026-05-01T08:30&kinds=bank,shop",
        "lon=116.4&lat=39.9&max_distance_m=1",
    ],
    "/api/v1/stations/within": ["lon=116.4&lat=39.9&radius_m=200000&limit=20"],
    "/api/v1/stations": ["bbox=73,18,135,54&limit=50", "bbox=116,39,117,40&crs=bd09"],
    "/api/v1/clusters": [
        "bbox=70,15,137,55&zoom=4",
        "bbox=116.3,39.8,116.5,40&zoom=16",
        "bbox=116.3,39.8,116.5,40&zoom=16&open_at=2026-05-01T08:30&include_unknown_hours=1",
    ],
    "/api/v1/stations/{station_id}/navigation": ["", "lon=116.4&lat=39.9&crs=gcj02"],
    "/api/v1/counties": ["name=%E7%8E%84%E6%AD%A6", "name=朝阳&crs=gcj02"],
    "/api/v1/stations/search": ["q=驿站&limit=200", "q=驿站&lon=116.4&lat=39.9&limit=3"],
    "/api/v1/stations/{station_id}": ["", "crs=gcj02", "open_at=2026-05-01T18:00%2B08:00"],
    "/api/v1/regions/provinces": ["", "crs=bd09"],
    "/api/v1/counties/{adcode}/stations": ["", "status=active,closed"],
    "/api/v1/coverage": [
        "level=province&at=10:00",
        "level=county&within=110000&at=2026-05-01T21:00&radius_m=2000&amenities=toilet",
        "level=city&within=320000&at=10:00&format=csv",
        "level=county&within=320100&at=10:00&ride_minutes=5&format=xlsx",
    ],
    "/api/v1/coverage/gaps": ["adcode=110101&at=10:00", "adcode=110000&at=03:00&aggregate=hex"],
    "/api/v1/coverage/proposals": [
        "adcode=110101&p=3&at=10:00",
        "adcode=110101&p=2&at=10:00&exact=false&format=geojson",
        "adcode=110101&p=2&at=10:00&format=csv",
    ],
    "/api/v1/coverage/day": ["adcode=110000&date=2026-05-01", "adcode=110101&format=csv"],
    "/api/v1/coverage/whatif": ["adcode=110101&add=116.40,39.91&at=10:00"],
    "/healthz": [""],
    "/readyz": [""],
}
"""Requests each route answers with a 200 (station_id and adcode filled in per test)."""

INVALID = {
    "/api/v1/": ["bogus=1"],
    "/api/v1/openapi.json": ["bogus=1"],
    "/api/v1/stations/nearest": [
        "lat=39.9",
        "lon=116.4&lat=39.9&k=0",
        "lon=116.4&lat=39.9&k=²",
        "lon=116.4&lat=39.9&bogus=1",
        "lon=139.69&lat=35.69&crs=gcj02",
        "lon=116.4&lat=39.9&open_at=tomorrow",
    ],
    "/api/v1/stations/within": ["lon=116.4&lat=39.9&radius_m=1e9"],
    "/api/v1/stations": ["bbox=1,2,3", "bbox=116,39,117,40&limit=2001"],
    "/api/v1/clusters": ["bbox=116,39,117,40&zoom=21"],
    "/api/v1/stations/{station_id}/navigation": ["x=1", "lon=116.4", "lat=39.9&crs=bd09"],
    "/api/v1/counties": ["", "name=" + "县" * 31],
    "/api/v1/stations/search": ["q=", "q=驿站&limit=201", "q=驿站&lat=39.9"],
    "/api/v1/stations/{station_id}": ["crs=foo"],
    "/api/v1/regions/provinces": ["crs=utm"],
    "/api/v1/counties/{adcode}/stations": ["amenities=sauna"],
    "/api/v1/coverage": [
        "level=town",
        "within=999999",
        "within=32",
        "level=province&within=320102",
        "radius_m=99",
        "radius_m=50001",
        "radius_m=abc",
        "at=25:00",
        "at=soon",
        "ride_minutes=5&radius_m=1000",
        "format=pdf",
        "amenities=sauna",
    ],
    "/api/v1/coverage/gaps": ["", "adcode=999999", "adcode=110101&aggregate=dots"],
    "/api/v1/coverage/proposals": [
        "adcode=110101&p=0",
        "adcode=110101&p=100000",
        "adcode=000000&p=3",
        "p=3",
    ],
    "/api/v1/coverage/day": ["adcode=110101&date=2026-02-30", "adcode=110101&level=town"],
    "/api/v1/coverage/whatif": [
        "adcode=110101&add=116.4",
        "adcode=110101&add=0,0",
        "adcode=110101&remove=zzzzzzzzzz",
    ],
    "/healthz": ["bogus=1"],
    "/readyz": ["bogus=1"],
}
"""Requests each route refuses with a 400 (or outside_china)."""

WRONG_PATHS = [
    "/api/v1/stations/zzzzzzzzzz",  # a well-formed id no station has: 404
    "/api/v1/stations/zzzzzzzzzz/navigation",
    "/api/v1/stations/abc",  # not an id: 400
    "/api/v1/stations/玄武门驿站",
    "/api/v1/counties/32/stations",
    "/api/v1/counties/３２０１０２/stations",
    "/api/v1/counties/999999/stations",  # a well-formed adcode no county has: 404
]


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, spatialite_template):
    """One app on 300 demo stations for the module, the clock held still between the paths."""
    path = tmp_path_factory.mktemp("answer_paths") / "stationmap.sqlite"
    shutil.copy(spatialite_template, path)
    app = create_app({"database_url": f"sqlite:///{path}"})
    load_demo(app.extensions["stationmap.store"], count=300, seed=4)
    minute, real_minute = hours._minute(None), hours._minute
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hours, "_minute", lambda at: minute if at is None else real_minute(at))
        yield app
    close_app(app)


def _filled(path: str, app) -> str:
    store = app.extensions["stationmap.store"]
    station = next(store.iter_stations())
    return path.replace("{station_id}", station.id).replace("{adcode}", station.adcode)


def _through_flask(app, url: str, method: str, headers: dict) -> tuple:
    """Flask's own WSGI app, as the test client sees it without the fast path."""
    response = Client(app.wsgi_app.downstream).open(url, method=method, headers=headers)
    return response.status, response.headers.to_wsgi_list(), response.get_data()


def _through_fast_path(app, url: str, method: str, headers: dict) -> tuple:
    """The WSGI callable called directly; also whether it handed the request to Flask."""
    handed_on = []

    def flask(environ, start_response):
        handed_on.append(True)
        return app.wsgi_app.downstream(environ, start_response)

    fast = FastPath(flask, app.extensions[SERVICE_KEY])
    started = []
    environ = EnvironBuilder(url, method=method, headers=headers).get_environ()
    body = b"".join(fast(environ, lambda status, headers: started.append((status, headers))))
    [(status, sent_headers)] = started
    return (status, list(sent_headers), body), bool(handed_on)


def _assert_same(app, url: str, method: str = "GET", headers: dict | None = None) -> tuple:
    via_flask = _through_flask(app, url, method, headers or {})
    via_fast, handed_on = _through_fast_path(app, url, method, headers or {})
    assert via_fast == via_flask, (method, url, headers)
    return via_fast, handed_on


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(path, query) for path, queries in table.items() for query in queries]


def test_every_route_is_exercised():
    assert set(VALID) == set(INVALID) == set(ROUTES) == set(ENDPOINTS)


@pytest.mark.parametrize("headers", [{}, GZIP], ids=["plain", "gzip"])
@pytest.mark.parametrize(("path", "query"), _cases(VALID))
def test_answers_are_identical_on_both_paths(demo_app, path, query, headers):
    url = _filled(path, demo_app) + (f"?{query}" if query else "")
    (status, sent, body), handed_on = _assert_same(demo_app, url, headers=headers)
    assert status == "200 OK" and not handed_on
    sent = dict(sent)
    assert sent["Content-Length"] == str(len(body))
    if headers and len(body) > 2_000 and "spreadsheetml" not in sent["Content-Type"]:
        assert sent["Content-Encoding"] == "gzip" and gzip.decompress(body)


@pytest.mark.parametrize("headers", [{}, GZIP], ids=["plain", "gzip"])
@pytest.mark.parametrize(("path", "query"), _cases(INVALID))
def test_refusals_are_identical_on_both_paths(demo_app, path, query, headers):
    url = _filled(path, demo_app) + f"?{query}"
    (status, sent, _), handed_on = _assert_same(demo_app, url, headers=headers)
    assert status == "400 BAD REQUEST" and not handed_on
    assert dict(sent)["Content-Type"] == "application/json"


@pytest.mark.parametrize("url", WRONG_PATHS)
def test_unknown_and_malformed_ids_are_identical_on_both_paths(demo_app, url):
    (status, _, _), handed_on = _assert_same(demo_app, url, headers=GZIP)
    assert status[:3] in {"400", "404"} and not handed_on


@pytest.mark.parametrize("path", list(ROUTES))
def test_other_methods_are_identical_on_both_paths(demo_app, path):
    url = _filled(path, demo_app)
    (status, sent, _), handed_on = _assert_same(demo_app, url, "DELETE")
    assert status == "405 METHOD NOT ALLOWED" and handed_on
    # Flask lists the methods of every rule the URL matches: /stations also takes a
    # signed-in POST, /stations/nearest matches /stations/<station_id> (PATCH) as well
    assert {"GET", "HEAD", "OPTIONS"} <= set(dict(sent)["Allow"].split(", "))
    (status, sent, body), handed_on = _assert_same(demo_app, url, "OPTIONS")
    assert status == "204 NO CONTENT" and not handed_on and body == b""
    assert sent == [
        ("Allow", "GET, HEAD, OPTIONS"),
        *answers.PUBLIC_CORS,
        *answers.PREFLIGHT,
        *answers.COMMON_HEADERS,
    ]
    (status, sent, body), handed_on = _assert_same(demo_app, url, "HEAD")
    assert status[:3] in {"200", "400"} and handed_on and body == b""


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/stations/{station_id}/history"),
        ("POST", "/api/v1/stations"),
        ("PATCH", "/api/v1/stations/{station_id}"),
        ("GET", "/api/v1/imports"),
    ],
)
def test_a_signed_in_operation_is_flasks_the_same_401_without_cors(demo_app, method, path):
    """Signed-in operations are not in the fast path's table: it hands them on, so an
    anonymous caller gets the same 401 either way, and no ``*``."""
    url = _filled(path, demo_app)
    (status, sent, body), handed_on = _assert_same(demo_app, url, method, headers=GZIP)
    assert status == "401 UNAUTHORIZED" and handed_on
    assert b'"code":"unauthenticated"' in body
    assert dict(sent)["WWW-Authenticate"].startswith("Bearer")
    assert not any(name.startswith("Access-Control-") for name, _ in sent)


def test_an_unknown_api_path_is_the_same_json_404_on_both_paths(demo_app):
    (status, _, body), handed_on = _assert_same(demo_app, "/api/v1/nothing-here")
    assert status == "404 NOT FOUND" and handed_on and b'"code":"not_found"' in body


ONE_OF_EACH = [
    ("GET", "/api/v1/stations/nearest?lon=116.4&lat=39.9"),  # answered
    ("GET", "/api/v1/stations/nearest?lon=116.4"),  # refused: 400
    ("GET", "/api/v1/stations/zzzzzzzzzz"),  # not found: 404
    ("GET", "/api/v1/nothing-here"),  # Flask's 404
    ("DELETE", "/api/v1/stations"),  # Flask's 405
    ("OPTIONS", "/api/v1/stations"),  # a CORS preflight, later
]


@pytest.mark.parametrize(("method", "url"), ONE_OF_EACH)
def test_a_header_added_in_the_one_place_shows_on_both_paths(demo_app, monkeypatch, method, url):
    monkeypatch.setattr(answers, "COMMON_HEADERS", (("Access-Control-Allow-Origin", "*"),))
    (_, sent, _), _ = _assert_same(demo_app, url, method)
    assert ("Access-Control-Allow-Origin", "*") in sent
    through_app = demo_app.test_client().open(url, method=method)
    assert through_app.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/stations/search", "q=驿站"),
        ("/api/v1/stations", "bbox=73,18,135,54"),
        ("/api/v1/stations/within", "lon=116.4&lat=39.9&radius_m=200000"),
    ],
)
def test_each_documented_limit_is_the_one_enforced(app, path, query):
    """The document's maximum is accepted, one more is a 400 naming limit; no silent cap."""
    for i in range(3):
        add_station(app.extensions["stationmap.store"], name=f"驿站{i}", lonlat=(116.4, 39.9))
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    [limit] = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "limit"]
    maximum = limit["schema"]["maximum"]
    assert client.get(f"{path}?{query}&limit={maximum}").status_code == 200
    refused = client.get(f"{path}?{query}&limit={maximum + 1}")
    assert refused.status_code == 400
    assert refused.get_json()["error"]["message"].startswith("limit:")
    assert f"to {maximum}" in refused.get_json()["error"]["message"]
    assert client.get(f"{path}?{query}&limit=2").get_json()["features"].__len__() == 2


def test_search_documents_the_maximum_it_has_always_enforced(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/api/v1/stations/search"]["get"]["parameters"]
    [limit] = [p for p in parameters if p["name"] == "limit"]
    assert limit["schema"]["maximum"] == 200


def test_an_unexpected_error_is_the_same_logged_500_on_both_paths(demo_app, monkeypatch, caplog):
    def broken(**_):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(demo_app.extensions["stationmap.store"], "count_stations", broken)
    (status, _, body), handed_on = _assert_same(demo_app, "/api/v1/", headers=GZIP)
    assert status == "500 INTERNAL SERVER ERROR" and not handed_on
    assert b'"code":"internal_error"' in body and b"fire" not in body
    assert "the disk is on fire" in caplog.text


@pytest.mark.parametrize(
    "module",
    [
        "answers",
        "endpoints",
        "routing",
        "service",
        "fastpath",
        "params",
        "openapi",
        "page_contents",
    ],
)
def test_the_answer_path_does_not_import_flask(module):
    """Until the import-linter contract holds it: the neutral modules name no Flask import."""
    source = (Path(web.__file__).parent / f"{module}.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.add(node.module.split(".")[0])
    assert "flask" not in imported


@pytest.mark.parametrize("headers", [{}, GZIP], ids=["plain", "gzip"])
@pytest.mark.parametrize(
    "path", ["/api/v1/stations/nearest?lon=116.4&lat=39.9&k=20", "/api/v1/stations/{station_id}"]
)
def test_a_current_copy_is_the_same_304_on_both_paths(demo_app, path, headers):
    url = _filled(path, demo_app)
    (_, sent, _), _ = _assert_same(demo_app, url, headers=headers)
    tag = dict(sent)["ETag"]
    asked = {**headers, "If-None-Match": f'"other", {tag}'}
    (status, sent, body), handed_on = _assert_same(demo_app, url, headers=asked)
    assert status == "304 NOT MODIFIED" and body == b"" and not handed_on
    assert dict(sent)["ETag"] == tag and "Content-Type" not in dict(sent)
    (status, _, _), _ = _assert_same(demo_app, url, headers={"If-None-Match": '"stale"'})
    assert status == "200 OK"


def test_an_over_long_query_is_the_same_json_414_on_both_paths(demo_app):
    url = "/api/v1/stations/nearest?lon=116.4&lat=39.9&q=" + "x" * 6000
    (status, sent, body), handed_on = _assert_same(demo_app, url)
    assert status == "414 REQUEST-URI TOO LONG" and not handed_on
    assert dict(sent)["Content-Type"] == "application/json"
    assert b'"code":"uri_too_long"' in body and b"6" in body


@pytest.mark.parametrize(("method", "url"), ONE_OF_EACH)
def test_public_reads_carry_cors_on_both_paths(demo_app, method, url):
    (_, sent, _), _ = _assert_same(demo_app, url, method)
    cors = ("Access-Control-Allow-Origin", "*")
    assert (cors in sent) == (method in answers.PUBLIC_READS)
    assert ("Access-Control-Allow-Credentials", "true") not in sent


def test_flasks_own_errors_speak_our_words_on_both_paths(demo_app):
    (status, _, body), _ = _assert_same(demo_app, "/api/v1/nothing-here")
    assert status == "404 NOT FOUND" and b"/api/v1/openapi.json" in body
    assert b"requested URL" not in body
    (status, _, body), _ = _assert_same(demo_app, "/api/v1/stations", "DELETE")
    assert status == "405 METHOD NOT ALLOWED"
    assert b'"code":"method_not_allowed"' in body and b"DELETE is not allowed" in body
    assert b"not allowed for the requested URL" not in body
