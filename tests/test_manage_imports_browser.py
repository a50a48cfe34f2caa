"""导入 and 用户管理 in real Chromium at phone size, against a real server with no internet.

A clerk of 成都市武侯区 uploads the sample list of its county (the page asks for the
coordinate system: it is BD-09), reads the preview, downloads the rows to fix, confirms,
and finds the stations on the rider page; an admin of 成都市 adds a user and sees its
password once. Screenshots go to test-artifacts/screenshots/.
"""

# ruff: noqa: F811  (the fixtures imported from browser.py are test parameters too)

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import (  # noqa: F401  (fixtures are found by name)
    PASSWORD,
    _block,
    _is_local,
    _note_console_error,
    _phone,
    browser,
    save_screenshot,
    serving_with_users,
)
from playwright.sync_api import Browser, Page, expect
from python_calamine import CalamineWorkbook

from stationmap.coordinates import to_wgs84

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
WUHOU_LIST = SAMPLES / "wuhou_chengdu_bd09.xlsx"
FIRST_STATION = "簇桥社区户外劳动者服务站"
"""Row 2 of the 武侯区 list, at BD-09 (104.047223, 30.578026)."""
USERS = (("wuhou", "510107", "editor"), ("chengdu", "510100", "admin"))


def _first_station_wgs84() -> tuple[float, float]:
    lons, lats = to_wgs84([104.047223], [30.578026], "bd09")
    return float(lons[0]), float(lats[0])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory):
    """``stationmap serve`` on an empty store with a 武侯区 editor and a 成都市 admin
    (added by the command; replaces the session's demo server for this module's ``page``)."""
    with serving_with_users(tmp_path_factory.mktemp("manage"), USERS) as server:
        yield server


ANSWERED_WITH_A_STATUS = re.compile(
    r"Failed to load resource: the server responded with a status of 400 .*/manage/imports\)$"
)
"""The one console error a page here may log: Chromium's note that the form it shows
again (asking for the coordinate system) came with status 400."""


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A phone-sized page standing at the first station of the 武侯区 list; as browser.py's
    ``page``, it fails the test on a console error (but the 400 above) or on any request
    off 127.0.0.1."""
    context = browser.new_context(**_phone(_first_station_wgs84()), base_url=live_server.url)
    context.set_default_timeout(5_000)
    problems: list[str] = []
    context.route(lambda url: not _is_local(url), lambda route: _block(route, problems))
    page = context.new_page()
    page.on("console", lambda message: _note_console_error(message, problems))
    page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
    yield page
    context.close()
    problems = [p for p in problems if not ANSWERED_WITH_A_STATUS.search(p)]
    if problems:
        pytest.fail("the page misbehaved:\n  " + "\n  ".join(problems), pytrace=False)


def sign_in(page: Page, username: str, next_path: str) -> None:
    page.goto(f"/login?next={next_path}")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def sign_out(page: Page) -> None:
    page.locator(".manage-nav").get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_a_clerk_uploads_previews_fixes_and_confirms_a_list(page: Page, tmp_path: Path):
    sign_in(page, "wuhou", "/manage/imports")
    expect(page.get_by_role("heading", name="导入驿站名单")).to_be_visible()
    save_screenshot(page, "manage-imports.png")

    page.locator("#file").set_input_files(WUHOU_LIST)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_role("alert")).to_contain_text("坐标系")
    save_screenshot(page, "manage-imports-crs.png")

    page.locator("#crs").select_option("bd09")
    page.locator("#file").set_input_files(WUHOU_LIST)
    page.get_by_role("button", name="上传并预览").click()
    expect(page).to_have_url(re.compile(r"/manage/imports/[\w-]+$"))
    expect(page.locator(".previewed")).to_contain_text("还没有导入")
    added = int(page.locator(".import-counts .added .n").inner_text())
    rejected = int(page.locator(".import-counts .rejected .n").inner_text())
    assert added > 0 and rejected > 0
    listed_rows = [
        int(re.search(r"\d+", text).group())
        for text in page.locator("#rejected .rows > li > .row-no").all_inner_texts()
    ]
    assert len(listed_rows) == rejected and 22 in listed_rows  # row 22 lies in Tokyo
    save_screenshot(page, "manage-import-preview.png")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载待修改表").click()
    to_fix = tmp_path / download.value.suggested_filename
    download.value.save_as(to_fix)
    assert to_fix.name == "wuhou_chengdu_bd09-待修改.xlsx"
    rows = CalamineWorkbook.from_path(str(to_fix)).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["原行号", "问题"]
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(listed_rows)

    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".applied")).to_contain_text("已导入")
    expect(page.locator(".applied")).to_contain_text(f"新增 {added} 个")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    save_screenshot(page, "manage-import-applied.png")

    page.goto("/manage/imports")
    expect(page.locator(".upload-list li").first).to_contain_text("已导入")
    expect(page.locator(".upload-list li").first).to_contain_text("wuhou_chengdu_bd09.xlsx")

    page.goto("/")
    open_now = page.locator("[data-open-now]")
    if open_now.get_attribute("aria-pressed") == "true":  # 工作日 hours: maybe closed now
        open_now.click()
    expect(page.locator("#list li.station").first).to_contain_text(FIRST_STATION)

    page.goto("/manage/imports")
    sign_out(page)


def test_an_admin_adds_a_user_and_sees_the_password_once(page: Page):
    sign_in(page, "chengdu", "/manage/users")
    expect(page.get_by_role("heading", name="用户管理")).to_be_visible()
    expect(page.locator(".user-list")).to_contain_text("wuhou")
    save_screenshot(page, "manage-users.png")

    page.get_by_label("用户名", exact=True).fill("wuhou.viewer")
    page.get_by_label("所属工会（6 位行政区划代码）").fill("510107")
    page.get_by_label("角色").select_option("viewer")
    page.get_by_role("button", name="新增用户").click()
    expect(page.get_by_role("heading")).to_contain_text("已新增用户 wuhou.viewer")
    password = page.locator("#password").inner_text()
    assert len(password) >= 12
    save_screenshot(page, "manage-user-added.png")

    page.get_by_role("link", name="返回用户管理").click()
    expect(page.locator(".user-list")).to_contain_text("wuhou.viewer")
    assert password not in page.content()
    sign_out(page)
