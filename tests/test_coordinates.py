"""WGS-84, GCJ-02 and BD-09: agreement with prcoords, exact inverses, refusals outside China."""

from __future__ import annotations

import time

import numpy as np
import prcoords
import pytest

from stationmap import coordinates
from stationmap.coordinates import (
    CRS_NAMES,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    outside_china,
    point_from_wgs84,
    point_to_wgs84,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from stationmap.errors import BadRequest
from stationmap.regions import load_regions

METRES_PER_DEGREE = 111_195.0
"""One degree of latitude (and of longitude at the equator) on a 6,371 km sphere."""
MILLIMETRE = 0.001
MICROMETRE = 1e-6
"""Forward formulas are the same arithmetic as prcoords', so they must agree to rounding."""

BEIJING = (116.3975, 39.9087)
SHANGHAI = (121.4737, 31.2304)
ABROAD = {
    "Seoul": (126.98, 37.57),
    "Hanoi": (105.85, 21.03),
    "Tokyo": (139.69, 35.69),
    "null island": (0.0, 0.0),
    "East China Sea": (124.0, 30.0),
}
CONVERSIONS = [
    wgs84_to_gcj02,
    gcj02_to_wgs84,
    gcj02_to_bd09,
    bd09_to_gcj02,
    wgs84_to_bd09,
    bd09_to_wgs84,
]


def points_in_china(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random WGS-84 points inside the mainland outline (its coastal margin too)."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(73.0, 135.5, 4 * count)
    lat = rng.uniform(3.5, 54.0, 4 * count)
    inside = load_regions().in_china(lon, lat)
    assert inside.sum() >= count
    return lon[inside][:count], lat[inside][:count]


def metres_apart(lon_a, lat_a, lon_b, lat_b) -> np.ndarray:
    """Distances between two sets of nearby points, in metres (flat-earth, fine below 1 km)."""
    east = (np.asarray(lon_a) - lon_b) * METRES_PER_DEGREE * np.cos(np.radians(lat_b))
    north = (np.asarray(lat_a) - lat_b) * METRES_PER_DEGREE
    return np.hypot(east, north)


def by_prcoords(function, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Apply one of prcoords' point functions (which take and give lat, lon) to every point."""
    converted = np.array([function((y, x)) for x, y in zip(lon, lat, strict=True)])
    return converted[:, 1], converted[:, 0]


@pytest.fixture(scope="module")
def wgs84_points() -> tuple[np.ndarray, np.ndarray]:
    return points_in_china(10_000, seed=20250601)


@pytest.fixture(scope="module")
def gcj02_points(wgs84_points) -> tuple[np.ndarray, np.ndarray]:
    return wgs84_to_gcj02(*wgs84_points)


def test_wgs84_to_gcj02_agrees_with_prcoords(wgs84_points):
    ours = wgs84_to_gcj02(*wgs84_points)
    theirs = by_prcoords(prcoords.wgs_gcj, *wgs84_points)
    worst = metres_apart(*ours, *theirs).max()
    assert worst < MICROMETRE, f"worst disagreement {worst:.2e} m"
    assert metres_apart(*ours, *wgs84_points).min() > 10.0


def test_gcj02_to_wgs84_recovers_the_starting_point(wgs84_points, gcj02_points):
    back = gcj02_to_wgs84(*gcj02_points)
    worst = metres_apart(*back, *wgs84_points).max()
    assert worst < MILLIMETRE, f"worst round-trip error {worst:.2e} m"


def test_prcoords_own_inverse_is_only_approximate(wgs84_points, gcj02_points):
    """Why we compare our inverse with the truth, not with prcoords' inverse."""
    theirs = by_prcoords(prcoords.gcj_wgs, *gcj02_points)
    assert metres_apart(*theirs, *wgs84_points).max() > 0.5


def test_gcj02_to_bd09_agrees_with_prcoords(gcj02_points):
    ours = gcj02_to_bd09(*gcj02_points)
    theirs = by_prcoords(prcoords.gcj_bd, *gcj02_points)
    worst = metres_apart(*ours, *theirs).max()
    assert worst < MICROMETRE, f"worst disagreement {worst:.2e} m"


def test_wgs84_to_bd09_agrees_with_prcoords(wgs84_points):
    ours = wgs84_to_bd09(*wgs84_points)
    theirs = by_prcoords(prcoords.wgs_bd, *wgs84_points)
    worst = metres_apart(*ours, *theirs).max()
    assert worst < MICROMETRE, f"worst disagreement {worst:.2e} m"


def test_bd09_to_gcj02_recovers_the_starting_point(gcj02_points):
    back = bd09_to_gcj02(*gcj02_to_bd09(*gcj02_points))
    worst = metres_apart(*back, *gcj02_points).max()
    assert worst < MILLIMETRE, f"worst round-trip error {worst:.2e} m"


def test_bd09_to_wgs84_recovers_the_starting_point(wgs84_points):
    back = bd09_to_wgs84(*wgs84_to_bd09(*wgs84_points))
    worst = metres_apart(*back, *wgs84_points).max()
    assert worst < MILLIMETRE, f"worst round-trip error {worst:.2e} m"


def test_baidus_one_step_inverse_would_not_be_exact_enough(gcj02_points):
    """The reason bd09_to_gcj02 iterates: Baidu's closed-form inverse misses by centimetres."""
    rough = coordinates._bd09_rough_inverse(*gcj02_to_bd09(*gcj02_points))
    assert metres_apart(*rough, *gcj02_points).max() > 0.01


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_to_and_from_wgs84_name_the_system(wgs84_points, crs):
    pair = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}[crs]
    there = from_wgs84(*wgs84_points, crs)
    np.testing.assert_array_equal(there, pair(*wgs84_points))
    back = to_wgs84(*there, crs)
    assert metres_apart(*back, *wgs84_points).max() < MILLIMETRE


def test_wgs84_to_wgs84_returns_the_input_as_floats():
    lon, lat = to_wgs84([116, 200], [40, np.nan], "wgs84")
    assert lon.dtype == lat.dtype == np.float64
    np.testing.assert_array_equal(lon, [116.0, 200.0])
    np.testing.assert_array_equal(lat, [40.0, np.nan])
    assert from_wgs84(126.98, 37.57, "wgs84") == (126.98, 37.57)


def test_beijing_moves_about_half_a_kilometre_east_and_a_little_north():
    lon, lat = point_from_wgs84(*BEIJING, "gcj02")
    east = (lon - BEIJING[0]) * METRES_PER_DEGREE * np.cos(np.radians(BEIJING[1]))
    north = (lat - BEIJING[1]) * METRES_PER_DEGREE
    assert 100 < east < 700 and 0 < north < 700
    assert 300 < np.hypot(east, north) < 600


def test_gcj02_offsets_across_china_are_a_few_hundred_metres(wgs84_points, gcj02_points):
    shift = metres_apart(*gcj02_points, *wgs84_points)
    assert 300 < np.median(shift) < 600
    assert shift.max() < 750


def test_bd09_adds_about_another_kilometre(gcj02_points):
    shift = metres_apart(*gcj02_to_bd09(*gcj02_points), *gcj02_points)
    assert shift.min() > 500 and shift.max() < 1_200


@pytest.mark.parametrize("convert", CONVERSIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("place", ABROAD)
def test_points_outside_china_are_refused(convert, place):
    lon, lat = ABROAD[place]
    with pytest.raises(BadRequest) as refused:
        convert(lon, lat)
    assert refused.value.code == "outside_china" and refused.value.status == 400
    assert f"({lon!r}, {lat!r})" in refused.value.message
    assert "outside mainland China" in refused.value.message


def test_a_refusal_counts_the_points_and_names_the_first():
    lon = [BEIJING[0], ABROAD["Seoul"][0], ABROAD["Hanoi"][0]]
    lat = [BEIJING[1], ABROAD["Seoul"][1], ABROAD["Hanoi"][1]]
    with pytest.raises(BadRequest) as refused:
        to_wgs84(lon, lat, "gcj02")
    assert refused.value.message.startswith("2 of 3 points are outside mainland China")
    assert "(126.98, 37.57) at index 1" in refused.value.message
    assert refused.value.to_dict()["error"]["count"] == 2


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_nan_mode_blanks_only_the_points_outside_china(crs):
    places = [BEIJING, ABROAD["Seoul"], SHANGHAI, ABROAD["Hanoi"], ABROAD["null island"]]
    lon, lat = (np.array(column) for column in zip(*places, strict=True))
    for convert in (to_wgs84, from_wgs84):
        new_lon, new_lat = convert(lon, lat, crs, on_outside="nan")
        np.testing.assert_array_equal(np.isnan(new_lon), [False, True, False, True, True])
        np.testing.assert_array_equal(np.isnan(new_lat), np.isnan(new_lon))
        alone = convert(SHANGHAI[0], SHANGHAI[1], crs)
        assert (new_lon[2], new_lat[2]) == (alone[0], alone[1])


def test_outside_china_reports_each_row():
    lon = [BEIJING[0], ABROAD["Seoul"][0], np.nan, ABROAD["East China Sea"][0]]
    lat = [BEIJING[1], ABROAD["Seoul"][1], 30.0, ABROAD["East China Sea"][1]]
    np.testing.assert_array_equal(outside_china(lon, lat), [False, True, True, True])


def test_conversions_agree_near_the_coast():
    """A point accepted in WGS-84 is accepted in GCJ-02 and BD-09 too, even at the margin.

    Many such GCJ-02 points themselves lie beyond the outline's margin: the check must
    use the WGS-84 position, or gcj02_to_bd09 would refuse what wgs84_to_gcj02 accepted.
    """
    lon, lat = points_in_china(100_000, seed=7)
    gcj = wgs84_to_gcj02(lon, lat)
    assert outside_china(*gcj).any()
    bd = gcj02_to_bd09(*gcj)
    back = bd09_to_gcj02(*bd)
    assert metres_apart(*back, *gcj).max() < MILLIMETRE
    assert metres_apart(*to_wgs84(*bd, "bd09"), lon, lat).max() < MILLIMETRE


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_points_are_refused_or_blanked(bad):
    with pytest.raises(BadRequest) as refused:
        to_wgs84([BEIJING[0], bad], [BEIJING[1], 30.0], "gcj02")
    assert refused.value.code == "invalid_parameter"
    assert "not a pair of finite numbers" in refused.value.message
    lon, lat = from_wgs84([BEIJING[0], 120.0], [BEIJING[1], bad], "bd09", on_outside="nan")
    assert np.isfinite([lon[0], lat[0]]).all() and np.isnan([lon[1], lat[1]]).all()


def test_points_outside_china_can_be_kept_as_they_are():
    lon, lat = from_wgs84([BEIJING[0], 139.69], [BEIJING[1], 35.69], "gcj02", on_outside="keep")
    assert (lon[1], lat[1]) == (139.69, 35.69)  # Tokyo: no shift defined, left alone
    assert metres_apart(lon[0], lat[0], *BEIJING) > 100  # Beijing: shifted


@pytest.mark.parametrize("crs", ["GCJ-02", "epsg:4326", "", "wgs-84"])
def test_an_unknown_system_is_a_bad_request(crs):
    with pytest.raises(BadRequest) as refused:
        to_wgs84(116.4, 39.9, crs)
    assert refused.value.code == "invalid_parameter"
    assert refused.value.message == f"crs: got {crs!r}, expected one of wgs84, gcj02, bd09"
    assert CRS_NAMES == ("wgs84", "gcj02", "bd09")


def test_an_unknown_on_outside_is_a_programming_error():
    with pytest.raises(ValueError, match="on_outside"):
        to_wgs84(116.4, 39.9, "gcj02", on_outside="skip")


def test_scalars_give_zero_dimensional_arrays_and_single_points_give_floats():
    lon, lat = to_wgs84(BEIJING[0], BEIJING[1], "gcj02")
    assert lon.shape == lat.shape == ()
    one_lon, one_lat = to_wgs84([BEIJING[0]], [BEIJING[1]], "gcj02")
    assert (lon, lat) == (one_lon[0], one_lat[0])
    point = point_to_wgs84(*BEIJING, "gcj02")
    assert point == (float(lon), float(lat)) and type(point[0]) is float
    assert point_from_wgs84(*point, "gcj02") == pytest.approx(BEIJING, abs=1e-10)


def test_empty_arrays_and_other_shapes_keep_their_shape():
    lon, lat = from_wgs84(np.array([]), np.array([]), "bd09")
    assert lon.shape == lat.shape == (0,)
    grid_lon, grid_lat = np.meshgrid([110.0, 115.0, 120.0], [28.0, 32.0])
    lon, lat = from_wgs84(grid_lon, grid_lat, "gcj02")
    assert lon.shape == lat.shape == (2, 3)
    flat = from_wgs84(grid_lon.ravel(), grid_lat.ravel(), "gcj02")
    np.testing.assert_array_equal(lon.ravel(), flat[0])
    along_a_parallel = from_wgs84([110.0, 115.0, 120.0], 30.0, "gcj02")
    spelled_out = from_wgs84([110.0, 115.0, 120.0], [30.0] * 3, "gcj02")
    np.testing.assert_array_equal(along_a_parallel, spelled_out)


def test_a_national_list_converts_in_a_fraction_of_a_second():
    lon, lat = wgs84_to_gcj02(*points_in_china(173_000, seed=11))
    times = []
    for _ in range(3):
        start = time.perf_counter()
        gcj02_to_wgs84(lon, lat)
        times.append(time.perf_counter() - start)
    assert min(times) < 1.0, f"173,000 points took {min(times):.2f} s"
