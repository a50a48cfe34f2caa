"""The web app through Flask's client: the API, the pages, the synthetic-data notice."""

from __future__ import annotations

import pytest
from builders import add_station

from stationmap import create_app
from stationmap.demo.loading import load_demo
from stationmap.errors import DatabaseUnavailable


def _store(app):
    return app.extensions["stationmap.store"]


def test_api_index_counts_stations(client, app):
    add_station(_store(app))
    add_station(_store(app), status="closed")
    body = client.get("/api/v1/").get_json()
    assert (body["stations"], body["active_stations"]) == (2, 1)
    assert body["synthetic"] is False and body["notice"] is None


def test_demo_data_is_labelled_synthetic_in_api_and_pages(client, app):
    batch = load_demo(_store(app), count=200, seed=2)
    body = client.get("/api/v1/").get_json()
    assert body["synthetic"] is True and "合成" in body["notice"]
    station_id = next(_store(app).iter_stations()).id
    feature = client.get(f"/api/v1/stations/{station_id}").get_json()
    assert "合成" in feature["notice"]
    for path in ("/", "/no-such-page"):
        page = client.get(path).get_data(as_text=True)
        assert 'data-notice="synthetic"' in page and "合成" in page, path
    assert batch.counts["added"] == 200


def test_station_is_a_geojson_feature(client, app):
    station = add_station(
        _store(app), amenities=("hot_water", "toilet"), opening_hours="Mo-Fr 08:30-17:30; PH off"
    )
    response = client.get(f"/api/v1/stations/{station.id}")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    feature = response.get_json()
    assert feature["type"] == "Feature" and feature["id"] == station.id
    assert feature["geometry"]["coordinates"] == [station.lon, station.lat]
    props = feature["properties"]
    assert props["amenities"] == ["hot_water", "toilet"]
    assert props["opening_hours"] == "Mo-Fr 08:30-17:30; PH off"
    assert props["hours_text"] == "周一至周五 08:30-17:30；法定节假日休息"
    assert {
        "name",
        "kind",
        "address",
        "province",
        "city",
        "county",
        "adcode",
        "opening_hours",
        "phone",
        "status",
        "updated_at",
    } <= set(props)


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/stations/zzzzzzzzzz", 404, "not_found"),
        ("/api/v1/stations/abc", 400, "invalid_parameter"),
        ("/api/v1/stations/ABCDEFGHIJ", 400, "invalid_parameter"),
        ("/api/v1/nothing-here", 404, "not_found"),
    ],
)
def test_api_errors_are_json_with_a_message(client, path, status, code):
    response = client.get(path)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]


def test_page_errors_are_html_in_chinese(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "找不到这个页面" in response.get_data(as_text=True)


def test_app_refuses_a_database_without_the_schema(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="stationmap init-db"):
        create_app({"database_url": f"sqlite:///{tmp_path}/new.sqlite"})
