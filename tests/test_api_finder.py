"""The finder's HTTP API through the real app: answers, coordinate systems, bad input."""

from __future__ import annotations

import gzip
import math
import re

import pytest
import shapely
from builders import add_station
from finder_data import HARBIN, add_degree_trap
from openapi_spec_validator import validate

from stationmap.coordinates import point_from_wgs84
from stationmap.demo.loading import load_demo
from stationmap.identifiers import is_public_id, new_public_id
from stationmap.web.openapi import ENDPOINTS, OPERATIONS


def _store(app):
    return app.extensions["stationmap.store"]


def _features(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    return body["features"]


def test_nearest_answers_sorted_geojson_with_every_property(any_app):
    store = _store(any_app)
    trap = add_degree_trap(store, HARBIN)
    features = _features(
        any_app.test_client().get(f"/api/v1/stations/nearest?lon={HARBIN[0]}&lat={HARBIN[1]}&k=2")
    )
    assert [f["id"] for f in features] == [trap["east"], trap["north"]]
    distances = [f["properties"]["distance_m"] for f in features]
    assert distances == sorted(distances)
    props = features[0]["properties"]
    for key in (
        "name",
        "kind",
        "address",
        "province",
        "city",
        "county",
        "adcode",
        "amenities",
        "opening_hours",
        "hours_text",
        "open_now",
        "phone",
        "status",
        "updated_at",
        "distance_m",
    ):
        assert key in props, key
    assert features[0]["geometry"]["type"] == "Point"


def test_filters_reach_the_finder(any_app):
    store = _store(any_app)
    add_station(store, name="有热水", amenities=("hot_water",))
    add_station(store, name="能充电", lonlat=(118.80, 32.05), amenities=("ebike_charging",))
    add_station(store, name="关了", lonlat=(118.801, 32.05), status="closed")
    client = any_app.test_client()
    base = "/api/v1/stations/nearest?lon=118.7975&lat=32.0485"
    assert [
        f["properties"]["name"] for f in _features(client.get(base + "&amenities=ebike_charging"))
    ] == ["能充电"]
    assert len(_features(client.get(base))) == 2
    assert len(_features(client.get(base + "&status=active,closed"))) == 3
    assert _features(client.get(base + "&kinds=bank")) == []


def test_gcj02_in_gcj02_out(any_app):
    station = add_station(_store(any_app))
    lon, lat = point_from_wgs84(station.lon, station.lat, "gcj02")
    [feature] = _features(
        any_app.test_client().get(f"/api/v1/stations/nearest?lon={lon}&lat={lat}&k=1&crs=gcj02")
    )
    assert feature["properties"]["distance_m"] < 0.01
    assert feature["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)


def test_viewport_search_within_county_and_station(app):
    store = _store(app)
    station = add_station(store, name="朝阳银行驿站", address="朝阳路1号")
    add_station(store, name="北京驿站", lonlat=(116.3975, 39.9087))
    client = app.test_client()
    assert [
        f["id"] for f in _features(client.get("/api/v1/stations?bbox=118.7,32.0,118.9,32.1"))
    ] == [station.id]
    assert [f["id"] for f in _features(client.get("/api/v1/stations/search?q=朝阳%20银行"))] == [
        station.id
    ]
    assert [
        f["id"]
        for f in _features(
            client.get("/api/v1/stations/within?lon=118.7975&lat=32.0485&radius_m=100")
        )
    ] == [station.id]
    assert [f["id"] for f in _features(client.get("/api/v1/counties/320102/stations"))] == [
        station.id
    ]
    one = client.get(f"/api/v1/stations/{station.id}").get_json()
    assert one["type"] == "Feature" and one["id"] == station.id


def test_answers_carry_the_synthetic_notice_and_cache_headers(app):
    load_demo(_store(app), count=300, seed=4)
    response = app.test_client().get("/api/v1/stations/nearest?lon=116.4&lat=39.9")
    assert "合成" in response.get_json()["notice"]
    assert "max-age" in response.headers["Cache-Control"]


BAD_REQUESTS = [
    ("/api/v1/stations/nearest?lat=39.9", "lon"),
    ("/api/v1/stations/nearest?lon=116.4", "lat"),
    ("/api/v1/stations/nearest?lon=200&lat=39.9", "lon"),
    ("/api/v1/stations/nearest?lon=116.4&lat=-91", "lat"),
    ("/api/v1/stations/nearest?lon=nan&lat=39.9", "lon"),
    ("/api/v1/stations/nearest?lon=inf&lat=39.9", "lon"),
    ("/api/v1/stations/nearest?lon=abc&lat=39.9", "lon"),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&k=0", "k"),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&k=10000", "k"),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&k=2.5", "k"),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&k=²", "k"),
    ("/api/v1/clusters?bbox=116,39,117,40&zoom=²", "zoom"),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&amenities=sauna", "amenities"),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&kinds=castle", "kinds"),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&status=open", "status"),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&crs=foo", "crs"),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&open_now=maybe", "open_now"),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&open_at=tomorrow", "open_at"),
    (
        "/api/v1/stations/nearest?lon=116.4&lat=39.9&open_now=true&open_at=2026-01-01T08:00",
        "open_at",
    ),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&max_distance_m=-5", "max_distance_m"),
    ("/api/v1/stations/nearest?lon=116.4&lat=39.9&radius=5", "radius"),
    ("/api/v1/stations?bbox=1,2,3", "bbox"),
    ("/api/v1/stations?bbox=116,40,115,41", "bbox"),
    ("/api/v1/stations?bbox=a,b,c,d", "bbox"),
    ("/api/v1/stations?bbox=116,39,117,nan", "bbox"),
    ("/api/v1/stations", "bbox"),
    ("/api/v1/stations?bbox=116,39,117,40&limit=0", "limit"),
    ("/api/v1/stations?bbox=116,39,117,40&limit=²", "limit"),
    ("/api/v1/stations/within?lon=116.4&lat=39.9", "radius_m"),
    ("/api/v1/stations/within?lon=116.4&lat=39.9&radius_m=1e9", "radius_m"),
    ("/api/v1/stations/search?q=", "q"),
    ("/api/v1/stations/search", "q"),
    ("/api/v1/stations/search?q=" + "驿" * 101, "q"),
    ("/api/v1/stations/abc", "id"),
    ("/api/v1/counties/32/stations", "adcode"),
    ("/api/v1/counties/３２０１０２/stations", "adcode"),
]


@pytest.mark.parametrize(("path", "parameter"), BAD_REQUESTS)
def test_bad_parameters_are_a_400_naming_the_parameter(any_app, path, parameter):
    response = any_app.test_client().get(path)
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "invalid_parameter"
    assert error["message"].startswith((parameter + ":", parameter + " is required:"))
    assert "got None" not in error["message"]


@pytest.mark.parametrize("point", ["126.98,37.57", "139.69,35.69", "0,0"])
def test_points_outside_china_in_gcj02_are_refused(app, point):
    lon, lat = point.split(",")
    response = app.test_client().get(f"/api/v1/stations/nearest?lon={lon}&lat={lat}&crs=gcj02")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "outside_china"


def test_wgs84_points_outside_china_simply_find_the_nearest(app):
    """Seoul is outside China but inside the area served (500 km around it): far points are
    refused instead (tests/test_finder_far_points.py)."""
    add_station(_store(app))
    features = _features(app.test_client().get("/api/v1/stations/nearest?lon=126.98&lat=37.57"))
    assert features and features[0]["properties"]["distance_m"] > 300_000


def test_openapi_document_is_valid_and_names_every_route(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(document)
    routes = {
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") or rule.rule in ("/healthz", "/readyz")
    }
    signed_in = {path for _, path in OPERATIONS}
    assert routes == set(document["paths"]) == set(ENDPOINTS) | signed_in
    nearest = {
        p["name"] for p in document["paths"]["/api/v1/stations/nearest"]["get"]["parameters"]
    }
    assert {
        "lon",
        "lat",
        "k",
        "amenities",
        "kinds",
        "open_now",
        "open_at",
        "max_distance_m",
        "crs",
    } <= nearest


def test_path_parameters_are_described_as_the_server_reads_them(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/api/v1/stations/{station_id}"]["get"]["parameters"]
    [station_id] = [p for p in parameters if p["in"] == "path"]
    pattern = re.compile(station_id["schema"]["pattern"])
    candidates = [new_public_id() for _ in range(50)] + ["0", "ABCDEFGHIJ", "abcdefghil", "x" * 11]
    for text in candidates:
        assert bool(pattern.fullmatch(text)) == is_public_id(text), text


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1/stations/nearest"), ("TRACE", "/api/v1/"), ("DELETE", "/api/v1/stations")],
)
def test_a_wrong_method_is_a_json_405_that_says_what_is_allowed(app, method, path):
    response = app.test_client().open(path + "?lon=118.8&lat=32.05", method=method)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"].split(", ")
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_no_request_a_client_can_send_gives_a_500(app):
    client = app.test_client()
    for path, _ in BAD_REQUESTS:
        for suffix in ("", "&k=5", "&lon=" + str(math.pi)):
            assert client.get(path + suffix).status_code < 500, path + suffix


def test_large_answers_are_gzipped_for_clients_that_accept_it(app):
    load_demo(_store(app), count=300, seed=4)
    client = app.test_client()
    path = "/api/v1/stations?bbox=73,18,135,54&limit=50"
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.get_data()) < len(plain.get_data()) / 2

    assert gzip.decompress(packed.get_data()) == plain.get_data()


def test_clusters_add_up_and_turn_into_stations_close_in(app):
    load_demo(_store(app), count=2000, seed=6)
    client = app.test_client()
    national = client.get("/api/v1/clusters?bbox=70,15,137,55&zoom=4").get_json()
    assert all("count" in f["properties"] for f in national["features"])
    assert sum(f["properties"]["count"] for f in national["features"]) == national["in_view"]
    assert national["in_view"] == national["total"] == _store(app).count_stations(status="active")
    close = client.get("/api/v1/clusters?bbox=116.39,39.90,116.42,39.92&zoom=16").get_json()
    assert all("id" in f and "count" not in f["properties"] for f in close["features"])
    assert close["in_view"] == len(close["features"])


def test_clusters_in_gcj02_keep_a_centre_that_falls_at_sea(app):
    """A cluster's centre is a mean: Haikou and an island of Sansha average out at sea,
    where GCJ-02 has no shift. The map asked for it, so it is drawn unshifted."""
    for i in range(80):  # more than a view shows one by one
        add_station(_store(app), name=f"海口驿站{i}", lonlat=(110.33 + i * 1e-3, 20.03))
        add_station(_store(app), name=f"永兴岛驿站{i}", lonlat=(112.335 + i * 1e-4, 16.834))
    response = app.test_client().get("/api/v1/clusters?bbox=60,0,150,60&zoom=3&crs=gcj02")
    assert response.status_code == 200, response.get_data(as_text=True)
    [cluster] = response.get_json()["features"]
    assert cluster["properties"]["count"] == 160


def test_navigation_links_carry_each_apps_own_coordinates(app):
    station = add_station(_store(app))
    links = app.test_client().get(f"/api/v1/stations/{station.id}/navigation").get_json()
    gcj = point_from_wgs84(station.lon, station.lat, "gcj02")
    bd = point_from_wgs84(station.lon, station.lat, "bd09")
    assert f"position={gcj[0]:.6f},{gcj[1]:.6f}" in links["amap"]
    assert f"location={bd[1]:.6f},{bd[0]:.6f}" in links["baidu"]
    assert f"coord:{gcj[1]:.6f},{gcj[0]:.6f}" in links["tencent"]


@pytest.mark.parametrize("path", ["/", "/map", "/counties/320102"])
def test_pages_use_only_local_assets(app, path):
    add_station(_store(app))
    html = app.test_client().get(path).get_data(as_text=True)
    assert "/vendor/leaflet/leaflet.js" in html
    for source in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not source.startswith(("http://", "https://", "//")), source


def test_station_and_county_pages(app):
    station = add_station(_store(app), name="玄武门驿站")
    client = app.test_client()
    page = client.get(f"/stations/{station.id}").get_data(as_text=True)
    assert "玄武门驿站" in page and "nav-amap" in page
    county = client.get("/counties/320102").get_data(as_text=True)
    assert "玄武区" in county and 'id="counts-kind"' in county
    assert client.get("/counties/999999").status_code == 404
    assert client.get("/stations/nothing").status_code == 404


def test_scripts_and_styles_are_gzipped_too(app):
    client = app.test_client()
    with client.get("/vendor/leaflet/leaflet.js") as plain:
        raw = plain.get_data()
    packed = client.get("/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == raw
    assert len(packed.get_data()) < len(raw) / 3


def test_counties_by_name_with_a_point_inside(app, regions):
    client = app.test_client()
    [xuanwu] = client.get("/api/v1/counties?name=玄武").get_json()["counties"]
    assert (xuanwu["adcode"], xuanwu["city"]) == ("320102", "南京市")
    assert shapely.contains_xy(regions.boundary("320102"), xuanwu["lon"], xuanwu["lat"])
    chaoyang = client.get("/api/v1/counties?name=朝阳区").get_json()["counties"]
    assert {c["adcode"] for c in chaoyang} >= {"110105", "220104"}
    assert client.get("/api/v1/counties?name=不存在的县").get_json() == {"counties": []}
    assert client.get("/api/v1/counties").status_code == 400


def test_county_map_downloads_as_one_standalone_file(app):
    add_station(_store(app), name="玄武门驿站", opening_hours="Mo-Su 07:00-23:00")
    response = app.test_client().get("/counties/320102/map.html")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    html = response.get_data(as_text=True)
    assert "玄武门驿站" in html and "L.map(" in html
    assert "开放时间：每天 07:00-23:00" in html
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html) == []
