"""The planners' pages through the Flask client, on SpatiaLite and PostGIS: each page
answers, an unknown area is the Chinese 404 page, the outlines are the areas asked for
and small enough, a county's stations carry their state at the hour asked, and the
offline map holds its gaps and sites with nothing to fetch. Nothing here writes.

Chromium drives the same pages in test_planning_browser.py.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator

import pytest
import shapely
from builders import XUANWU, add_station, table_dump

from stationmap import create_app
from stationmap.coverage.surface import modelled_surface
from stationmap.store import Store
from stationmap.store.backend import create_store_engine
from stationmap.web import close_app

XUANWU_CODE = "320102"
OFFICE_HOURS = "Mo-Su 08:00-17:00"
MAX_NATIONAL_COUNTIES_GZIP = 2_000_000
PROVINCES = 31
JIANGSU_CITIES = 13
GAP_DATA = re.compile(r"var gap_layer_\w+ = L\.geoJSON\((\{.*?\}), \{\n")
SITE_DATA = re.compile(r"var site_layer_\w+ = (\[.*?\]);\n")


@pytest.fixture
def planning_app(database_url: str) -> Iterator:
    """The app on a fresh store of each backend, with no map tiles."""
    store = Store(create_store_engine(database_url))
    store.init_schema()
    store.close()
    app = create_app(
        {"database_url": database_url, "secret_key": "a test key " * 4, "basemap": "none"}
    )
    app.config["TESTING"] = True
    yield app
    close_app(app)


@pytest.fixture
def client(planning_app):
    return planning_app.test_client()


@pytest.fixture
def store(planning_app) -> Store:
    return planning_app.extensions["stationmap.store"]


def _xuanwu_stations(store: Store, count: int = 4) -> None:
    """``count`` office-hours stations at the centroids of 玄武区 cells."""
    surface = modelled_surface()
    rows = surface.rows_of(XUANWU_CODE)
    for n, row in enumerate(range(rows.start, rows.stop, 11)[:count]):
        lonlat = (float(surface.lon[row]), float(surface.lat[row]))
        add_station(store, f"玄武规划{n}", lonlat, opening_hours=OFFICE_HOURS)


def test_the_national_page_starts_at_the_provinces_with_the_hour_asked(client):
    page = client.get("/planning?at=21:00&radius_m=1500&utm_source=mail")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    start = json.loads(re.search(r'id="planning-start"[^>]*>(.*?)</script>', html)[1])
    assert start == {
        "within": "000000",
        "within_name": "全国",
        "within_level": "nation",
        "level": "province",
        "hour": 21,
        "radius_m": 1500,
    }
    assert 'id="hour" type="range" min="0" max="23"' in html
    assert "/vendor/leaflet/leaflet.js" in html and "https://" not in html.split("<main>")[1]
    for header in ("地区", "人口", "覆盖率", "此时开放", "距离中位数"):
        assert f">{header}</button>" in html


def test_a_province_page_lists_its_cities_and_leads_back_up(client):
    html = client.get("/planning?within=320000").get_data(as_text=True)

    assert '"level": "city"' in html
    assert '<a href="/planning" data-adcode="000000">全国</a>' in html
    assert '<strong aria-current="page">江苏省</strong>' in html
    assert 'data-level="province"' not in html  # a province holds no provinces
    assert 'data-level="county"' in html


def test_a_county_code_in_within_opens_the_county_view(client):
    answer = client.get("/planning?within=320102")
    at_night = client.get("/planning?within=320102&level=county&at=21:00")

    assert answer.status_code == at_night.status_code == 302
    assert answer.headers["Location"].endswith("/planning/county/320102")
    assert at_night.headers["Location"].endswith("/planning/county/320102?at=21%3A00")


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/planning?within=999999", 404, "没有行政区划代码为 999999 的地区"),
        ("/planning?within=32", 404, "代码应为 6 位数字"),
        ("/planning/county/999999", 404, "没有行政区划代码为 999999 的地区"),
        ("/planning/county/320100", 404, "不是区县"),
        ("/planning/county/999999/map.html", 404, "999999"),
        ("/planning?within=320000&level=province", 400, "level"),
        ("/planning?level=town", 400, "town"),
        ("/planning?at=25:99", 400, "at"),
        ("/planning?radius_m=5", 400, "radius_m"),
        ("/planning/county/320102?at=noon", 400, "at"),
        ("/planning/county/320102/map.html?p=0", 400, "p"),
        ("/planning/areas.geojson?level=town", 400, "level"),
    ],
)
def test_bad_addresses_get_the_chinese_error_page_naming_what_is_wrong(client, path, status, says):
    answer = client.get(path)

    assert answer.status_code == status
    html = answer.get_data(as_text=True)
    assert 'class="error-page"' in html and says in html


def test_the_pages_answer_get_only(client):
    assert client.post("/planning").status_code == 405
    assert client.post("/planning/county/320102").status_code == 405


def test_the_outlines_are_the_areas_asked_for(client):
    provinces = client.get("/planning/areas.geojson?level=province").get_json()
    cities = client.get("/planning/areas.geojson?level=city&within=320000").get_json()

    assert len(provinces["features"]) == PROVINCES
    assert len(cities["features"]) == JIANGSU_CITIES
    assert {f["properties"]["adcode"][:2] for f in cities["features"]} == {"32"}
    nanjing = next(f for f in cities["features"] if f["properties"]["adcode"] == "320100")
    assert nanjing["properties"]["name"] == "南京市"
    shape = shapely.geometry.shape(nanjing["geometry"])
    assert shape.is_valid and shape.contains(shapely.Point(XUANWU))


def test_the_national_counties_are_small_enough_to_draw(client):
    answer = client.get("/planning/areas.geojson?level=county", headers={"Accept-Encoding": "gzip"})

    assert answer.headers["Content-Encoding"] == "gzip"
    assert len(answer.data) < MAX_NATIONAL_COUNTIES_GZIP
    counties = json.loads(gzip.decompress(answer.data))["features"]
    assert len(counties) == 2852
    assert all(shapely.geometry.shape(f["geometry"]).area > 0 for f in counties)


def test_a_countys_stations_carry_their_state_at_the_hour_asked(client, store):
    _xuanwu_stations(store, 3)

    day = client.get(f"/planning/county/{XUANWU_CODE}/stations.json?at=10:00").get_json()
    night = client.get(f"/planning/county/{XUANWU_CODE}/stations.json?at=21:00").get_json()

    assert [s["state"] for s in day["stations"]] == ["open"] * 3
    assert [s["state"] for s in night["stations"]] == ["closed"] * 3
    assert night["at"].endswith("T21:00+08:00")


def test_the_county_view_starts_at_its_outline_and_ten_sites(client):
    html = client.get(f"/planning/county/{XUANWU_CODE}?at=10:00").get_data(as_text=True)

    start = json.loads(re.search(r'id="planning-start"[^>]*>(.*?)</script>', html)[1])
    outline = json.loads(re.search(r'id="county-outline"[^>]*>(.*?)</script>', html)[1])
    assert start["p"] == 10 and start["hour"] == 10 and start["within"] == XUANWU_CODE
    assert shapely.geometry.shape(outline).contains(shapely.Point(XUANWU))
    assert "南京市" in html and "选址建议" in html
    assert f'href="/planning/county/{XUANWU_CODE}/map.html"' in html


def test_the_offline_map_holds_gaps_and_sites_and_links_nothing(client, store):
    _xuanwu_stations(store)
    before = table_dump(store)

    answer = client.get(f"/planning/county/{XUANWU_CODE}/map.html?at=21:00&p=3")

    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="coverage-320102.html"'
    html = answer.get_data(as_text=True)
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html) == []
    assert "$(" not in html and "jQuery" not in html
    gaps = json.loads(GAP_DATA.search(html)[1])["features"]
    api = client.get(f"/api/v1/coverage/gaps?adcode={XUANWU_CODE}&at=21:00").get_json()
    assert len(gaps) == len(api["features"]) > 0  # at night no station covers anyone
    sites = json.loads(SITE_DATA.search(html)[1])
    assert [s["rank"] for s in sites] == [1, 2, 3]
    assert all(s["radius_m"] == 1000 for s in sites)
    assert "人口为模型估算" in html
    # the dots show the stations at 21:00, and the legend and popups say so
    assert "21:00 未开放" in html and "当前未开放" not in html
    assert table_dump(store) == before


def test_an_offline_map_of_a_fully_covered_county_has_no_sites(client, store):
    surface = modelled_surface()
    rows = surface.rows_of(XUANWU_CODE)
    for row in range(rows.start, rows.stop):
        lonlat = (float(surface.lon[row]), float(surface.lat[row]))
        add_station(store, f"全覆盖{row}", lonlat, opening_hours="24/7")

    html = client.get(f"/planning/county/{XUANWU_CODE}/map.html").get_data(as_text=True)

    assert SITE_DATA.search(html) is None
    assert json.loads(GAP_DATA.search(html)[1])["features"] == []


def test_the_pages_write_nothing(client, store):
    _xuanwu_stations(store)
    before = table_dump(store)

    for path in (
        "/planning",
        "/planning?within=320100&level=county&at=21:00",
        "/planning/areas.geojson?level=city&within=320000",
        f"/planning/county/{XUANWU_CODE}",
        f"/planning/county/{XUANWU_CODE}/stations.json",
    ):
        assert client.get(path).status_code == 200, path

    assert table_dump(store) == before
