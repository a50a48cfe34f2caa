"""The planners' pages in real Chromium at desktop size: the choropleth, the hour slider,
the sortable table, the click-through from province to county, a county's proposals,
and the county's offline map opened from disk with the network blocked.

The store holds 江苏 stations only: every one in 南京市 (320100) is open 08:00-17:00, so at
21:00 its 玄武区 (320102) has no coverage at all (the change the slider must show is
certain); elsewhere in the province half are open all day and half keep office hours.
"""

# ruff: noqa: F811  (the fixtures imported from browser.py are test parameters too)

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from browser import (  # noqa: F401  (fixtures are found by name)
    LOCAL_HOST,
    LiveServer,
    _is_local,
    _note_console_error,
    browser,
    save_screenshot,
    serving,
)
from builders import add_station
from commands import clean_environment
from playwright.sync_api import Browser, Page, expect
from test_place_maps_browser import offline_page  # noqa: F401  (a fixture: no network at all)

from stationmap.coverage.surface import modelled_surface
from stationmap.store import Store
from stationmap.store.backend import create_store_engine

XUANWU = "320102"
NANJING = "320100"
JIANGSU = "320000"
OFFICE_HOURS = "Mo-Su 08:00-17:00"
XUANWU_STATIONS = 8
OTHER_STATIONS = 240
DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 768, "height": 1024}
AREAS = "path.planning-area"
FIRST_ASK_MS = 30_000
"""How long a first view may take: the server's first question loads the national
population surface, and the nation's 2,852 counties take Chromium seconds to draw."""


@pytest.fixture(scope="module")
def jiangsu_folder(tmp_path_factory: pytest.TempPathFactory, regions) -> Path:
    """A SpatiaLite store of 江苏 stations at the centroids of populated cells."""
    folder = tmp_path_factory.mktemp("jiangsu")
    store = Store(create_store_engine(_database_url(folder)), regions=regions)
    store.init_schema()
    surface = modelled_surface()
    xuanwu = surface.rows_of(XUANWU)
    for n, row in enumerate(range(xuanwu.start, xuanwu.stop, 9)[:XUANWU_STATIONS]):
        _station_at(store, surface, row, f"玄武规划测试{n}", OFFICE_HOURS)
    province = np.arange(surface.rows_of("32").start, surface.rows_of("32").stop)
    others = province[(province < xuanwu.start) | (province >= xuanwu.stop)]
    busiest = others[np.argsort(-surface.population[others], kind="stable")][: OTHER_STATIONS * 3]
    nanjing = surface.rows_of(NANJING[:4])
    for n, row in enumerate(np.sort(busiest)[::3][:OTHER_STATIONS].tolist()):
        all_day = n % 2 and not nanjing.start <= row < nanjing.stop
        _station_at(store, surface, row, f"江苏规划测试{n}", "24/7" if all_day else OFFICE_HOURS)
    store.close()
    return folder


def _station_at(store: Store, surface, row: int, name: str, hours: str) -> None:
    lonlat = (float(surface.lon[row]), float(surface.lat[row]))
    add_station(store, name, lonlat, opening_hours=hours, address=f"{name}路1号")


def _database_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'stationmap.sqlite'}"


@pytest.fixture(scope="module")
def jiangsu_server(jiangsu_folder: Path) -> Iterator[LiveServer]:
    """The app on the 江苏 store, with no map tiles."""
    env = clean_environment(
        STATIONMAP_DATABASE_URL=_database_url(jiangsu_folder),
        STATIONMAP_INSTANCE_DIR=str(jiangsu_folder),
        STATIONMAP_BASEMAP="none",
    )
    with serving(env, jiangsu_folder) as server:
        server.get_json(f"/api/v1/coverage?within={JIANGSU}&level=city")  # load the surface
        yield server


@pytest.fixture
def viewport() -> dict[str, int]:
    """The page's size: a desktop's unless a test asks for a tablet's."""
    return DESKTOP


@pytest.fixture
def desktop(browser: Browser, jiangsu_server: LiveServer, viewport) -> Iterator[Page]:
    """A page on the 江苏 server (desktop-sized unless ``viewport`` says otherwise); fails
    the test on console errors or on any request off 127.0.0.1."""
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=jiangsu_server.url
    )
    problems: list[str] = []

    def block(route) -> None:
        problems.append(f"request off {LOCAL_HOST}: {route.request.url}")
        route.abort("blockedbyclient")

    context.route(lambda url: not _is_local(url), block)
    page = context.new_page()
    page.on("console", lambda message: _note_console_error(message, problems))
    page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
    page.set_default_timeout(FIRST_ASK_MS)
    yield page
    context.close()
    if problems:
        pytest.fail("the page misbehaved:\n  " + "\n  ".join(problems), pytrace=False)


def open_areas(page: Page, server: LiveServer, query: str) -> dict:
    """Open /planning?<query> and wait until every area is coloured and listed; return
    the API's answer for the same question."""
    page.goto(f"/planning?{query}")
    drawn = re.compile(r"\d\d:00")
    expect(page.locator("#planning")).to_have_attribute("data-at", drawn, timeout=FIRST_ASK_MS)
    at = page.locator("#planning").get_attribute("data-at")
    answer = server.get_json(f"/api/v1/coverage?{query}&at={at}")
    expect(page.locator(AREAS)).to_have_count(len(answer["areas"]), timeout=FIRST_ASK_MS)
    expect(page.locator("#areas-table tbody tr")).to_have_count(len(answer["areas"]))
    return answer


def fills(page: Page) -> dict[str, str]:
    """Each area's fill colour on the map, by adcode."""
    return page.locator(AREAS).evaluate_all(
        "paths => Object.fromEntries(paths.map(p => [p.dataset.adcode, p.getAttribute('fill')]))"
    )


def row_text(page: Page, adcode: str, key: str) -> str:
    return page.locator(
        f'#areas-table tr[data-adcode="{adcode}"] td[data-key="{key}"]'
    ).inner_text()


def set_hour(page: Page, hour: int) -> None:
    """Move the hour slider to ``hour`` and wait for the page to redraw at that hour."""
    with page.expect_response(lambda r: "/api/v1/coverage?" in r.url and f"at={hour:02d}" in r.url):
        page.locator("#hour").fill(str(hour))
    expect(page.locator("#planning")).to_have_attribute("data-at", f"{hour:02d}:00")


def test_the_choropleth_draws_and_the_hour_slider_recolours_it(desktop: Page, jiangsu_server):
    query = f"within={JIANGSU}&level=county&at=10:00"
    day = open_areas(desktop, jiangsu_server, query)

    coloured = {a: f for a, f in fills(desktop).items() if f}
    assert len(coloured) == len(day["areas"]), "every county has a fill"
    xuanwu_day = next(a for a in day["areas"] if a["adcode"] == XUANWU)
    assert xuanwu_day["covered_share"] > 0
    expect(desktop.locator("#hour-label")).to_have_text("10:00")
    expect(desktop.locator("#population-note")).to_be_visible()
    expect(desktop.locator('[data-notice="synthetic"]')).to_have_count(0)  # the store is not demo
    assert row_text(desktop, XUANWU, "covered_share") == f"{xuanwu_day['covered_share'] * 100:.1f}%"
    save_screenshot(desktop, "planning-day.png")

    set_hour(desktop, 21)

    expect(desktop.locator("#hour-label")).to_have_text("21:00")
    expect(
        desktop.locator(f'#areas-table tr[data-adcode="{XUANWU}"] td[data-key="covered_share"]')
    ).to_have_text("0.0%")
    night = fills(desktop)
    assert night[XUANWU] != coloured[XUANWU], "玄武区 lost every station at 17:00"
    assert night != coloured
    assert "at=21%3A00" in desktop.locator("#download-csv").get_attribute("href")
    assert "at=21%3A00" in desktop.url  # a reload or a shared link starts at 21:00
    save_screenshot(desktop, "planning-night.png")


def test_the_nation_by_county_draws_every_county(desktop: Page, jiangsu_server):
    answer = open_areas(desktop, jiangsu_server, "level=county&at=10:00")

    assert len(answer["areas"]) == 2852
    shares = desktop.locator(AREAS).evaluate_all("paths => paths.map(p => p.dataset.share)")
    assert sum(1 for s in shares if s and float(s) > 0) == sum(
        1 for a in answer["areas"] if a["covered_share"]
    )
    save_screenshot(desktop, "planning-nation-counties.png")


def test_sorting_the_table_by_a_column_reorders_it(desktop: Page, jiangsu_server):
    answer = open_areas(desktop, jiangsu_server, f"within={JIANGSU}&level=city&at=10:00")
    header = desktop.locator('#areas-table th[data-key="population"] button')

    header.click()
    expect(desktop.locator('#areas-table th[data-key="population"]')).to_have_attribute(
        "aria-sort", "descending"
    )
    by_people = sorted(answer["areas"], key=lambda a: -a["population"])
    assert listed(desktop) == [a["adcode"] for a in by_people]

    header.click()
    expect(desktop.locator('#areas-table th[data-key="population"]')).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert listed(desktop) == [a["adcode"] for a in by_people][::-1]

    desktop.locator('#areas-table th[data-key="name"] button').click()
    names = desktop.locator('#areas-table td[data-key="name"]').all_inner_texts()
    assert names != [a["name"] for a in by_people][::-1] and len(names) == len(by_people)


def listed(page: Page) -> list[str]:
    return page.locator("#areas-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.adcode)"
    )


def test_clicking_through_province_city_county(desktop: Page, jiangsu_server):
    open_areas(desktop, jiangsu_server, "at=10:00")
    expect(desktop.locator("path.province-borders")).to_have_count(1)
    save_screenshot(desktop, "planning-nation.png")

    desktop.locator(f'#areas-table tr[data-adcode="{JIANGSU}"]').click()  # a table row
    desktop.wait_for_url(re.compile(rf"/planning\?within={JIANGSU}&level=city"))
    expect(desktop.locator(f'{AREAS}[data-adcode="{NANJING}"]')).to_be_visible()
    expect(desktop.locator(".trail")).to_contain_text("全国")

    desktop.locator(f'{AREAS}[data-adcode="{NANJING}"]').click()  # an area on the map
    desktop.wait_for_url(re.compile(rf"within={NANJING}&level=county"))
    expect(desktop.locator(".trail")).to_contain_text("江苏省")
    expect(desktop.locator(f'#areas-table tr[data-adcode="{XUANWU}"]')).to_be_visible()

    desktop.locator(f'#areas-table tr[data-adcode="{XUANWU}"]').click()
    desktop.wait_for_url(re.compile(rf"/planning/county/{XUANWU}\?at=10%3A00"))
    expect(desktop.locator("h1")).to_contain_text("玄武区")
    desktop.locator(".trail a", has_text="南京市").click()  # the breadcrumbs lead back up
    desktop.wait_for_url(re.compile(rf"within={NANJING}"))


def test_a_county_view_draws_its_gaps_stations_and_n_proposed_sites(desktop: Page, jiangsu_server):
    desktop.goto(f"/planning/county/{XUANWU}?at=10:00")
    gaps = jiangsu_server.get_json(f"/api/v1/coverage/gaps?adcode={XUANWU}&at=10:00")
    expect(desktop.locator("path.gap-cell")).to_have_count(len(gaps["features"]))
    stations = in_xuanwu(jiangsu_server)
    expect(desktop.locator("#map .station-marker.is-open")).to_have_count(stations)
    expect(desktop.locator("#day-chart .bar")).to_have_count(24)

    desktop.locator("#p").fill("6")
    desktop.locator("#propose").click()

    expect(desktop.locator("path.proposed-site")).to_have_count(6)
    expect(desktop.locator("path.site-catchment")).to_have_count(6)
    expect(desktop.locator("#sites li")).to_have_count(6)
    expect(desktop.locator("#proposal-summary")).to_contain_text("方法")
    expect(desktop.locator("#sites-geojson")).to_have_attribute(
        "href", re.compile("format=geojson")
    )
    expect(desktop.locator("#offline-map")).to_have_attribute("href", re.compile("p=6"))
    save_screenshot(desktop, "planning-county.png")

    set_county_hour(desktop, 21)
    expect(desktop.locator("#map .station-marker.is-closed")).to_have_count(stations)
    expect(desktop.locator("path.proposed-site")).to_have_count(0)  # they were for 10:00
    night = jiangsu_server.get_json(f"/api/v1/coverage/gaps?adcode={XUANWU}&at=21:00")
    assert len(night["features"]) > len(gaps["features"])
    expect(desktop.locator("path.gap-cell")).to_have_count(len(night["features"]))


def in_xuanwu(server: LiveServer) -> int:
    """How many stations the store holds in 玄武区 (some placed at a neighbour's cell
    centroid lie inside it): all of them keep office hours, as all of 南京's do."""
    return len(server.get_json(f"/api/v1/counties/{XUANWU}/stations")["features"])


def set_county_hour(page: Page, hour: int) -> None:
    with page.expect_response(lambda r: "/coverage/gaps?" in r.url and f"at={hour:02d}" in r.url):
        page.locator("#hour").fill(str(hour))
    expect(page.locator("#planning")).to_have_attribute("data-at", f"{hour:02d}:00")


@pytest.mark.parametrize("viewport", [TABLET])
def test_on_an_upright_tablet_the_table_follows_the_map_and_nothing_overflows(
    desktop: Page, jiangsu_server
):
    open_areas(desktop, jiangsu_server, f"within={JIANGSU}&level=city&at=10:00")

    map_box = desktop.locator("#map").bounding_box()
    table_box = desktop.locator("#areas-table").bounding_box()
    assert map_box and table_box and table_box["y"] >= map_box["y"] + map_box["height"]
    assert desktop.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save_screenshot(desktop, "planning-tablet.png")


def test_the_offline_map_shows_gaps_and_sites_with_no_network(
    offline_page: Page, jiangsu_server, tmp_path: Path
):
    url = f"{jiangsu_server.url}/planning/county/{XUANWU}/map.html?at=21:00&p=4"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=60) as response:
        assert "attachment" in response.headers["Content-Disposition"]
        path = tmp_path / "xuanwu.html"
        path.write_bytes(response.read())
    gaps = jiangsu_server.get_json(f"/api/v1/coverage/gaps?adcode={XUANWU}&at=21:00")

    offline_desktop = offline_page
    offline_desktop.set_viewport_size(DESKTOP)
    offline_desktop.goto(path.as_uri())

    expect(offline_desktop.locator("path.gap-cell")).to_have_count(len(gaps["features"]))
    expect(offline_desktop.locator("path.proposed-site")).to_have_count(4)
    expect(offline_desktop.locator("path.site-catchment")).to_have_count(4)
    expect(offline_desktop.locator("path.station-dot")).to_have_count(in_xuanwu(jiangsu_server))
    expect(offline_desktop.locator(".coverage-legend")).to_contain_text("人口为模型估算")
    save_screenshot(offline_desktop, "planning-offline-map.png")
