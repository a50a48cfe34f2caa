"""Coverage on a real store (SpatiaLite and PostGIS): figures, gaps, hours, proposals, what-if.

The stations sit in 南京 玄武区 (320102), at the centroids of chosen populated cells of
the committed surface, so which cells they cover is known. Figures come through the
finder's index of the store, as the server computes them.
"""

from __future__ import annotations

import time
from datetime import datetime

import numpy as np
import pytest
from builders import add_station, table_dump
from finder_data import index_of

from stationmap.coverage.areas import areas_at, find_area
from stationmap.coverage.catchment import Catchment
from stationmap.coverage.current import current_surface
from stationmap.coverage.day import day_profile
from stationmap.coverage.figures import area_figures, coverage_answer
from stationmap.coverage.gaps import gap_cells, gap_hexagons
from stationmap.coverage.proposals import ProposalQuestion, propose
from stationmap.coverage.reach import StationSet, geodesic_metres
from stationmap.coverage.scenario import what_if
from stationmap.coverage.surface import modelled_surface
from stationmap.errors import BadRequest
from stationmap.finder import LiveIndex, StaticFilter
from stationmap.finder.geodesy import GEOD, ecef
from stationmap.hours import CHINA_TZ
from stationmap.store import population

XUANWU = "320102"
CENSUS_TOTAL = 1_409_778_724
DAY = datetime(2026, 12, 8, 10, 0, tzinfo=CHINA_TZ)  # a Tuesday
NIGHT = datetime(2026, 12, 8, 21, 0, tzinfo=CHINA_TZ)


def _cells_of(adcode: str) -> slice:
    return modelled_surface().rows_of(adcode)


def _place(store, count: int, hours: str | None = "Mo-Su 08:00-17:00", step: int = 7) -> list:
    """``count`` stations at the centroids of every ``step``-th populated cell of 玄武区."""
    surface = modelled_surface()
    rows = np.arange(_cells_of(XUANWU).start, _cells_of(XUANWU).stop)[::step][:count]
    return [
        add_station(
            store,
            f"玄武覆盖测试{i}",
            (float(surface.lon[r]), float(surface.lat[r])),
            opening_hours=hours,
        )
        for i, r in enumerate(rows)
    ]


def _figures(store, adcode: str, moment=DAY, radius=1000.0, static=None):
    index = index_of(store)
    stations = StationSet(static or StaticFilter(), moment)
    [found] = area_figures(
        index, current_surface(store), [find_area(adcode)], stations, Catchment(radius)
    )
    return found


def test_the_surface_holds_the_census_total_in_each_province():
    surface = modelled_surface()
    assert surface.population.sum() == CENSUS_TOTAL
    import pandas as pd

    from stationmap.resources import data_path

    census = pd.read_csv(
        data_path("population", "census2020_provinces.csv"), dtype={"province_adcode": str}
    )
    for code, people in zip(census.province_adcode, census.population_2020, strict=True):
        assert surface.population[surface.rows_of(code[:2])].sum() == people, code
    counties = pd.read_csv(
        data_path("population", "county_population_modelled.csv"), dtype={"adcode": str}
    )
    by_county = np.bincount(surface.county, surface.population)
    assert dict(zip(surface.adcodes, by_county.astype(int).tolist(), strict=True)) == dict(
        zip(counties.adcode, counties.population_modelled.tolist(), strict=True)
    )


def test_covered_plus_uncovered_is_the_population_and_the_nation_is_the_census(store):
    _place(store, 12)
    index, surface = index_of(store), current_surface(store)
    nation = find_area("000000")
    answer = coverage_answer(
        index,
        surface,
        areas_at("county", find_area("320100")),
        nation,
        StationSet(),
        Catchment(),
        DAY,
    )
    assert answer["total"]["population"] == CENSUS_TOTAL
    for area in [*answer["areas"], answer["total"]]:
        assert area["covered_population"] + area["uncovered_population"] == area["population"]
    xuanwu = next(a for a in answer["areas"] if a["adcode"] == XUANWU)
    assert xuanwu["covered_population"] > 0
    assert xuanwu["stations"] == xuanwu["stations_open"] == 12
    cities = sum(a["population"] for a in answer["areas"])
    assert cities == round(surface.population[surface.rows_of("3201")].sum())
    assert answer["population_source"] == "modelled"
    assert "MODELLED" in answer["population_note"]


def test_coverage_never_falls_as_the_radius_grows(store):
    _place(store, 6)
    covered = [
        _figures(store, "320100", radius=r).covered_population
        for r in (100, 300, 1000, 3000, 10_000, 50_000)
    ]
    assert covered == sorted(covered)
    assert covered[0] < covered[-1]
    medians = {_figures(store, "320100", radius=r).median_distance_m for r in (100, 5000)}
    assert len(medians) == 1


def test_closing_stations_never_raises_coverage(store):
    stations = _place(store, 8, hours="24/7")
    covered = [_figures(store, XUANWU).covered_population]
    for station in stations:
        store.update_station(station.id, {"status": "closed"}, actor="test")
        covered.append(_figures(store, XUANWU).covered_population)
    assert covered == sorted(covered, reverse=True)
    assert covered[-1] == 0 < covered[0]


def test_a_county_whose_stations_all_close_at_17_has_no_coverage_at_21(store):
    _place(store, 10, hours="Mo-Su 08:00-17:00")
    day, night = _figures(store, XUANWU, DAY), _figures(store, XUANWU, NIGHT)
    assert day.covered_population > 0 and day.stations_open == 10
    assert night.covered_population == 0 and night.stations_open == 0
    assert night.median_distance_m is None  # no qualifying station anywhere in this store
    profile = day_profile(
        index_of(store),
        current_surface(store),
        [],
        find_area(XUANWU),
        StaticFilter(),
        DAY.date(),
        Catchment(),
    )
    covered = [h["total"]["covered_population"] for h in profile["hours"]]
    assert [h["hour"] for h in profile["hours"]] == list(range(24))
    assert all(covered[h] > 0 for h in range(8, 17))
    assert all(covered[h] == 0 for h in (*range(0, 8), *range(17, 24)))
    assert profile["summary"]["lost_16_to_21"] == covered[16]


def test_stations_with_unknown_hours_are_counted_apart_and_cover_nobody(store):
    _place(store, 4, hours=None)
    _place(store, 2, hours="24/7", step=11)
    found = _figures(store, XUANWU)
    assert (found.stations, found.stations_open, found.stations_unknown_hours) == (6, 2, 4)
    only_known = found.covered_population
    everything_open = _figures(store, XUANWU, moment=None)  # every active station, any hours
    assert everything_open.covered_population > only_known


def test_only_active_stations_cover(store):
    [station] = _place(store, 1, hours="24/7")
    assert _figures(store, XUANWU).covered_population > 0
    store.update_station(station.id, {"status": "temporarily_closed"}, actor="test")
    assert _figures(store, XUANWU).covered_population == 0


def test_gaps_list_every_uncovered_cell_and_the_hexagons_sum_them(store):
    _place(store, 5, hours="24/7")
    index, surface = index_of(store), current_surface(store)
    area, stations = find_area(XUANWU), StationSet(StaticFilter(), DAY)
    figures = _figures(store, XUANWU)
    cells = gap_cells(index, surface, area, stations, Catchment())
    listed = sum(f["properties"]["population"] for f in cells["features"])
    assert listed == pytest.approx(figures.population - figures.covered_population, abs=1)
    for feature in cells["features"]:
        properties = feature["properties"]
        assert properties["nearest_m"] > 1000
        lon, _ = properties["centroid"]
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) >= 7
        assert min(p[0] for p in ring) < lon < max(p[0] for p in ring)
    hexes = gap_hexagons(index, surface, area, stations, Catchment(), resolution=6)
    summed = sum(f["properties"]["uncovered_population"] for f in hexes["features"])
    assert summed == pytest.approx(listed, abs=len(hexes["features"]))


def test_what_if_changes_the_figures_and_leaves_the_store_untouched(store):
    [station] = _place(store, 1, hours="24/7")
    index, surface = index_of(store), current_surface(store)
    gap = gap_cells(index, surface, find_area(XUANWU), StationSet(StaticFilter(), DAY), Catchment())
    far_cell = max(gap["features"], key=lambda f: f["properties"]["population"])
    before = table_dump(store)
    answer = what_if(
        index,
        surface,
        find_area(XUANWU),
        StationSet(StaticFilter(), DAY),
        Catchment(),
        added=[tuple(far_cell["properties"]["centroid"])],
        removed=[station.id],
    )
    assert table_dump(store) == before
    assert answer["before"]["covered_population"] > 0
    added_only = what_if(
        index,
        surface,
        find_area(XUANWU),
        StationSet(StaticFilter(), DAY),
        Catchment(),
        added=[tuple(far_cell["properties"]["centroid"])],
        removed=[],
    )
    assert added_only["after"]["covered_population"] > added_only["before"]["covered_population"]
    removed_only = what_if(
        index,
        surface,
        find_area(XUANWU),
        StationSet(StaticFilter(), DAY),
        Catchment(),
        added=[],
        removed=[station.id],
    )
    assert removed_only["after"]["covered_population"] == 0
    with pytest.raises(BadRequest, match="remove"):
        what_if(index, surface, find_area(XUANWU), StationSet(), Catchment(), [], ["nosuchid00"])


def test_proposals_newly_cover_what_they_say(store):
    _place(store, 3, hours="24/7")
    index, surface = index_of(store), current_surface(store)
    question = ProposalQuestion(find_area(XUANWU), 4, StationSet(StaticFilter(), DAY), Catchment())
    before = table_dump(store)
    answer = propose(index, surface, question)
    assert table_dump(store) == before
    assert answer["method"] == "exact" and answer["optimal"]
    assert len(answer["sites"]) == 4
    gains = [site["newly_covered"] for site in answer["sites"]]
    assert gains == sorted(gains, reverse=True)
    assert abs(sum(gains) - answer["newly_covered"]) <= 4
    grown = answer["after"]["covered_population"] - answer["before"]["covered_population"]
    assert abs(grown - answer["newly_covered"]) <= 2
    assert answer["upper_bound"] >= answer["newly_covered"]
    regions = store.regions
    for site in answer["sites"]:
        assert regions.locate(np.array([site["lon"]]), np.array([site["lat"]]))[0] == XUANWU
    # The greedy alone never beats the exact answer.
    greedy = propose(
        index,
        surface,
        ProposalQuestion(find_area(XUANWU), 4, question.stations, Catchment(), exact=False),
    )
    assert greedy["newly_covered"] <= answer["newly_covered"]


@pytest.mark.parametrize("p", [0, 10_000])
def test_proposals_refuse_p_outside_the_candidates(store, p):
    _place(store, 2, hours="24/7")
    question = ProposalQuestion(find_area(XUANWU), p, StationSet(StaticFilter(), DAY), Catchment())
    with pytest.raises(BadRequest, match=r"^p: "):
        propose(index_of(store), current_surface(store), question)


def test_the_nation_is_too_large_for_proposals(store):
    question = ProposalQuestion(find_area("000000"), 5, StationSet(), Catchment())
    with pytest.raises(BadRequest, match="adcode"):
        propose(index_of(store), current_surface(store), question)


def test_loaded_county_figures_replace_the_model_and_say_so(store):
    _place(store, 3, hours="24/7")
    with store.transaction() as conn:
        population.replace(conn, {XUANWU: 600_000}, "test.csv", "test")
    found = _figures(store, XUANWU)
    assert found.population == pytest.approx(600_000)
    assert found.population_source == "loaded"
    assert _figures(store, "320100").population_source == "mixed"
    modelled = modelled_surface().population[_cells_of(XUANWU)].sum()
    share = found.covered_population / found.population
    with store.transaction() as conn:
        population.clear(conn, None)
    again = _figures(store, XUANWU)
    assert again.population == pytest.approx(modelled)
    assert again.covered_population / again.population == pytest.approx(share)


def test_a_station_added_anywhere_shows_in_the_figures_within_a_second(store):
    _place(store, 2, hours="24/7")
    live = LiveIndex(store)
    try:
        surface, area = current_surface(store), find_area(XUANWU)
        stations = StationSet(StaticFilter(), DAY)

        def covered() -> float:
            [found] = area_figures(live.current(), surface, [area], stations, Catchment())
            return found.covered_population

        before = covered()
        cells = gap_cells(live.current(), surface, area, stations, Catchment())
        lon, lat = cells["features"][0]["properties"]["centroid"]
        add_station(store, "新驿站", (lon, lat), opening_hours="24/7")
        deadline = time.monotonic() + 1.0
        while covered() == before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert covered() > before
    finally:
        live.stop()


def test_chords_become_geodesics_as_proj_measures_them():
    rng = np.random.default_rng(7)
    lon = rng.uniform(75, 134, 2000)
    lat = rng.uniform(18, 53, 2000)
    metres = 10 ** rng.uniform(1, 6, 2000)  # 10 m to 1,000 km
    azimuth = rng.uniform(0, 360, 2000)
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth, metres)
    chords = np.linalg.norm(ecef(lon, lat) - ecef(np.asarray(lon2), np.asarray(lat2)), axis=1)
    found = geodesic_metres(chords, lat)
    error = np.abs(found - metres)
    assert (error[metres <= 100_000] < 0.005).all()
    assert (error / metres < 2e-5).all()


def test_one_areas_quantiles_without_a_full_sort_equal_the_sorted_ones():
    from stationmap.coverage.figures import _one_area_quantiles, weighted_quantiles

    rng = np.random.default_rng(1)
    for size in (1, 5, 1000, 50_000):
        for trial in range(12):
            metres = rng.lognormal(7, 2, size).astype(np.float32).astype(np.float64)
            if trial % 3 == 0:
                metres[rng.random(size) < 0.1] = np.inf  # no qualifying station
            people = rng.integers(0, 50, size).astype(float)
            expected = weighted_quantiles(metres, people, (0.5, 0.9))
            assert _one_area_quantiles(metres, people) == expected
