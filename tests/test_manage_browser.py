"""A clerk's day in Chromium at phone size, against a real server with no map tiles: sign
in, add a station by dragging the pin, see it on the rider page within a second, edit its
hours, pause it, read its history, sign out. Each page is saved as a screenshot."""

# ruff: noqa: F811  (the fixtures imported from browser.py are test parameters too)

from __future__ import annotations

import re
import time
import urllib.error
from collections.abc import Iterator
from datetime import timedelta

import pytest
from browser import (  # noqa: F401
    PASSWORD,
    _block,
    _is_local,
    _note_console_error,
    _phone,
    browser,
    save_screenshot,
    serving_with_users,
)
from playwright.sync_api import Browser, BrowserContext, Page, expect

from stationmap.hours import now_in_china

NEAR_AT_ONCE_S = 1.0
"""A saved station is in the finder's answers within this long."""


@pytest.fixture(scope="module")
def clerk_server(tmp_path_factory: pytest.TempPathFactory):
    """``stationmap serve`` on a small demo set, no map tiles, with one 玄武区 editor."""
    users = [("clerk", "320102", "editor")]
    with serving_with_users(tmp_path_factory.mktemp("manage"), users, demo=(3000, 5)) as server:
        yield server


@pytest.fixture
def problems() -> Iterator[list[str]]:
    """Console errors and requests off 127.0.0.1 seen by any page of the test."""
    seen: list[str] = []
    yield seen
    if seen:
        pytest.fail("the pages misbehaved:\n  " + "\n  ".join(seen), pytrace=False)


def _context(browser: Browser, server, problems: list[str], geolocation=None) -> BrowserContext:
    context = browser.new_context(**_phone(geolocation), base_url=server.url)
    context.route(lambda url: not _is_local(url), lambda route: _block(route, problems))
    context.on("console", lambda message: _note_console_error(message, problems))
    context.on("weberror", lambda error: problems.append(f"uncaught error: {error.error}"))
    return context


@pytest.fixture
def phone(browser: Browser, clerk_server, problems: list[str]) -> Iterator[Page]:
    context = _context(browser, clerk_server, problems)
    page = context.new_page()
    page.set_default_timeout(8_000)
    yield page
    context.close()


def _drag_pin(page: Page, dx: float, dy: float) -> None:
    """Drag the form's pin by (dx, dy) pixels with the mouse."""
    box = page.locator(".edit-pin").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=5)
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()


def _seconds_until_found(server, station_id: str, lon: float, lat: float) -> float:
    """How long after now the finder's nearest answer at (lon, lat) holds the station."""
    start = time.monotonic()
    while time.monotonic() - start < 10:
        found = server.get_json(f"/api/v1/stations/nearest?lon={lon}&lat={lat}&k=3")
        if station_id in [f["id"] for f in found["features"]]:
            return time.monotonic() - start
        time.sleep(0.05)
    return float("inf")


def _station_when_known(server, station_id: str) -> dict:
    """The station's Feature, from a worker that knows it (each learns within a second)."""
    deadline = time.monotonic() + NEAR_AT_ONCE_S
    while True:
        try:
            return server.get_json(f"/api/v1/stations/{station_id}")
        except urllib.error.HTTPError as error:
            if error.code != 404 or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_a_clerk_adds_edits_pauses_and_reads_a_station(
    phone: Page, browser: Browser, clerk_server, problems: list[str]
):
    phone.goto("/login?next=/manage")
    phone.get_by_label("用户名", exact=True).fill("clerk")
    phone.get_by_label("密码", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="登录", exact=True).click()
    expect(phone).to_have_url(re.compile(r"/manage$"))
    expect(phone.locator("h1")).to_contain_text("工作台")

    # 新增驿站: drag the pin, fill the fields, see the county and the hours as riders will
    phone.get_by_role("link", name="新增驿站").first.click()
    expect(phone).to_have_url(re.compile(r"/manage/stations/new$"))
    expect(phone.locator(".edit-pin")).to_be_visible()
    phone.locator(".edit-pin").scroll_into_view_if_needed()
    _drag_pin(phone, 24, 14)
    expect(phone.locator("#county")).to_contain_text("玄武区")
    expect(phone.locator("#county")).to_have_class(re.compile("good"))
    assert phone.locator("#crs").input_value() == "wgs84"
    lon, lat = (
        float(phone.locator("#lon").input_value()),
        float(phone.locator("#lat").input_value()),
    )
    assert 118.7 < lon < 118.9 and 31.9 < lat < 32.2
    phone.get_by_label("名称").fill("玄武区浏览器驿站")
    phone.get_by_label("类型").select_option("community_centre")
    phone.get_by_label("地址").fill("北京东路41号")
    phone.get_by_label("热水").check()
    phone.get_by_label("卫生间").check()
    phone.get_by_label("开放时间").fill("周一至周五 8:30-17:30")
    expect(phone.locator("#hours-rider")).to_have_text("周一至周五 08:30-17:30")
    expect(phone.locator("#hours-osm")).to_have_text("Mo-Fr 08:30-17:30")
    phone.get_by_label("电话").fill("025-8888 1234")
    phone.locator("#hours_text").scroll_into_view_if_needed()
    shots = [save_screenshot(phone, "manage-new.png")]
    phone.get_by_role("button", name="保存").click()
    expect(phone).to_have_url(re.compile(r"/manage/stations/\w{10}$"))
    saved = time.monotonic()
    station_id = phone.url.rsplit("/", 1)[1]
    expect(phone.locator("h1")).to_have_text("玄武区浏览器驿站")

    # the rider page finds it, near that point, within a second of the save (every worker
    # follows the store: until its next look, the API may not know the station yet)
    waited = _seconds_until_found(clerk_server, station_id, lon, lat)
    assert time.monotonic() - saved < NEAR_AT_ONCE_S + 0.5 and waited < NEAR_AT_ONCE_S
    feature = _station_when_known(clerk_server, station_id)
    at = feature["geometry"]["coordinates"]
    assert abs(at[0] - lon) < 1e-5 and abs(at[1] - lat) < 1e-5  # the map's system is WGS-84
    rider_context = _context(browser, clerk_server, problems, geolocation=tuple(at))
    rider = rider_context.new_page()
    rider.goto("/")
    # 开放中 is on at first, and the station keeps office hours: at night it is not listed
    open_now = rider.locator("button[data-open-now]")
    expect(open_now).to_have_attribute("aria-pressed", "true")
    open_now.click()
    expect(open_now).to_have_attribute("aria-pressed", "false")
    expect(rider.locator(f'#list li.station[data-id="{station_id}"]')).to_be_visible()
    expect(rider.locator("#list li.station").first).to_contain_text("玄武区浏览器驿站")
    rider_context.close()
    shots.append(save_screenshot(phone, "manage-station.png"))

    # 编辑: the hours
    phone.get_by_role("link", name="编辑", exact=True).click()
    expect(phone).to_have_url(re.compile(rf"/manage/stations/{station_id}/edit$"))
    expect(phone.locator("#county")).to_contain_text("玄武区")
    expect(phone.get_by_label("开放时间")).to_have_value("周一至周五 8:30-17:30")
    phone.get_by_label("开放时间").fill("每天 7:00-21:00")
    expect(phone.locator("#hours-rider")).to_contain_text("07:00-21:00")
    phone.locator("#hours_text").scroll_into_view_if_needed()
    shots.append(save_screenshot(phone, "manage-edit.png"))
    phone.get_by_role("button", name="保存").click()
    expect(phone).to_have_url(re.compile(rf"/manage/stations/{station_id}$"))
    expect(phone.locator(".fields")).to_contain_text("07:00-21:00")

    # 暂停开放 with a reason and a reopening day
    phone.get_by_role("link", name="暂停开放").click()
    phone.get_by_label("原因").fill("设备检修")
    reopen = (now_in_china().date() + timedelta(days=7)).isoformat()
    phone.get_by_label("预计恢复开放日期").fill(reopen)
    shots.append(save_screenshot(phone, "manage-pause.png"))
    phone.get_by_role("button", name="确认暂停开放").click()
    expect(phone).to_have_url(re.compile(rf"/manage/stations/{station_id}$"))
    expect(phone.locator(".status-note")).to_contain_text("设备检修")
    expect(phone.locator(".status-note")).to_contain_text(reopen)

    # 历史: both changes, newest first, in words
    phone.get_by_role("link", name="历史").click()
    changes = phone.locator(".history .change")
    expect(changes).to_have_count(3)
    expect(changes.nth(0)).to_contain_text("暂停开放")
    expect(changes.nth(0)).to_contain_text("设备检修")
    expect(changes.nth(1)).to_contain_text("开放时间")
    expect(changes.nth(1)).to_contain_text("周一至周五 08:30-17:30")
    expect(changes.nth(2)).to_contain_text("新增")
    expect(changes.first).to_contain_text("clerk（玄武区总工会）")
    shots.append(save_screenshot(phone, "manage-history.png"))

    # back at the 工作台, the station and its changes are listed
    phone.get_by_role("link", name="工作台").first.click()
    expect(phone.locator(f'li.station[data-id="{station_id}"]')).to_contain_text("暂停开放")
    shots.append(save_screenshot(phone, "manage-workbench.png"))
    phone.get_by_role("button", name="退出").click()
    expect(phone).to_have_url(re.compile(r"/login$"))
    phone.goto("/manage")
    expect(phone).to_have_url(re.compile(r"/login\?next=/manage$"))
    assert all(shot.exists() for shot in shots)
