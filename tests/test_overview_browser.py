"""The national map (/map) on a phone in real Chromium: clusters that never hide each
other's counts, 我的位置, and search for a county or a station."""

# ruff: noqa: F811  (the fixtures imported from browser.py are test parameters too)

from __future__ import annotations

import itertools

import pytest
from browser import (  # noqa: F401  (fixtures are found by name)
    BEIJING,
    browser,
    geolocation,
    live_server,
    page,
    save_screenshot,
)
from playwright.sync_api import Page, expect

from stationmap.coordinates import point_from_wgs84

CLUSTERS = ".leaflet-marker-icon.cluster"
MIN_LABEL_PX = 11


def open_overview(page: Page) -> None:
    page.goto("/map")
    expect(page.locator(CLUSTERS).first).to_be_visible()


def show(page: Page, lon: float, lat: float, zoom: int) -> None:
    """Move the map and wait until the clusters for the new view are drawn."""
    with page.expect_response(lambda r: "/api/v1/clusters" in r.url):
        page.evaluate(f"window.stationmap.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    page.wait_for_function(
        f"window.stationmap.lastView && window.stationmap.map.getZoom() === {zoom}"
    )
    page.wait_for_timeout(100)


@pytest.mark.parametrize(
    ("lon", "lat", "zoom"),
    [(105.0, 35.0, 3), (105.0, 35.0, 4), (116.4, 39.9, 5), (116.4, 39.9, 6), (118.8, 32.0, 7)],
)
def test_clusters_never_overlap_and_each_count_is_readable(page: Page, lon, lat, zoom):
    open_overview(page)
    show(page, lon, lat, zoom)

    boxes = page.locator(CLUSTERS).evaluate_all(
        """icons => icons.map(i => { const r = i.getBoundingClientRect(), s = i.firstElementChild;
             return {x: r.left, y: r.top, w: r.width, h: r.height, count: i.dataset.count,
                     text: s.textContent, fits: s.scrollWidth <= i.clientWidth,
                     font: parseFloat(getComputedStyle(s).fontSize)}; })"""
    )
    assert boxes, "no clusters drawn"
    for a, b in itertools.combinations(boxes, 2):
        apart = a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"]
        apart = apart or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"]
        assert apart, f"clusters of {a['count']} and {b['count']} overlap at zoom {zoom}"
    for box in boxes:
        assert box["text"] == box["count"] and box["fits"], box
        assert box["font"] >= MIN_LABEL_PX, box
    in_view = int(page.locator("#in-view").inner_text())
    assert sum(int(b["count"]) for b in boxes) == in_view
    save_screenshot(page, f"overview-z{zoom}.png")


def test_locate_me_centres_the_map_on_the_rider(page: Page):
    open_overview(page)

    page.locator("#locate").tap()

    page.wait_for_function("window.stationmap.map.getZoom() === 15")
    centre = page.evaluate(
        "(() => { const c = window.stationmap.map.getCenter(); return [c.lng, c.lat]; })()"
    )
    assert centre == pytest.approx(list(BEIJING), abs=1e-5)
    expect(page.locator(".rider-position")).to_be_visible()
    expect(page.locator("#map-status")).to_have_text("已定位到你的位置")


def test_search_goes_to_a_county_or_a_station(page: Page, live_server):
    open_overview(page)

    page.locator("#map-q").fill("玄武")
    page.locator("#map-search-go").tap()
    page.locator("#search-results button", has_text="南京市玄武区").first.tap()

    [county] = live_server.get_json("/api/v1/counties?name=%E7%8E%84%E6%AD%A6%E5%8C%BA")["counties"]
    page.wait_for_function("window.stationmap.map.getZoom() === 11")
    centre = page.evaluate(
        "(() => { const c = window.stationmap.map.getCenter(); return [c.lng, c.lat]; })()"
    )
    assert centre == pytest.approx([county["lon"], county["lat"]], abs=1e-4)
    expect(page.locator("#search-results")).to_be_hidden()

    lon, lat = BEIJING
    [station] = live_server.get_json(f"/api/v1/stations/nearest?lon={lon}&lat={lat}&k=1")[
        "features"
    ]
    page.locator("#map-q").fill(station["properties"]["name"])
    page.locator("#map-search-go").tap()
    page.locator("#search-results button", has_text=station["properties"]["name"]).first.tap()

    link = page.locator(".leaflet-popup a.found-station")
    expect(link).to_have_attribute("href", f"/stations/{station['id']}")
    save_screenshot(page, "overview-search.png")


def test_the_pages_gcj02_conversion_matches_the_servers(page: Page):
    open_overview(page)
    points = [
        (116.4074, 39.9042),
        (118.7975, 32.0485),
        (87.6, 43.8),
        (121.47, 31.23),
        (109.5, 18.25),
    ]
    for lon, lat in points:
        got = page.evaluate(f"window.stationmap.wgs84To('gcj02', {lon}, {lat})")
        assert got == pytest.approx(list(point_from_wgs84(lon, lat, "gcj02")), abs=1e-6)
