"""The rider page in real Chromium on a phone (390 x 844), where riders meet it: typed
search measured from the rider, the county chooser, remembered chips, the list's "more",
the card, API errors and the navigation hand-off. Screenshots go to
test-artifacts/screenshots/.

The server holds the demo set plus a few stations the searches must find: banks in
北京朝阳区 (and one in 山东招远 whose name has both words, where the page used to jump),
stations on and beside 上海 南京东路.
"""

# ruff: noqa: F811  (the fixtures imported from browser.py are test parameters too)

from __future__ import annotations

import json
import os
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from browser import (  # noqa: F401  (fixtures are found by name)
    BEIJING,
    DEMO_COUNT,
    DEMO_SEED,
    LOCAL_HOST,
    LiveServer,
    _cli,
    _phone,
    _run_cli,
    browser,
    geolocation,
    page,
    save_screenshot,
    serving,
)
from builders import draft
from playwright.sync_api import Page, expect

from stationmap.store import Store
from stationmap.store.backend import create_store_engine

PEOPLES_SQUARE = (121.4737, 31.2304)
"""A rider at 上海 人民广场, a few hundred metres from 南京东路."""
CHAOYANG_BANKS = [(116.43 + 0.01 * i, 39.91 + 0.008 * (i % 4)) for i in range(12)]
"""Twelve banks in 北京朝阳区, east of a rider at 天安门."""
FIRST_STATION = "#list li.station"
STATUS = "#status"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory):
    """The app on the demo set plus the stations the searches must find (replaces the
    session's server for this module's ``page``)."""
    folder = tmp_path_factory.mktemp("rider")
    url = f"sqlite:///{folder / 'stationmap.sqlite'}"
    env = {name: value for name, value in os.environ.items() if not name.startswith("STATIONMAP_")}
    env |= {
        "STATIONMAP_DATABASE_URL": url,
        "STATIONMAP_INSTANCE_DIR": str(folder),
        "STATIONMAP_BASEMAP": "none",
    }
    _run_cli(env, "init-db")
    _run_cli(env, "load-demo", "--count", str(DEMO_COUNT), "--seed", str(DEMO_SEED))
    add_searched_stations(url)
    with serving(env, folder) as server:
        yield server


def add_searched_stations(url: str) -> None:
    """Stations open round the clock (so 开放中 keeps them at any hour the test runs)."""
    store = Store(create_store_engine(url))
    always = {"opening_hours": "24/7", "phone": "010-****1234"}
    for i, lonlat in enumerate(CHAOYANG_BANKS):
        name = f"{'工商建设农业中国交通'[i % 5 * 2 : i % 5 * 2 + 2]}银行朝阳第{i + 1}支行工会驿站"
        store.add_station(
            draft(name, lonlat, kind="bank", address=f"北京市朝阳区建国路{i + 1}号", **always),
            actor="test",
        )
    store.add_station(
        draft(
            "招远朝阳银行驿站",
            (120.40, 37.36),
            kind="bank",
            address="山东省烟台市招远市朝阳路1号",
            **always,
        ),
        actor="test",
    )
    for name, lonlat, address in (
        ("步行街驿站", (121.4810, 31.2380), "上海市黄浦区南京东路300号"),
        ("外滩驿站", (121.4880, 31.2400), "上海市黄浦区南京东路19号"),
        ("九江路驿站", (121.4830, 31.2360), "上海市黄浦区九江路9号"),
    ):
        store.add_station(draft(name, lonlat, address=address, **always), actor="test")
    store.close()


def status_of(page: Page) -> str:
    return page.locator(STATUS).inner_text()


def search(page: Page, text: str):
    """Type ``text`` and search; the search answer the page got (its JSON)."""
    page.locator("#place").fill(text)
    with page.expect_response(lambda r: "/api/v1/stations/search" in r.url) as answer:
        page.locator("#search").click()
    expect(page.locator(FIRST_STATION).first).to_be_visible()
    return answer.value


def open_located(page: Page) -> None:
    """The rider page once its nearest list has filled (location granted)."""
    page.goto("/")
    expect(page.locator(FIRST_STATION).first).to_be_visible()


def test_typed_search_from_beijing_lists_chaoyang_banks_nearest_first(page: Page):
    open_located(page)

    response = search(page, "朝阳 银行")

    asked = parse_qs(urlsplit(response.url).query)
    assert float(asked["lon"][0]) == pytest.approx(BEIJING[0], abs=1e-6)
    assert float(asked["lat"][0]) == pytest.approx(BEIJING[1], abs=1e-6)
    body = response.json()
    assert body["understood"]["place"]["full_name"] == "北京市朝阳区"
    features = body["features"]
    assert len(features) >= 5, "several results to choose from"
    assert all(f["properties"]["kind"] == "bank" for f in features)
    assert all(f["properties"]["adcode"] == "110105" for f in features)
    distances = [f["properties"]["distance_m"] for f in features]
    assert distances == sorted(distances)
    listed = page.locator(FIRST_STATION).evaluate_all("items => items.map(i => i.dataset.id)")
    assert listed == [f["id"] for f in features]
    expect(page.locator(STATUS)).to_contain_text("北京市朝阳区")
    expect(page.locator(STATUS)).not_to_contain_text("离你最近")
    save_screenshot(page, "rider-search.png")


def test_typed_service_word_filters_from_the_rider(page: Page):
    open_located(page)

    response = search(page, "卫生间")

    body = response.json()
    assert body["understood"]["amenities"] == ["toilet"]
    assert body["features"] and all(
        "toilet" in f["properties"]["amenities"] for f in body["features"]
    )
    expect(page.locator(STATUS)).to_contain_text("离你最近")
    expect(page.locator(STATUS)).to_contain_text("卫生间")


@pytest.mark.parametrize("geolocation", [PEOPLES_SQUARE])
def test_street_name_lists_stations_near_that_street(page: Page):
    open_located(page)

    response = search(page, "南京东路")

    body = response.json()
    assert body["relative_to"] == "place"
    assert body["features"][0]["properties"]["address"].startswith("上海市黄浦区南京东路")
    names = [f["properties"]["name"] for f in body["features"]]
    assert "九江路驿站" in names  # near the street, not on it
    expect(page.locator(STATUS)).to_contain_text("南京东路附近")


@pytest.mark.parametrize("geolocation", [None])
def test_without_location_search_is_measured_from_the_map_centre(page: Page):
    page.goto("/")
    page.wait_for_function("window.stationmap && window.stationmap.map")
    page.evaluate(f"window.stationmap.map.setView([{BEIJING[1]}, {BEIJING[0]}], 12)")

    response = search(page, "卫生间")

    asked = parse_qs(urlsplit(response.url).query)
    assert float(asked["lon"][0]) == pytest.approx(BEIJING[0], abs=1e-3)
    expect(page.locator(STATUS)).to_contain_text("离地图中心最近")


@pytest.mark.parametrize("geolocation", [None])
def test_county_chooser_hides_and_the_list_names_the_county(page: Page):
    page.goto("/")
    page.locator("#place").fill("朝阳")
    page.locator("#search").click()
    chooser = page.locator("#counties")
    expect(chooser).to_be_visible()
    assert chooser.locator("button").count() > 1

    chooser.locator('button[data-adcode="110105"]').click()

    expect(page.locator(FIRST_STATION).first).to_be_visible()
    expect(chooser).to_be_hidden()
    expect(page.locator(STATUS)).to_contain_text("北京市朝阳区")
    expect(page.locator(STATUS)).not_to_contain_text("离你最近")
    save_screenshot(page, "rider-county-chosen.png")


def test_open_now_is_on_at_first_and_chips_are_remembered(page: Page):
    with page.expect_request(lambda r: "/api/v1/stations/nearest" in r.url) as first:
        page.goto("/")
    assert "open_now=true" in first.value.url
    chips = page.locator("#chips")
    expect(chips.locator("[data-open-now]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(FIRST_STATION).first).to_be_visible()

    chips.locator('[data-amenity="toilet"]').click()
    chips.locator("[data-open-now]").click()
    with page.expect_request(lambda r: "/api/v1/stations/nearest" in r.url) as again:
        page.reload()

    assert "amenities=toilet" in again.value.url and "open_now" not in again.value.url
    expect(chips.locator('[data-amenity="toilet"]')).to_have_attribute("aria-pressed", "true")
    expect(chips.locator("[data-open-now]")).to_have_attribute("aria-pressed", "false")


def test_every_chip_is_on_screen_and_tappable_at_phone_width(page: Page):
    open_located(page)
    width = page.viewport_size["width"]
    for chip in page.locator("#chips button").all():
        box = chip.bounding_box()
        label = chip.inner_text()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            f"chip {label} lies outside the {width}px screen: {box}"
        )
        before = chip.get_attribute("aria-pressed")
        chip.tap()
        expect(chip).not_to_have_attribute("aria-pressed", before)
        chip.tap()
    save_screenshot(page, "rider-chips.png")


def test_more_extends_the_list(page: Page):
    open_located(page)
    expect(page.locator(FIRST_STATION)).to_have_count(10)
    more = page.locator("#more")
    expect(more).to_be_visible()

    more.click()

    expect(page.locator(FIRST_STATION)).to_have_count(20)


@pytest.mark.parametrize("geolocation", [None])
def test_card_shows_distance_services_and_open_state(page: Page, live_server):
    page.goto("/")
    page.wait_for_function("window.stationmap && window.stationmap.map")
    page.evaluate(f"window.stationmap.map.setView([{BEIJING[1]}, {BEIJING[0]}], 12)")
    search(page, "朝阳 银行")
    first = page.locator(FIRST_STATION).first
    station_id = first.get_attribute("data-id")
    facts = live_server.get_json(f"/api/v1/stations/{station_id}")["properties"]

    first.tap()

    card = page.locator("#card")
    expect(card).to_be_visible()
    expect(card.locator(".distance")).to_have_text(re.compile(r"^距朝阳区 [\d.]+ (米|公里)$"))
    expect(card.locator(".state")).to_have_text("开放中")
    services = card.locator(".services li").all_inner_texts()
    labels = json.loads(page.locator("#config").inner_text())["amenities"]
    assert services == [labels[a] for a in facts["amenities"]]
    expect(card.locator(".hours")).to_have_text("开放时间：" + (facts["hours_text"] or "未知"))
    save_screenshot(page, "rider-card.png")


def test_navigation_buttons_start_from_the_rider(browser, live_server):
    """(Its own page: until the api branch's origin lands, the server's 400 to the origin
    is a console error, which the shared page fixture would count against this test.)"""
    context = browser.new_context(**_phone(BEIJING), base_url=live_server.url)
    try:
        expect_routes_from_the_rider(context.new_page(), live_server)
    finally:
        context.close()


def expect_routes_from_the_rider(page: Page, live_server) -> None:
    """The card's navigation request carries the rider's position, and its buttons are
    the routes the server answers for it (not the pins)."""
    open_located(page)
    first = page.locator(FIRST_STATION).first
    station_id = first.get_attribute("data-id")

    with page.expect_request(lambda r: "/navigation" in r.url) as asked:
        first.tap()

    query = parse_qs(urlsplit(asked.value.url).query)
    assert float(query["lon"][0]) == pytest.approx(BEIJING[0], abs=1e-6)
    assert float(query["lat"][0]) == pytest.approx(BEIJING[1], abs=1e-6)
    assert query["crs"] == ["wgs84"]
    document = live_server.get_json("/api/v1/openapi.json")
    navigation = document["paths"]["/api/v1/stations/{station_id}/navigation"]["get"]
    if "lon" not in {p["name"] for p in navigation["parameters"]}:
        pytest.xfail("the navigation endpoint takes no origin yet (the api branch adds it)")
    path = urlsplit(asked.value.url)
    routes = live_server.get_json(f"{path.path}?{path.query}")
    pins = live_server.get_json(f"/api/v1/stations/{station_id}/navigation")
    card = page.locator("#card")
    for app in ("amap", "baidu", "tencent"):
        expect(card.locator(f"a.nav-{app}")).to_have_attribute("href", routes[app])
        assert routes[app] != pins[app], f"{app}: a route from the rider, not the pin"


def test_api_error_message_shows_and_a_busy_server_is_asked_again(browser, live_server):
    context = browser.new_context(**_phone(BEIJING), base_url=live_server.url)
    page = context.new_page()
    answered = []

    def busy_once(route):
        if answered:
            return route.continue_()
        answered.append(route.request.url)
        body = {"error": {"code": "not_ready", "message": "驿站数据正在加载，请稍候"}}
        route.fulfill(
            status=503,
            headers={"Retry-After": "1", "Content-Type": "application/json"},
            body=json.dumps(body, ensure_ascii=False),
        )

    page.route("**/api/v1/stations/nearest*", busy_once)
    page.goto("/")
    expect(page.locator(STATUS)).to_contain_text("驿站数据正在加载，请稍候")
    expect(page.locator(FIRST_STATION).first).to_be_visible(timeout=5_000)
    expect(page.locator(STATUS)).to_contain_text("离你最近")
    context.close()


@pytest.mark.parametrize("geolocation", [None])
def test_refused_location_is_said_plainly(page: Page):
    page.goto("/")
    page.locator("#locate").click()
    expect(page.locator(STATUS)).to_contain_text("无法获取你的位置")


def test_state_words_fit_every_kind_of_host(page: Page):
    open_located(page)
    words = page.evaluate("[true, false, null].map((o) => window.stationmap.stateLabel(o)[0])")
    assert words == ["开放中", "当前未开放", "开放时间未知"]
    shown = page.locator("#list").inner_text() + page.locator("#chips").inner_text()
    assert "打烊" not in shown and "营业" not in shown
