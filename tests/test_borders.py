"""Province borders for maps without tiles, through the app."""

from __future__ import annotations

import gzip
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from stationmap.borders import borders_geojson
from stationmap.resources import data_path

PATH = "/api/v1/regions/provinces"


def _lines(body: dict) -> list[np.ndarray]:
    [feature] = body["features"]
    assert feature["geometry"]["type"] == "MultiLineString"
    return [np.asarray(line) for line in feature["geometry"]["coordinates"]]


def test_borders_follow_the_province_layer_within_a_few_kilometres(client):
    response = client.get(PATH)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert "max-age=86400" in response.headers["Cache-Control"]
    body = response.get_json()
    assert "MIT" in body["source"] and body["crs_name"] == "wgs84"
    points = np.concatenate(_lines(body))
    provinces = gpd.read_parquet(data_path("regions", "provinces.parquet")).geometry.values
    stored = shapely.union_all(shapely.boundary(provinces))
    offsets = shapely.distance(shapely.points(points), stored)
    assert offsets.max() < 0.08  # degrees: simplified to about 5 km, not redrawn
    # every province keeps a border near it (none was dropped as an island)
    lines = shapely.multilinestrings([shapely.linestrings(line) for line in _lines(body)])
    assert all(shapely.distance(shapely.boundary(p), lines) < 0.08 for p in provinces)


def test_borders_are_light_enough_for_a_phone(client):
    response = client.get(PATH, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.data) < 40_000
    assert len(_lines(json.loads(gzip.decompress(response.data)))) > 50


def test_borders_come_in_the_asked_coordinate_system(client):
    wgs84 = _lines(client.get(PATH).get_json())
    gcj02 = _lines(client.get(PATH + "?crs=gcj02").get_json())
    assert [len(a) for a in wgs84] == [len(b) for b in gcj02]
    shifts = np.hypot(*(np.concatenate(gcj02) - np.concatenate(wgs84)).T)
    # GCJ-02 moves inland points by a few hundred metres; nothing moves by kilometres
    assert np.median(shifts) > 0.001 and shifts.max() < 0.02
    assert borders_geojson("bd09") != borders_geojson("gcj02")


@pytest.mark.parametrize(
    ("query", "parameter"), [("?crs=tokyo", "crs"), ("?zoom=5", "zoom"), ("?crs=", "crs")]
)
def test_bad_border_parameters_are_named(client, query, parameter):
    response = client.get(PATH + query)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter
