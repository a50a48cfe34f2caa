"""The pages in real Chromium, on a phone, with no internet: the rider page, the national
map, a station page and a county page. Screenshots go to test-artifacts/screenshots/."""

# ruff: noqa: F811  (the fixtures imported from browser.py are test parameters too)

from __future__ import annotations

import re
import time

from browser import (  # noqa: F401  (fixtures are found by name)
    BEIJING,
    LIST_PAINT_TIMING,
    browser,
    geolocation,
    live_server,
    page,
    save_screenshot,
)
from playwright.sync_api import Page, expect

NAV_LINK_HOSTS = {
    "a.nav-amap": "uri.amap.com",
    "a.nav-baidu": "api.map.baidu.com",
    "a.nav-tencent": "apis.map.qq.com",
}
MARKERS = ".leaflet-marker-icon, .station-marker"
FIRST_STATION = "#list li.station"


def listed_ids(page: Page) -> list[str]:
    """The ids of the stations in the rider page's list, in order."""
    return page.locator(FIRST_STATION).evaluate_all("items => items.map(i => i.dataset.id)")


def open_rider_page(page: Page) -> None:
    """The rider page, once its list has filled (geolocation is granted: no tap needed)."""
    page.goto("/")
    expect(page.locator(FIRST_STATION).first).to_be_visible(timeout=5_000)


def wait_for(condition, timeout_s: float = 5.0) -> bool:
    """Poll ``condition()`` until it is true or ``timeout_s`` passes; its last answer."""
    deadline = time.monotonic() + timeout_s
    while not (answer := condition()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return bool(answer)


def number_in(text: str) -> int:
    """The integer written in ``text``, ignoring separators: '共 2,801 个' → 2801."""
    digits = re.sub(r"\D", "", text)
    assert digits, f"got {text!r}, expected a number"
    return int(digits)


class StationFacts:
    """Station properties from the live server's API, fetched once per station."""

    def __init__(self, live_server) -> None:
        self.live_server = live_server
        self.known: dict[str, dict] = {}

    def __getitem__(self, station_id: str) -> dict:
        if station_id not in self.known:
            feature = self.live_server.get_json(f"/api/v1/stations/{station_id}")
            self.known[station_id] = feature["properties"]
        return self.known[station_id]


def test_rider_page_lists_nearby_stations_without_a_tap(page: Page):
    page.add_init_script(LIST_PAINT_TIMING)
    open_rider_page(page)
    items = page.locator(FIRST_STATION)
    for item in items.all():
        expect(item.locator(".distance")).not_to_be_empty()
        expect(item.locator(".state")).to_have_count(1)
    expect(page.locator("#locate")).to_be_visible()
    expect(page.locator("#map")).to_have_class(re.compile(r"\bleaflet-container\b"))
    expect(page.locator(MARKERS).first).to_be_attached()
    expect(page.locator('[data-notice="synthetic"]')).to_be_visible()
    report_list_paint_time(page)
    save_screenshot(page, "rider.png")


def report_list_paint_time(page: Page) -> None:
    """Print how long the list took to paint after the position came (no assertion)."""
    page.wait_for_function("window.__stationmapTiming.listPainted !== undefined")
    marks = page.evaluate("window.__stationmapTiming")
    since_load = marks["listPainted"]
    if "located" in marks:
        since_fix = marks["listPainted"] - marks["located"]
        print(f"\nrider page: list painted {since_fix:.0f} ms after the position came")
    print(f"rider page: list painted {since_load:.0f} ms after navigation started")


def test_amenity_chip_filters_the_list(page: Page, live_server):
    open_rider_page(page)
    chips = page.locator("#chips")
    for chip in ("[data-open-now]", "[data-open-24h]", '[data-amenity="hot_water"]'):
        expect(chips.locator(chip)).to_have_count(1)
    before = listed_ids(page)
    facts = StationFacts(live_server)

    toilet = chips.locator('[data-amenity="toilet"]')
    toilet.tap()

    expect(toilet).to_have_attribute("aria-pressed", "true")
    assert wait_for(lambda: all_listed_have(page, facts, "toilet")), (
        f"the list still shows stations without a toilet: {listed_ids(page)} (before: {before})"
    )
    save_screenshot(page, "rider-toilet.png")


def all_listed_have(page: Page, facts: StationFacts, amenity: str) -> bool:
    """True when the list is not empty and each listed station has ``amenity``."""
    ids = listed_ids(page)
    return bool(ids) and all(amenity in facts[i]["amenities"] for i in ids)


def test_station_card_offers_a_call_and_navigation(page: Page, live_server):
    open_rider_page(page)
    station_id = listed_ids(page)[0]
    facts = StationFacts(live_server)[station_id]
    phone = facts["phone"]

    page.locator(f'{FIRST_STATION}[data-id="{station_id}"]').tap()

    card = page.locator("#card")
    expect(card).to_be_visible()
    expect(card.locator(".hours")).to_have_text("开放时间：" + (facts["hours_text"] or "未知"))
    save_screenshot(page, "rider-card.png")
    for selector, host in NAV_LINK_HOSTS.items():
        expect(card.locator(selector)).to_have_attribute(
            "href", re.compile(rf"^https?://{re.escape(host)}/")
        )
    expect_call_link(card, phone)


def expect_call_link(card, phone: str | None) -> None:
    """A tel: link that dials ``phone``; none when the number is missing or masked
    (the demo set's numbers read like 010-****5697 and cannot be dialled)."""
    calls = card.locator('a[href^="tel:"]')
    if not phone or "*" in phone:
        expect(calls).to_have_count(0)
        return
    href = calls.first.get_attribute("href")
    assert re.sub(r"\D", "", href) == re.sub(r"\D", "", phone), f"got {href}, expected {phone}"


def test_overview_map_clusters_add_up_and_split_into_stations(page: Page, live_server):
    page.goto("/map")
    clusters = page.locator(".cluster[data-count]")
    expect(clusters.first).to_be_visible()
    borders = page.locator("path.province-borders")
    expect(borders).to_be_visible()  # bearings without tiles
    save_screenshot(page, "overview.png")
    total = number_in(page.locator("#total").inner_text())
    assert total == live_server.get_json("/api/v1/")["active_stations"]
    assert wait_for(lambda: clustered(page) == total), (
        f"the clusters hold {clustered(page)} stations, #total says {total}"
    )

    lon, lat = BEIJING
    near = live_server.get_json(f"/api/v1/stations/nearest?lon={lon}&lat={lat}&k=1")
    lon, lat = near["features"][0]["geometry"]["coordinates"]
    page.evaluate(f"window.stationmap.map.setView([{lat}, {lon}], 17)")

    expect(page.locator(".station-marker").first).to_be_visible()
    expect(borders).to_have_count(0)  # too coarse this close: the tiles' own borders serve
    save_screenshot(page, "overview-street.png")


def clustered(page: Page) -> int:
    """How many stations the clusters on the map hold: the sum of their data-count."""
    counts = page.locator(".cluster[data-count]").evaluate_all(
        "clusters => clusters.map(c => Number(c.dataset.count))"
    )
    return sum(counts)


def test_station_page_names_the_station(page: Page, live_server):
    lon, lat = BEIJING
    nearest = live_server.get_json(f"/api/v1/stations/nearest?lon={lon}&lat={lat}&k=1")
    [station] = nearest["features"]

    page.goto(f"/stations/{station['id']}")

    expect(page.locator("h1")).to_contain_text(station["properties"]["name"])
    hours = station["properties"]["hours_text"] or "未知"
    expect(page.locator(".hours")).to_have_text(f"开放时间：{hours}")
    expect(page.locator('[data-notice="synthetic"]')).to_be_visible()
    save_screenshot(page, "station.png")


def test_county_page_counts_its_stations(page: Page):
    page.goto("/counties/110101")

    expect(page.locator("h1")).to_contain_text("东城区")
    expect(page.locator("table#counts-kind")).to_be_visible()
    save_screenshot(page, "county.png")


def test_overview_filters_change_the_counts(page: Page, live_server):
    page.goto("/map")
    expect(page.locator(".cluster[data-count]").first).to_be_visible()
    everything = number_in(page.locator("#total").inner_text())
    with page.expect_response(lambda r: "/api/v1/clusters" in r.url and "open_24h" in r.url):
        page.locator("#chips [data-open-24h]").click()
    expect(page.locator("#chips [data-open-24h]")).to_have_attribute("aria-pressed", "true")
    always_open = live_server.get_json("/api/v1/clusters?bbox=70,0,140,60&zoom=3&open_24h=true")
    assert wait_for(lambda: number_in(page.locator("#total").inner_text()) == always_open["total"])
    assert 0 < always_open["total"] < everything
    assert wait_for(lambda: clustered(page) == always_open["total"])


def test_rider_without_location_can_choose_a_county(page: Page):
    """One county of that name is taken at once (several are offered: test_rider_browser)."""
    page.context.clear_permissions()
    page.goto("/")
    page.locator("#place").fill("玄武")
    page.locator("#search").click()
    expect(page.locator(FIRST_STATION).first).to_be_visible(timeout=5000)
    expect(page.locator("#status")).to_contain_text("南京市玄武区")
    save_screenshot(page, "rider-county.png")
