"""The synthetic national demo set: reproducible, inside its counties, true to the figures.

The full 173,000-station set is generated once for the module (a couple of seconds);
checks that need several seeds or counts use small sets.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import opening_hours
import pandas as pd
import pytest
import shapely

from stationmap.demo import DEMO_SOURCE_NOTE, generate_demo_stations
from stationmap.demo.allocation import allocate_stations, floor_that_fits
from stationmap.demo.hours import TYPICAL_HOURS
from stationmap.demo.naming import short_place_name
from stationmap.demo.sampling import draw_within_groups, group_weights, pick_exact_share
from stationmap.identifiers import is_public_id
from stationmap.resources import data_path
from stationmap.vocabulary import AMENITIES, KINDS, STATUSES

FULL_COUNT = 173_000
EXPECTED_COLUMNS = [
    "public_id", "name", "kind", "address", "province", "city", "county", "adcode",
    "lon", "lat", "amenities", "opening_hours", "phone", "status", "source_key",
]  # fmt: skip
PUBLISHED_SHARES = [
    # (what, published share, tolerance), from the ACFTU end-2024 figures (186,100 stations)
    ("open 24/7", 12_100 / 186_100, 0.005),
    ("smart_kiosk", 11_800 / 186_100, 0.005),
    ("first_aid", 110_000 / 186_100, 0.01),
    ("discount_meals", 2_400 / 186_100, 0.003),
    ("battery_swap", 2_000 / 186_100, 0.003),
]
MASKED_PHONE = re.compile(r"1[3-9]\d\*{4}\d{4}|0\d{2,3}-\*{4}\d{4}")


@pytest.fixture(scope="module")
def full_set() -> pd.DataFrame:
    """The default national demo set, generated once for this module."""
    return generate_demo_stations(FULL_COUNT, seed=1)


@pytest.fixture(scope="module")
def county_layer() -> gpd.GeoDataFrame:
    """The county boundaries, read straight from the bundled layer, indexed by adcode."""
    return gpd.read_parquet(data_path("regions", "counties.parquet")).set_index("adcode")


def share_of(frame: pd.DataFrame, what: str) -> float:
    """Share of stations open 24/7, of a kind, or offering an amenity."""
    if what == "open 24/7":
        return float((frame["opening_hours"] == "24/7").mean())
    if what in KINDS:
        return float((frame["kind"] == what).mean())
    return float(frame["amenities"].map(lambda keys: what in keys).mean())


# Reproducibility and size


def test_same_seed_gives_identical_frames():
    first = generate_demo_stations(5_000, seed=7)
    second = generate_demo_stations(5_000, seed=7)
    pd.testing.assert_frame_equal(first, second, check_exact=True)


def test_different_seeds_give_different_stations():
    first = generate_demo_stations(5_000, seed=7)
    second = generate_demo_stations(5_000, seed=8)
    assert not np.array_equal(first["lon"].to_numpy(), second["lon"].to_numpy())
    assert set(first["public_id"]).isdisjoint(second["public_id"])
    assert (first["name"] != second["name"]).mean() > 0.5


def test_full_set_has_exactly_the_requested_count_and_floor(full_set, county_layer):
    assert len(full_set) == FULL_COUNT
    per_county = full_set["adcode"].value_counts()
    assert set(per_county.index) == set(county_layer.index)
    assert per_county.min() >= 3


@pytest.mark.parametrize("count", [0, 1, 100, 5_000, 9_001])
def test_small_counts_are_exact(count, county_layer):
    frame = generate_demo_stations(count, seed=3)
    assert len(frame) == count
    floor = floor_that_fits(count, len(county_layer))
    if floor:
        assert frame["adcode"].value_counts().min() >= floor
        assert frame["adcode"].nunique() == len(county_layer)


def test_floor_degrades_to_what_fits():
    assert floor_that_fits(173_000, 2_852) == 3
    assert floor_that_fits(5_000, 2_852) == 1
    assert floor_that_fits(2_000, 2_852) == 0


def test_allocation_follows_population_with_largest_remainder():
    counts = allocate_stations(np.array([1.0, 1.0, 1.0]), total=10, floor=0)
    assert counts.tolist() == [4, 3, 3]
    counts = allocate_stations(np.array([0.0, 100.0, 300.0]), total=13, floor=2)
    assert counts.tolist() == [2, 4, 7]
    assert allocate_stations(np.zeros(4), total=9).tolist() == [3, 2, 2, 2]


def test_allocation_refuses_a_negative_count():
    with pytest.raises(ValueError, match="got -1"):
        allocate_stations(np.ones(3), total=-1)


# Shape of the frame


def test_columns_and_types(full_set):
    assert list(full_set.columns) == EXPECTED_COLUMNS
    assert full_set["lon"].dtype == np.float64 and full_set["lat"].dtype == np.float64
    for column in ("public_id", "name", "kind", "address", "province", "city", "county",
                   "adcode", "phone", "status", "source_key"):  # fmt: skip
        assert full_set[column].map(type).eq(str).all(), column
    assert full_set["amenities"].map(type).eq(tuple).all()
    assert full_set["opening_hours"].map(lambda v: v is None or type(v) is str).all()
    assert full_set["adcode"].str.fullmatch(r"\d{6}").all()


def test_ids_and_source_keys_are_unique(full_set):
    assert full_set["public_id"].is_unique
    assert full_set["public_id"].map(is_public_id).all()
    assert full_set["source_key"].is_unique
    assert full_set["source_key"].str.fullmatch(r"demo-1-\d+").all()


# Geography


def test_every_point_lies_inside_its_county(full_set, county_layer):
    boundaries = county_layer.geometry.reindex(full_set["adcode"]).to_numpy()
    inside = shapely.contains_xy(boundaries, full_set["lon"], full_set["lat"])
    assert inside.all(), full_set.loc[~inside, ["adcode", "lon", "lat"]].head()


def test_region_names_match_the_county_layer(full_set, county_layer):
    layer = county_layer.reindex(full_set["adcode"])
    assert (layer["name"].to_numpy() == full_set["county"].to_numpy()).all()
    assert (layer["city_name"].to_numpy() == full_set["city"].to_numpy()).all()
    assert (layer["province_name"].to_numpy() == full_set["province"].to_numpy()).all()


def test_stations_follow_population(full_set):
    population = pd.read_csv(
        data_path("population", "county_population_modelled.csv"), dtype={"adcode": str}
    ).set_index("adcode")["population_modelled"]
    per_county = full_set["adcode"].value_counts()
    assert np.corrcoef(per_county, population.reindex(per_county.index))[0, 1] > 0.95


# Vocabulary, hours, phones, names


def test_vocabulary_keys_are_valid(full_set):
    assert full_set["kind"].isin(list(KINDS)).all()
    assert full_set["status"].isin(list(STATUSES)).all()
    order = {key: i for i, key in enumerate(AMENITIES)}
    for keys in full_set["amenities"].drop_duplicates():
        assert keys, "every station offers something"
        assert [order[key] for key in keys] == sorted(order[key] for key in keys)


def test_every_kind_and_status_occurs_and_most_are_active(full_set):
    assert set(full_set["kind"]) == set(KINDS)
    assert set(full_set["status"]) == set(STATUSES)
    assert 0.85 < (full_set["status"] == "active").mean() < 0.97


def test_every_opening_hours_string_parses(full_set):
    for text in full_set["opening_hours"].dropna().unique():
        opening_hours.OpeningHours(text)
    for options in TYPICAL_HOURS.values():
        for text in options:
            opening_hours.OpeningHours(text)
    assert 0.01 < full_set["opening_hours"].isna().mean() < 0.06


def test_phones_are_masked(full_set):
    assert full_set["phone"].str.fullmatch(MASKED_PHONE).all()
    assert full_set["phone"].str.contains("-").any(), "some landlines"


def test_names_and_addresses_use_the_station_place(full_set):
    assert full_set["name"].str.contains(r"驿站|休息点|服务站").all()
    assert full_set["address"].str.fullmatch(r"[\u4e00-\u9fff]+\d+号").all()
    assert (full_set["address"].str[:2] == full_set["province"].str[:2]).all()
    county_named = full_set["county"] != full_set["city"]
    in_address = [c in a for c, a in zip(full_set["county"], full_set["address"], strict=True)]
    assert np.asarray(in_address)[county_named.to_numpy()].all()


@pytest.mark.parametrize(
    ("name", "short"),
    [("玄武区", "玄武"), ("长阳土家族自治县", "长阳"), ("察布查尔锡伯自治县", "察布查尔"),
     ("北京市", "北京"), ("广州", "广州"), ("神农架林区", "神农架"), ("锡林郭勒盟", "锡林郭勒")],
)  # fmt: skip
def test_short_place_names(name, short):
    assert short_place_name(name) == short


# Published national shares and the model behind them


@pytest.mark.parametrize(("what", "published", "tolerance"), PUBLISHED_SHARES)
def test_national_shares_match_published_figures(full_set, what, published, tolerance):
    assert share_of(full_set, what) == pytest.approx(published, abs=tolerance)


def test_amenities_follow_the_host_kind(full_set):
    def share(kind: str, amenity: str) -> float:
        return share_of(full_set[full_set["kind"] == kind], amenity)

    assert share("restaurant", "discount_meals") > 3 * share_of(full_set, "discount_meals")
    assert share("petrol_station", "ebike_charging") > share("bank", "ebike_charging") + 0.2
    assert share("smart_kiosk", "air_conditioning") > 0.85
    assert share("bank", "first_aid") > share("sanitation_point", "first_aid")
    assert share_of(full_set[full_set["kind"] == "smart_kiosk"], "open 24/7") > 0.7


def test_urban_hosts_sit_in_populous_counties(full_set):
    population = pd.read_csv(
        data_path("population", "county_population_modelled.csv"), dtype={"adcode": str}
    ).set_index("adcode")["population_modelled"]
    county_size = full_set["adcode"].map(population)
    typical = county_size.groupby(full_set["kind"]).median()
    assert typical["smart_kiosk"] > typical["petrol_station"]
    assert typical["bank"] > typical["government_hall"]


def test_source_note_says_the_data_is_synthetic():
    assert "合成数据" in DEMO_SOURCE_NOTE and "Synthetic" in DEMO_SOURCE_NOTE


# The draws underneath


def test_exact_share_marks_exactly_that_many_and_favours_weight():
    rng = np.random.default_rng(0)
    log_weights = np.where(np.arange(10_000) < 1_000, 8.0, 0.0)
    chosen = pick_exact_share(log_weights, 0.1, rng)
    assert chosen.sum() == 1_000
    assert chosen[:1_000].mean() > 0.95


def test_draws_stay_in_their_group_and_skip_weightless_items():
    table = group_weights(np.array([0, 0, 0, 2, 2]), np.array([1.0, 0.0, 3.0, 0.0, 0.0]), 3)
    groups = np.array([0] * 4_000 + [2] * 1_000)
    items = draw_within_groups(table, groups, np.random.default_rng(0))
    assert set(items[:4_000]) == {0, 2}
    assert 0.7 < (items[:4_000] == 2).mean() < 0.8
    assert set(items[4_000:]) == {3, 4}
    assert table.has_items(np.array([0, 1, 2])).tolist() == [True, False, True]
