"""Imports through the API: upload → preview → apply, on both backends, through the app."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from builders import add_user, signed_in, table_dump
from jsonschema import Draft202012Validator
from python_calamine import CalamineWorkbook
from test_import_uploads import two_county_list

from stationmap import create_app
from stationmap.errors import PayloadTooLarge
from stationmap.store import Store
from stationmap.store.backend import create_store_engine
from stationmap.web import close_app
from stationmap.web.answers import read_body
from stationmap.web.endpoints import ACTIONS, MAX_UPLOAD_BODY

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def served(database_url):
    """The app on a fresh store of each backend, and that store."""
    with Store(create_store_engine(database_url)) as migrating:
        migrating.init_schema()
    app = create_app({"database_url": database_url})
    yield app.test_client(), app.extensions["stationmap.store"]
    close_app(app)


def _upload(client, principal, content: bytes, name: str, crs: str | None = None, **extra):
    data = {"file": (io.BytesIO(content), name), **({"crs": crs} if crs else {}), **extra}
    return client.post("/api/v1/imports", data=data, **signed_in(principal))


def test_upload_preview_apply_and_list(served):
    client, store = served
    clerk = add_user(store, "xuanwu", "320102", "editor")
    uploaded = _upload(client, clerk, two_county_list(), "南京.csv")
    assert uploaded.status_code == 201, uploaded.get_json()
    body = uploaded.get_json()
    assert body["state"] == "previewed" and body["report"]["counts"]["added"] == 3
    assert body["report"]["rows"]["rejected"] == [5, 6]
    assert uploaded.headers["Location"] == f"/api/v1/imports/{body['id']}"
    assert uploaded.headers["Cache-Control"] == "private, no-store"
    assert store.count_stations() == 0
    applied = client.post(f"/api/v1/imports/{body['id']}/apply", **signed_in(clerk))
    assert applied.status_code == 200 and applied.get_json()["state"] == "applied"
    assert applied.get_json()["report"]["batch_id"] and store.count_stations() == 3
    again = client.post(f"/api/v1/imports/{body['id']}/apply", **signed_in(clerk))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    [listed] = client.get("/api/v1/imports", **signed_in(clerk)).get_json()["imports"]
    assert (listed["id"], listed["user"], listed["file_name"]) == (body["id"], "xuanwu", "南京.csv")
    assert listed["state"] == "applied" and listed["counts"]["added"] == 3
    one = client.get(f"/api/v1/imports/{body['id']}", **signed_in(clerk)).get_json()
    assert one["report"]["counts"] == body["report"]["counts"]


def test_a_stale_preview_is_a_409_and_writes_nothing(served):
    client, store = served
    clerk = add_user(store, "xuanwu", "320102", "editor")
    first = _upload(client, clerk, two_county_list(), "a.csv").get_json()
    second = _upload(client, clerk, two_county_list(), "b.csv").get_json()
    client.post(f"/api/v1/imports/{first['id']}/apply", **signed_in(clerk))
    before = table_dump(store)
    refused = client.post(f"/api/v1/imports/{second['id']}/apply", **signed_in(clerk))
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "conflict" and "preview again" in error["message"]
    after = table_dump(store)
    assert {t: r for t, r in after.items() if t != "import_uploads"} == {
        t: r for t, r in before.items() if t != "import_uploads"
    }


def test_who_may_do_what(served):
    client, store = served
    clerk = add_user(store, "xuanwu", "320102", "editor")
    viewer = add_user(store, "reader", "320102", "viewer")
    other = add_user(store, "qinhuai", "320104", "editor")
    upload_id = _upload(client, clerk, two_county_list(), "a.csv").get_json()["id"]
    paths = [
        ("POST", "/api/v1/imports"),
        ("GET", "/api/v1/imports"),
        ("GET", f"/api/v1/imports/{upload_id}"),
        ("POST", f"/api/v1/imports/{upload_id}/apply"),
        ("GET", f"/api/v1/imports/{upload_id}/to-fix.xlsx"),
    ]
    for method, path in paths:
        anonymous = client.open(path, method=method)
        assert anonymous.status_code == 401, path
        assert anonymous.get_json()["error"]["code"] == "unauthenticated"
        assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    refused = _upload(client, viewer, two_county_list(), "v.csv")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert client.get(f"/api/v1/imports/{upload_id}", **signed_in(viewer)).status_code == 200
    assert client.post(f"/api/v1/imports/{upload_id}/apply", **signed_in(viewer)).status_code == 403
    for method, path in paths[2:]:
        outside = client.open(path, method=method, **signed_in(other))
        assert outside.status_code == 403, path
        assert outside.get_json()["error"]["code"] == "outside_jurisdiction"
    assert client.get("/api/v1/imports", **signed_in(other)).get_json() == {"imports": []}
    assert store.count_stations() == 0


def test_the_to_fix_download_opens_and_names_the_rows(served):
    client, store = served
    clerk = add_user(store, "xuanwu", "320102", "editor")
    upload_id = _upload(client, clerk, two_county_list(), "南京.csv").get_json()["id"]
    download = client.get(f"/api/v1/imports/{upload_id}/to-fix.xlsx", **signed_in(clerk))
    assert download.status_code == 200 and download.headers["Content-Type"] == XLSX
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%8D%97%E4%BA%AC" in download.headers["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(download.data)).get_sheet_by_index(0)
    found = rows.to_python()
    assert [int(r[0]) for r in found[1:]] == [5, 6] and "管辖范围" in found[1][1]


@pytest.mark.parametrize(
    ("data", "content_type", "code", "field"),
    [
        ({"file": (b"", "empty.csv"), "crs": "wgs84"}, None, "unreadable_file", None),
        ({"crs": "wgs84"}, "multipart/form-data", "bad_request", "file"),
        ({"file": (b"a", ""), "crs": "wgs84"}, None, "bad_request", "file"),
        ({"file": (b"a,b\n", "a.csv"), "county": "1"}, None, "bad_request", "county"),
        ({"file": (b"a,b\n", "a.pdf"), "crs": "wgs84"}, None, "unreadable_file", None),
        ({"file": (b"a,b\n", "a.csv"), "crs": "utm"}, None, "invalid_parameter", "crs"),
        ('{"file": "a.csv"}', "application/json", "bad_request", None),
    ],
    ids=["empty", "no-file", "no-file-chosen", "unknown-field", "pdf", "bad-crs", "json"],
)
def test_bad_uploads_are_400s_that_keep_nothing(served, data, content_type, code, field):
    client, store = served
    clerk = add_user(store, "xuanwu", "320102", "editor")
    before = table_dump(store)
    extra = {"content_type": content_type} if content_type else {}
    if isinstance(data, dict):  # files as fresh streams: one test's are closed after it
        data = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
    refused = client.post("/api/v1/imports", data=data, **extra, **signed_in(clerk))
    assert refused.status_code == 400, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == code and error.get("field") == field
    assert any("\u4e00" <= c <= "\u9fff" for c in error["message"])
    assert table_dump(store) == before


def test_a_list_without_its_coordinate_system_asks_for_one(served):
    client, store = served
    clerk = add_user(store, "xuanwu", "320102", "editor")
    refused = _upload(client, clerk, (SAMPLES / "nanjing_xuanwu_2025.xlsx").read_bytes(), "x.xlsx")
    error = refused.get_json()["error"]
    assert refused.status_code == 400 and error["code"] == "crs_required"
    assert error["choices"] == ["wgs84", "gcj02", "bd09"] and error["field"] == "crs"
    chosen = _upload(
        client, clerk, (SAMPLES / "nanjing_xuanwu_2025.xlsx").read_bytes(), "x.xlsx", "wgs84"
    )
    assert chosen.status_code == 201 and chosen.get_json()["report"]["counts"]["added"] == 42


def test_a_body_over_the_limit_is_a_413_before_it_is_read(served):
    client, store = served
    clerk = add_user(store, "xuanwu", "320102", "editor")
    before = table_dump(store)
    huge = client.post(
        "/api/v1/imports",
        data=b"x" * (MAX_UPLOAD_BODY + 1),
        content_type="multipart/form-data; boundary=x",
        **signed_in(clerk),
    )
    assert huge.status_code == 413 and huge.get_json()["error"]["code"] == "payload_too_large"
    assert "MB" in huge.get_json()["error"]["message"]
    assert table_dump(store) == before


def test_read_body_refuses_a_long_body_with_or_without_its_length():
    declared = {"CONTENT_LENGTH": "101", "wsgi.input": io.BytesIO(b"x" * 101)}
    with pytest.raises(PayloadTooLarge):
        read_body(declared, 100)
    assert declared["wsgi.input"].tell() == 0  # refused before reading
    with pytest.raises(PayloadTooLarge):
        read_body({"wsgi.input": io.BytesIO(b"x" * 101)}, 100)
    assert read_body({"CONTENT_LENGTH": "3", "wsgi.input": io.BytesIO(b"abc")}, 100) == b"abc"


def test_malformed_and_unknown_ids(served):
    client, store = served
    clerk = add_user(store, "xuanwu", "320102", "editor")
    assert client.get("/api/v1/imports/abc", **signed_in(clerk)).status_code == 400
    missing = client.post("/api/v1/imports/zzzzzzzzzz/apply", **signed_in(clerk))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/imports?bogus=1", **signed_in(clerk)).status_code == 400


def test_every_answer_is_documented_and_fits_its_schema(served):
    client, store = served
    clerk = add_user(store, "xuanwu", "320102", "editor")
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "security" in operation
    }
    assert documented == set(ACTIONS)
    uploaded = _upload(client, clerk, two_county_list(), "a.csv")
    upload_id = uploaded.get_json()["id"]
    answers = {
        ("POST", "/api/v1/imports"): uploaded,
        ("GET", "/api/v1/imports"): client.get("/api/v1/imports", **signed_in(clerk)),
        ("GET", "/api/v1/imports/{upload_id}"): client.get(
            f"/api/v1/imports/{upload_id}", **signed_in(clerk)
        ),
        ("POST", "/api/v1/imports/{upload_id}/apply"): client.post(
            f"/api/v1/imports/{upload_id}/apply", **signed_in(clerk)
        ),
    }
    for (method, path), answer in answers.items():
        described = document["paths"][path][method.lower()]["responses"][str(answer.status_code)]
        schema = described["content"]["application/json"]["schema"]
        root = {**schema, "components": document["components"]}
        errors = list(Draft202012Validator(root).iter_errors(answer.get_json()))
        assert not errors, (method, path, errors[0].message)
    for status in ("401", "403"):
        assert all(status in o["responses"] for i in document["paths"].values() for o in i.values()
                   if "security" in o)  # fmt: skip


def test_a_list_larger_than_one_read_of_the_body_uploads(served):
    """A 2,000-row CSV (about 150 KB: more than Werkzeug reads at once) is previewed, not
    refused as too large: a field limit once applied to every read, files included."""
    client, store = served
    clerk = add_user(store, "nanjing", "320100", "editor")
    lines = ["驿站名称,详细地址,经度,纬度,开放时间"]
    lines += [
        f"大清单驿站{n},南京市玄武区测试路{n}号,{118.70 + n * 0.0001:.6f},32.05,8:30-17:30"
        for n in range(2000)
    ]
    content = ("\r\n".join(lines) + "\r\n").encode()
    assert len(content) > 128 * 1024
    previewed = _upload(client, clerk, content, "大清单.csv", "wgs84")
    assert previewed.status_code == 201, previewed.get_json()
    assert previewed.get_json()["report"]["counts"]["rows"] == 2000
