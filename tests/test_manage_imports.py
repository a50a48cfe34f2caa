"""导入 pages: upload → preview table → to-fix file → 确认导入, through the app, signed in."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from builders import table_dump
from conftest import _make_app
from python_calamine import CalamineWorkbook
from test_auth_web import CSRF_FIELD, PASSWORD, sign_in
from test_import_uploads import two_county_list

from stationmap.accounts.users import add_user as add_account
from stationmap.importing.readers import MAX_BYTES
from stationmap.web import close_app
from stationmap.web.endpoints import MAX_UPLOAD_BODY
from stationmap.web.manage_imports import row_ranges

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
UPLOAD_PAGE = re.compile(r"^/manage/imports/([A-Za-z0-9_-]+)$")


def _web(database_url):
    app = _make_app(database_url)
    store = app.extensions["stationmap.store"]
    add_account(store, "clerk", "320102", "editor", PASSWORD)
    add_account(store, "reader", "320102", "viewer", PASSWORD)
    add_account(store, "qinhuai", "320104", "editor", PASSWORD)
    return app, store


@pytest.fixture
def web(spatialite_url):
    """The app on SpatiaLite with a 玄武区 editor (clerk) and viewer (reader), and a
    秦淮区 editor (qinhuai), each signing in with PASSWORD; and its store."""
    app, store = _web(spatialite_url)
    yield app, store
    close_app(app)


@pytest.fixture
def web_both(database_url):
    """The same on each backend."""
    app, store = _web(database_url)
    yield app, store
    close_app(app)


def signed_in_client(app, username="clerk"):
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


def form_token(client, path="/manage/imports") -> str:
    return CSRF_FIELD.search(client.get(path).get_data(as_text=True)).group(1)


def upload(client, content: bytes, name: str, crs: str | None = None, **fields: str):
    """POST the upload form as a browser does (the body built here: the test client's own
    encoder spools a long one to a temporary file it leaves open)."""
    fields = {"crs": crs or "", **fields}
    fields.setdefault("csrf_token", form_token(client))
    body, content_type = multipart(fields, content, name)
    return client.post("/manage/imports", data=body, content_type=content_type)


def multipart(fields: dict[str, str], content: bytes, file_name: str) -> tuple[bytes, str]:
    """A multipart/form-data body of ``fields`` and the file, and its content type."""
    boundary = "stationmap-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    body = b"".join(parts) + head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def uploaded_id(answer) -> str:
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return UPLOAD_PAGE.match(answer.headers["Location"]).group(1)


def post(client, path: str, **data):
    return client.post(path, data={"csrf_token": form_token(client), **data})


def page_text(answer) -> str:
    """The page's visible words, tags dropped and spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.get_data(as_text=True)))


def without_uploads(dump: dict) -> dict:
    return {table: rows for table, rows in dump.items() if table != "import_uploads"}


def test_anonymous_visitors_are_sent_to_sign_in(web):
    app, _ = web
    client = app.test_client()
    for path in ("/manage/imports", "/manage/imports/abc", "/manage/imports/abc/to-fix.xlsx"):
        answer = client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["Location"].startswith("/login?next=/manage/imports")


def test_upload_preview_to_fix_apply(web_both):
    app, store = web_both
    client = signed_in_client(app)
    form = client.get("/manage/imports").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and "WGS-84" in form and "未注明" in form
    upload_id = uploaded_id(upload(client, two_county_list(), "玄武.csv", "wgs84"))
    assert store.count_stations() == 0
    preview = client.get(f"/manage/imports/{upload_id}")
    text = page_text(preview)
    assert preview.status_code == 200 and preview.headers["Cache-Control"] == "private, no-store"
    assert "3 新增" in text and "0 更新" in text and "2 拒绝" in text
    assert "第 5 行" in text and "第 6 行" in text and "不在" in text  # outside the county
    assert "第 2–4 行" in text and "还没有导入" in text and "确认导入" in text
    assert f"/manage/imports/{upload_id}/to-fix.xlsx" in preview.get_data(as_text=True)
    to_fix = client.get(f"/manage/imports/{upload_id}/to-fix.xlsx")
    assert to_fix.status_code == 200 and "attachment" in to_fix.headers["Content-Disposition"]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(to_fix.data)).get_sheet_by_index(0)
    assert [row[0] for row in sheet.to_python()[1:]] == [5, 6]
    applied = post(client, f"/manage/imports/{upload_id}/apply")
    assert applied.status_code == 303 and applied.headers["Location"].endswith(upload_id)
    assert store.count_stations() == 3
    assert "已导入" in page_text(client.get(applied.headers["Location"]))
    listed = page_text(client.get("/manage/imports"))
    assert "玄武.csv" in listed and "clerk" in listed and "已导入" in listed
    assert "新增 3 · 更新 0 · 未变 0 · 重复 0 · 拒绝 2" in listed
    before = table_dump(store)
    again = post(client, f"/manage/imports/{upload_id}/apply")
    assert again.status_code == 409 and "已经导入过" in page_text(again)
    assert table_dump(store) == before


def test_a_stale_preview_asks_to_preview_again_and_writes_nothing(web_both):
    app, store = web_both
    client = signed_in_client(app)
    first = uploaded_id(upload(client, two_county_list(), "a.csv", "wgs84"))
    second = uploaded_id(upload(client, two_county_list(), "b.csv", "wgs84"))
    post(client, f"/manage/imports/{first}/apply")
    before = table_dump(store)
    refused = post(client, f"/manage/imports/{second}/apply")
    assert refused.status_code == 409
    assert "驿站数据在预览后有变动，请重新预览" in page_text(refused)
    assert without_uploads(table_dump(store)) == without_uploads(before)
    assert "/apply" not in refused.get_data(as_text=True)
    anew = post(client, f"/manage/imports/{second}/preview-again")
    fresh = uploaded_id(anew)
    assert fresh != second
    text = page_text(client.get(anew.headers["Location"]))
    assert "b.csv" in text and "3 未变" in text and "0 新增" in text and "确认导入" in text


def test_updated_rows_show_what_changes(web):
    app, _ = web
    client = signed_in_client(app)
    post(
        client,
        f"/manage/imports/{uploaded_id(upload(client, two_county_list(), 'a.csv', 'wgs84'))}/apply",
    )
    changed = two_county_list().decode().replace("玄武区1号", "玄武区一号新址")
    text = page_text(
        client.get(
            f"/manage/imports/{uploaded_id(upload(client, changed.encode(), 'b.csv', 'wgs84'))}"
        )
    )
    assert "1 更新" in text and "第 3 行" in text
    assert "地址 玄武区1号 → 玄武区一号新址" in text


def test_a_viewer_reads_but_does_not_upload_or_apply(web):
    app, store = web
    clerk, reader = signed_in_client(app), signed_in_client(app, "reader")
    upload_id = uploaded_id(upload(clerk, two_county_list(), "a.csv", "wgs84"))
    listing = reader.get("/manage/imports")
    assert listing.status_code == 200 and "a.csv" in page_text(listing)
    assert 'enctype="multipart/form-data"' not in listing.get_data(as_text=True)
    shown = reader.get(f"/manage/imports/{upload_id}")
    assert shown.status_code == 200 and "/apply" not in shown.get_data(as_text=True)
    before = table_dump(store)
    assert upload(reader, two_county_list(), "v.csv", "wgs84").status_code == 403
    assert post(reader, f"/manage/imports/{upload_id}/apply").status_code == 403
    assert table_dump(store) == before


def test_another_countys_upload_is_out_of_reach(web):
    app, store = web
    upload_id = uploaded_id(upload(signed_in_client(app), two_county_list(), "a.csv", "wgs84"))
    other = signed_in_client(app, "qinhuai")
    assert other.get(f"/manage/imports/{upload_id}").status_code == 403
    assert other.get(f"/manage/imports/{upload_id}/to-fix.xlsx").status_code == 403
    before = table_dump(store)
    assert post(other, f"/manage/imports/{upload_id}/apply").status_code == 403
    assert table_dump(store) == before
    assert "a.csv" not in page_text(other.get("/manage/imports"))


@pytest.mark.parametrize(
    "content, name, crs, status, says",
    [
        (b"", "empty.csv", "wgs84", 400, "空"),
        (
            (SAMPLES / "hostile" / "not_excel.xlsx").read_bytes(),
            "x.xlsx",
            "wgs84",
            400,
            "不是有效的",
        ),
        (b"x" * (MAX_BYTES + 1), "big.csv", "wgs84", 413, "文件太大"),
        (b"\x00" * (MAX_UPLOAD_BODY + 1), "huge.csv", "wgs84", 413, "文件太大"),
        ((SAMPLES / "nanjing_xuanwu_2025.xlsx").read_bytes(), "玄武.xlsx", None, 400, "坐标系"),
        (b"a,b\n1,2\n", "", "wgs84", 400, "请选择"),
    ],
    ids=["empty", "not-excel", "too-big", "body-over-limit", "crs-required", "no-file"],
)
def test_bad_files_show_the_form_again_and_keep_nothing(web_both, content, name, crs, status, says):
    app, store = web_both
    client = signed_in_client(app)
    token = form_token(client)
    before = table_dump(store)
    answer = upload(client, content, name, crs, csrf_token=token)
    text = page_text(answer)
    assert answer.status_code == status, text[:500]
    assert says in text and "上传并预览" in text
    assert table_dump(store) == before


def test_the_form_asks_for_the_coordinate_system_when_the_file_does_not_say(web):
    app, _ = web
    client = signed_in_client(app)
    sample = (SAMPLES / "nanjing_xuanwu_2025.xlsx").read_bytes()
    asked = upload(client, sample, "玄武.xlsx")
    page = asked.get_data(as_text=True)
    assert 'class="asked"' in page and "请选择坐标系，再重新选择文件上传" in page
    assert uploaded_id(upload(client, sample, "玄武.xlsx", "wgs84"))


def test_a_form_without_its_csrf_token_is_refused_and_keeps_nothing(web):
    app, store = web
    client = signed_in_client(app)
    upload_id = uploaded_id(upload(client, two_county_list(), "a.csv", "wgs84"))
    before = table_dump(store)
    assert upload(client, two_county_list(), "b.csv", "wgs84", csrf_token="").status_code == 403
    assert client.post(f"/manage/imports/{upload_id}/apply").status_code == 403
    assert client.post(f"/manage/imports/{upload_id}/preview-again").status_code == 403
    assert table_dump(store) == before


def test_long_outcomes_are_paged(web):
    app, _ = web
    client = signed_in_client(app)
    lines = ["驿站名称,经度（WGS84）,纬度（WGS84）"] + [f"驿站{i},abc,32.0" for i in range(120)]
    upload_id = uploaded_id(upload(client, "\n".join(lines).encode(), "bad.csv", "wgs84"))
    first = page_text(client.get(f"/manage/imports/{upload_id}"))
    assert "第 1 / 3 页，共 120 行" in first and "第 2 行" in first and "第 52 行" not in first
    third = page_text(client.get(f"/manage/imports/{upload_id}?rejected_page=3"))
    assert "第 121 行" in third and "第 2 行 " not in third


def test_row_ranges_read_as_a_clerk_writes_them():
    assert row_ranges([9, 3, 4, 5, 12, 13]) == "3–5、9、12–13"
    assert row_ranges([]) == ""
