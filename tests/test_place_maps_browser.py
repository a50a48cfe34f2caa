"""Maps as their readers open them, in real Chromium: the shareable offline maps (the file
opened from disk with every network request blocked) and the station and county pages
on 高德's GCJ-02 basemap (with its tiles blocked: positions are read from Leaflet)."""

# ruff: noqa: F811  (the fixtures imported from browser.py are test parameters too)

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
import shapely
from browser import (  # noqa: F401  (fixtures are found by name)
    CHROMIUM_ARGS,
    LOCAL_HOST,
    LiveServer,
    _cli,
    _opener,
    _phone,
    browser,
    save_screenshot,
    serving,
)
from builders import add_station
from playwright.sync_api import Browser, Page, expect

from stationmap.coordinates import point_from_wgs84
from stationmap.store import Store
from stationmap.store.backend import create_store_engine

XUANWU_ADCODE = "320102"
HOURS = ("24/7", "Mo-Su 03:00-03:01", None)
"""Open at any time, almost never open, unknown: the three colours a marker takes."""
STATION_DOTS = "path.station-dot"
AMAP_TILE_HOST = re.compile(r"(^|\.)autonavi\.com$")
GCJ02_TOLERANCE_DEG = 1e-6
"""About 0.1 m: the pages' positions equal the converted ones, not merely come near."""


@pytest.fixture(scope="module")
def xuanwu_folder(tmp_path_factory: pytest.TempPathFactory, regions) -> Path:
    """A SpatiaLite store holding 40 stations spread over 南京市玄武区, with every kind of
    hours (open now, closed now, unknown)."""
    folder = tmp_path_factory.mktemp("xuanwu")
    store = Store(create_store_engine(_database_url(folder)), regions=regions)
    store.init_schema()
    for n, (lon, lat) in enumerate(_points_inside(regions.boundary(XUANWU_ADCODE), 40)):
        add_station(
            store,
            name=f"玄武测试驿站{n:02d}",
            lonlat=(lon, lat),
            address=f"南京市玄武区测试路{n}号",
            opening_hours=HOURS[n % len(HOURS)],
        )
    store.close()
    return folder


@pytest.fixture(scope="module")
def amap_server(xuanwu_folder: Path) -> Iterator[LiveServer]:
    """The app on the 玄武区 store with ``STATIONMAP_BASEMAP=amap`` (GCJ-02 tiles)."""
    env = _env(xuanwu_folder) | {"STATIONMAP_BASEMAP": "amap"}
    with serving(env, xuanwu_folder) as server:
        yield server


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[Page]:
    """A phone-sized page for files opened from disk, with no network at all: every
    request but file:// is blocked; any but a map tile fails the test, as does any
    page error or console error."""
    context = browser.new_context(**_phone(None))
    problems: list[str] = []

    def block(route) -> None:
        url = route.request.url
        if not re.search(r"/\d+/\d+/\d+\.png$", url):
            problems.append(f"asked the network for {url}")
        route.abort("internetdisconnected")

    context.route(lambda url: urlsplit(url).scheme not in ("file", "data", "about"), block)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and "ERR_INTERNET_DISCONNECTED" not in m.text
            and problems.append(f"console error: {m.text}")
        ),
    )
    page.set_default_timeout(5_000)
    yield page
    context.close()
    if problems:
        pytest.fail("the offline map misbehaved:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def amap_page(browser: Browser, amap_server: LiveServer) -> Iterator[Page]:
    """A phone-sized page on the amap server; 高德's tiles are blocked (tests run without
    them), anything else off 127.0.0.1 and any page error fail the test."""
    context = browser.new_context(**_phone(None), base_url=amap_server.url)
    problems: list[str] = []

    def block(route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if not AMAP_TILE_HOST.search(host):
            problems.append(f"request off {LOCAL_HOST}: {route.request.url}")
        route.abort("blockedbyclient")

    context.route(lambda url: urlsplit(url).hostname not in (LOCAL_HOST, None), block)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
    page.set_default_timeout(5_000)
    yield page
    context.close()
    if problems:
        pytest.fail("the page misbehaved:\n  " + "\n  ".join(problems), pytrace=False)


# -- the offline maps -----------------------------------------------------------------------


def test_the_cli_county_map_opens_offline_with_every_station(
    offline_page: Page, xuanwu_folder: Path, tmp_path: Path
):
    output = tmp_path / "xuanwu.html"
    said = _map_cli(xuanwu_folder, "--county", XUANWU_ADCODE, "-o", str(output))
    claimed = _wrote(said)
    assert claimed == 40

    offline_page.goto(output.as_uri())

    expect(offline_page.locator(STATION_DOTS)).to_have_count(claimed)
    _expect_a_popup_when_tapped(offline_page)
    save_screenshot(offline_page, "offline-county.png")


def test_the_county_pages_download_opens_offline_with_every_station(
    offline_page: Page, amap_server: LiveServer, tmp_path: Path
):
    path = f"/counties/{XUANWU_ADCODE}/map.html"
    with _opener().open(amap_server.url + path, timeout=10) as response:
        output = tmp_path / "download.html"
        output.write_bytes(response.read())
    county = amap_server.get_json(f"/api/v1/counties/{XUANWU_ADCODE}/stations")
    claimed = len(county["features"])

    offline_page.goto(output.as_uri())

    expect(offline_page.locator(".map-banner")).to_contain_text(f"（{claimed}个）")
    expect(offline_page.locator(STATION_DOTS)).to_have_count(claimed)
    _expect_a_popup_when_tapped(offline_page)


def test_the_map_around_a_point_opens_offline_with_every_station(
    offline_page: Page, xuanwu_folder: Path, tmp_path: Path
):
    output = tmp_path / "around.html"
    said = _map_cli(
        xuanwu_folder, "--around", "118.80,32.05", "--radius-m", "2000", "-o", str(output)
    )
    claimed = _wrote(said)
    assert 0 < claimed < 40

    offline_page.goto(output.as_uri())

    expect(offline_page.locator(STATION_DOTS)).to_have_count(claimed)
    _expect_a_popup_when_tapped(offline_page)


def _expect_a_popup_when_tapped(page: Page) -> None:
    """Tap the station dot nearest the middle of the screen; its popup names a station."""
    _wait_for_the_map_to_settle(page)
    boxes = [box for dot in page.locator(STATION_DOTS).all() if (box := dot.bounding_box())]
    middle = np.array([195, 500])
    centres = np.array([[b["x"] + b["width"] / 2, b["y"] + b["height"] / 2] for b in boxes])
    x, y = centres[np.argmin(np.linalg.norm(centres - middle, axis=1))]
    page.mouse.click(float(x), float(y))
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    _wait_for_popup_to_settle(page)
    expect(popup).to_contain_text("开放时间")
    expect(popup.locator(".name")).to_contain_text("测试驿站")


def _wait_for_the_map_to_settle(page: Page) -> None:
    """Until folium's fit to the stations has finished zooming (dots are where they stay)."""
    page.wait_for_function("!document.querySelector('.leaflet-zoom-anim')")
    page.wait_for_timeout(400)
    page.wait_for_function("!document.querySelector('.leaflet-zoom-anim')")


def _wait_for_popup_to_settle(page: Page) -> None:
    """Until the popup has faded in and the map has panned to show it (for screenshots)."""
    page.wait_for_function(
        "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    page.wait_for_timeout(300)


def _map_cli(folder: Path, *args: str) -> str:
    done = subprocess.run(
        [_cli(), "map", *args], env=_env(folder), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _wrote(said: str) -> int:
    """N from the CLI's 'wrote N stations to ...'."""
    found = re.search(r"wrote (\d+) stations", said)
    assert found, f"got {said!r}, expected 'wrote N stations to ...'"
    return int(found.group(1))


# -- the pages on 高德's GCJ-02 tiles ---------------------------------------------------------


def test_a_station_page_puts_its_marker_where_amap_draws_the_station(
    amap_page: Page, amap_server: LiveServer
):
    feature = amap_server.get_json(f"/api/v1/counties/{XUANWU_ADCODE}/stations")["features"][0]

    amap_page.goto(f"/stations/{feature['id']}")

    [(lat, lon)] = _marker_latlngs(amap_page)
    expected_lon, expected_lat = point_from_wgs84(*feature["geometry"]["coordinates"], "gcj02")
    assert abs(lon - expected_lon) < GCJ02_TOLERANCE_DEG
    assert abs(lat - expected_lat) < GCJ02_TOLERANCE_DEG
    state = _state(feature["properties"]["open_now"])
    expect(amap_page.locator(".leaflet-marker-icon")).to_have_class(re.compile(rf"\bis-{state}\b"))


def test_a_county_page_puts_markers_and_outline_where_amap_draws_them(
    amap_page: Page, amap_server: LiveServer, regions
):
    features = amap_server.get_json(f"/api/v1/counties/{XUANWU_ADCODE}/stations")["features"]

    amap_page.goto(f"/counties/{XUANWU_ADCODE}")

    drawn = np.array(_marker_latlngs(amap_page))
    assert len(drawn) == len(features)
    for feature in features:
        lon, lat = point_from_wgs84(*feature["geometry"]["coordinates"], "gcj02")
        miss = np.abs(drawn - [lat, lon]).max(axis=1).min()
        assert miss < GCJ02_TOLERANCE_DEG, f"{feature['id']}: no marker within {miss:.6f}°"
    west, south, east, north = _outline_bounds(amap_page)
    expected = shapely.bounds(_in_gcj02(regions.boundary(XUANWU_ADCODE)))
    assert np.allclose([west, south, east, north], expected, atol=GCJ02_TOLERANCE_DEG)


def test_county_markers_show_their_state_and_open_a_card_when_tapped(
    amap_page: Page, amap_server: LiveServer
):
    features = amap_server.get_json(f"/api/v1/counties/{XUANWU_ADCODE}/stations")["features"]
    states = {f["id"]: _state(f["properties"]["open_now"]) for f in features}
    assert set(states.values()) == {"open", "closed", "unknown"}

    amap_page.goto(f"/counties/{XUANWU_ADCODE}")

    drawn = _marker_states(amap_page)
    assert drawn == states
    save_screenshot(amap_page, "county-states.png")
    some_id = features[len(features) // 2]["id"]
    marker = amap_page.locator(f'.leaflet-marker-icon[data-id="{some_id}"]')
    marker.tap()
    popup = amap_page.locator(".leaflet-popup-content .marker-popup")
    expect(popup).to_have_attribute("data-id", some_id)
    expect(popup.locator("a.name")).to_have_attribute("href", f"/stations/{some_id}")
    _wait_for_popup_to_settle(amap_page)
    save_screenshot(amap_page, "county-popup.png")


def _state(open_now: bool | None) -> str:
    return {True: "open", False: "closed", None: "unknown"}[open_now]


def _marker_latlngs(page: Page) -> list[tuple[float, float]]:
    """Each marker Leaflet holds on the page's map, as (lat, lng)."""
    page.wait_for_function("window.stationmap && window.stationmap.map")
    latlngs = page.evaluate(
        """() => {
          const out = [];
          window.stationmap.map.eachLayer((layer) => {
            if (layer instanceof L.Marker) out.push([layer.getLatLng().lat, layer.getLatLng().lng]);
          });
          return out;
        }"""
    )
    return [tuple(p) for p in latlngs]


def _marker_states(page: Page) -> dict[str, str]:
    """Each station marker's colour class (is-open, ...) as id → state."""
    return page.locator(".leaflet-marker-icon.station-marker").evaluate_all(
        """icons => Object.fromEntries(icons.map(i => [i.dataset.id,
             [...i.classList].find(c => c.startsWith('is-')).slice(3)]))"""
    )


def _outline_bounds(page: Page) -> list[float]:
    return page.evaluate(
        """() => { const b = window.stationmap.outline.getBounds();
                   return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }"""
    )


def _in_gcj02(geometry):
    def move(coords: np.ndarray) -> np.ndarray:
        return np.array([point_from_wgs84(lon, lat, "gcj02") for lon, lat in coords])

    return shapely.transform(geometry, move)


def _points_inside(boundary, count: int) -> list[tuple[float, float]]:
    """``count`` points inside ``boundary``, the same on every run."""
    random = np.random.default_rng(11)
    west, south, east, north = boundary.bounds
    inner = boundary.buffer(-0.002)
    points: list[tuple[float, float]] = []
    while len(points) < count:
        lon, lat = random.uniform(west, east), random.uniform(south, north)
        if inner.contains(shapely.Point(lon, lat)):
            points.append((round(lon, 6), round(lat, 6)))
    return points


def _database_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'stationmap.sqlite'}"


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATIONMAP_")}
    return env | {
        "STATIONMAP_DATABASE_URL": _database_url(folder),
        "STATIONMAP_INSTANCE_DIR": str(folder),
        "STATIONMAP_BASEMAP": "none",
    }


def test_a_station_page_says_its_district_once(amap_page: Page, amap_server: LiveServer):
    feature = amap_server.get_json(f"/api/v1/counties/{XUANWU_ADCODE}/stations")["features"][0]
    address = feature["properties"]["address"]
    assert address.startswith("南京市玄武区")

    amap_page.goto(f"/stations/{feature['id']}")

    shown = amap_page.locator(".address").inner_text()
    assert shown == "江苏省" + address, shown
    assert shown.count("玄武区") == 1
    save_screenshot(amap_page, "station-amap.png")
