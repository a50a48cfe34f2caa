"""The OpenAPI document and the server agree: every documented path, response code and
content type is what the server answers, and every answer a client can provoke (a good
query, a current copy, a bad parameter, an unknown id, an over-long query) is documented.

Our own walk rather than schemathesis (not among the project's dependencies): each
documented path is asked the five kinds of request below through the app, and each
200 body is checked against its documented schema.
"""

from __future__ import annotations

import pytest
from builders import XUANWU, add_station
from jsonschema import Draft202012Validator

from stationmap.web.answers import MAX_QUERY_BYTES
from stationmap.web.endpoints import ACTIONS, ROUTES

REQUIRED_VALUES = {
    "lon": str(XUANWU[0]),
    "lat": str(XUANWU[1]),
    "radius_m": "5000",
    "bbox": "118.7,32.0,118.9,32.1",
    "q": "驿站",
    "name": "玄武",
    "adcode": "320102",
}
"""A value for each required query parameter that finds the station below."""
UNKNOWN = {"station_id": "zzzzzzzzzz", "adcode": "999999"}
"""Well-formed path values nothing has: a 404."""


@pytest.fixture(scope="module")
def served(tmp_path_factory, spatialite_template):
    """The app on one station in 南京玄武 (module-wide: the walk only reads)."""
    import shutil

    from stationmap import create_app
    from stationmap.web import close_app

    path = tmp_path_factory.mktemp("document") / "stationmap.sqlite"
    shutil.copy(spatialite_template, path)
    app = create_app({"database_url": f"sqlite:///{path}"})
    station = add_station(app.extensions["stationmap.store"], "玄武湖驿站", XUANWU)
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    loading, gate = _loading_twin(path)
    found = {"station_id": station.id, "adcode": station.adcode}
    yield client, document, found, loading.test_client()
    gate.set()
    close_app(loading)
    close_app(app)


def _loading_twin(path):
    """A second app on the same store whose index load is held open (a restarting worker)."""
    import threading

    from stationmap import create_app
    from stationmap.web import FINDER_KEY

    app = create_app({"database_url": f"sqlite:///{path}"})
    live = app.extensions[FINDER_KEY]
    gate = threading.Event()
    live.on_load = lambda index: gate.wait(60)
    live.warm()
    return app, gate


def _operations(document: dict) -> list[tuple[str, dict]]:
    """The public reads (the signed-in operations are checked below and, with a caller,
    in tests/test_editing_api.py and tests/test_api_imports.py)."""
    return [
        (path, item["get"])
        for path, item in document["paths"].items()
        if "get" in item and "security" not in item["get"]
    ]


def test_every_public_read_is_a_route_and_every_signed_in_operation_is_declared(served):
    _, document, _, _ = served
    assert {p for p, _ in _operations(document)} == set(ROUTES)
    signed_in = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "security" in operation
    }
    assert signed_in == set(ACTIONS)
    assert {("POST", "/api/v1/stations"), ("GET", "/api/v1/imports")} <= signed_in
    schemes = document["components"]["securitySchemes"]
    assert set(schemes) == {"bearer", "session"}
    assert "X-CSRFToken" in schemes["session"]["description"]


def test_signed_in_operations_document_the_contracts_codes(served):
    client, document, found, _ = served
    for method, path in ACTIONS:
        operation = document["paths"][path][method.lower()]
        codes = set(operation["responses"])
        assert {"401", "403"} <= codes, (method, path)
        body = operation.get("requestBody", {}).get("content", {})
        if "application/json" in body:
            assert {"400", "413", "415", "422", "429"} <= codes, (method, path)
        url = path.replace("{station_id}", found["station_id"])
        url = url.replace("{upload_id}", found["station_id"])
        refused = client.open(url, method=method, json={})
        assert refused.status_code == 401, (method, path)
        assert "Access-Control-Allow-Origin" not in refused.headers
        root = {**operation["responses"]["401"]["content"]["application/json"]["schema"]}
        root["components"] = document["components"]
        assert not list(Draft202012Validator(root).iter_errors(refused.get_json()))
    patch = document["paths"]["/api/v1/stations/{station_id}"]["patch"]["responses"]
    assert {"412", "428"} <= set(patch)
    assert {"200", "201"} <= set(document["paths"]["/api/v1/stations"]["post"]["responses"])
    upload = document["paths"]["/api/v1/imports"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]


def _url(path: str, operation: dict, path_values: dict[str, str]) -> str:
    """``path`` with its path parameters filled and its required query parameters given."""
    for name, value in path_values.items():
        path = path.replace("{" + name + "}", value)
    query = [
        f"{p['name']}={REQUIRED_VALUES[p['name']]}"
        for p in operation["parameters"]
        if p["in"] == "query" and p["required"]
    ]
    return f"{path}?{'&'.join(query)}"


def _provoked(
    client, path: str, operation: dict, found: dict[str, str], loading
) -> dict[str, object]:
    """The answer to each kind of request a client can send this path, by expected code
    (a 503 where a worker still loading its index answers so)."""
    url = _url(path, operation, found)
    good = client.get(url)
    answers = {
        "200": good,
        "304": client.get(url, headers={"If-None-Match": good.headers.get("ETag", "none")}),
        "400": client.get(f"{url}&bogus=1"),
        "414": client.get(f"{url}&pad={'x' * MAX_QUERY_BYTES}"),
    }
    if "{" in path:
        answers["404"] = client.get(_url(path, operation, UNKNOWN))
    while_loading = loading.get(url)
    if while_loading.status_code == 503:
        answers["503"] = while_loading
    return answers


def test_every_documented_answer_is_what_the_server_sends(served):
    client, document, found, loading = served
    disagreements = []
    for path, operation in _operations(document):
        documented = operation["responses"]
        provoked = _provoked(client, path, operation, found, loading)
        if set(documented) != set(provoked):
            disagreements.append(
                f"{path}: documents {sorted(documented)}, a client can get {sorted(provoked)}"
            )
        for code, answer in provoked.items():
            if str(answer.status_code) != code:
                disagreements.append(f"{path}: asked for a {code}, got {answer.status_code}")
                continue
            content = documented.get(code, {}).get("content")
            media = answer.headers.get("Content-Type")
            if (list(content) if content else [None]) != [media]:
                disagreements.append(
                    f"{path} {code}: documents {content and list(content)}, sends {media}"
                )
    assert disagreements == []


def test_every_documented_body_fits_its_schema(served):
    client, document, found, loading = served
    for path, operation in _operations(document):
        for code, answer in _provoked(client, path, operation, found, loading).items():
            content = operation["responses"][code].get("content")
            if not content:
                continue
            [(_, media)] = content.items()
            root = {**media["schema"], "components": document["components"]}
            errors = list(Draft202012Validator(root).iter_errors(answer.get_json()))
            assert not errors, (path, code, errors[0].message)


def test_an_unknown_county_is_a_404_like_its_page(served):
    client, _, _, _ = served
    answer = client.get("/api/v1/counties/999999/stations")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"
    assert "999999" in answer.get_json()["error"]["message"]
