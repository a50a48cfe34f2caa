"""Benchmark the planners' coverage against baselines measured in the same run.

In process, on the national demo set (173,000 synthetic stations, generated here, no
store) and the committed population surface (2.4 million cells):

1. Coverage of all 2,852 counties at one moment, cold (no table cached) and warm; the
   baseline is geopandas ``sjoin_nearest`` giving every cell its nearest open station
   (same cells, same stations, planar on a projected CRS), then summing by county.
2. All 24 hours of a day for the 2,852 counties; the baseline is the one-moment
   ``sjoin_nearest`` time for the distinct station sets of the day (measured for three
   hours, scaled: printed as such).
3. A county's gap cells (cold per county) and the national gap layer (hexagons).
4. Proposals: a county with p = 10, exact, against spopt's ``MCLP`` (HiGHS through PuLP)
   on the same instance, objectives and times side by side; a province with p = 50 by
   the greedy, with the gap to the best proven bound.

    .venv/bin/python scripts/bench_coverage.py [--quick]

Targets (issue #13): 1 under 2 s, 2 under 15 s, county gaps under 200 ms, national gap
layer under 3 s, county proposals under 10 s with spopt's objective, province p=50 under
30 s within 2% of the bound (or the gap printed).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_finder import stations_from_frame

from stationmap.coverage import reach as reach_module
from stationmap.coverage.areas import areas_at, find_area
from stationmap.coverage.candidates import Candidates
from stationmap.coverage.catchment import Catchment
from stationmap.coverage.day import day_profile
from stationmap.coverage.figures import coverage_answer
from stationmap.coverage.gaps import gap_cells, gap_hexagons, uncovered_rows
from stationmap.coverage.proposals import ProposalQuestion, propose, reach_matrix
from stationmap.coverage.reach import StationSet, open_at
from stationmap.coverage.siting import CoveringProblem, solve
from stationmap.coverage.surface import modelled_surface
from stationmap.demo import generate_demo_stations
from stationmap.finder import StaticFilter, StationIndex
from stationmap.hours import CHINA_TZ

MOMENT = datetime(2026, 12, 8, 10, 30, tzinfo=CHINA_TZ)
COUNTY_DEMAND = 2_000
"""The county for proposals is the one whose uncovered cells number closest to this
(spopt builds a dense demand x candidate matrix: 5,000 x 5,000 took it about 5 minutes)."""
PROVINCE = "410000"  # 河南


def build_index() -> StationIndex:
    """The national demo set (seed 1) as bench_finder.py builds it, no database involved."""
    return StationIndex(stations_from_frame(generate_demo_stations()))


def fresh(index: StationIndex) -> StationIndex:
    """The same snapshot with no coverage table cached (a cold start)."""
    with reach_module._TABLES_LOCK:
        reach_module._TABLES.pop(id(index.status), None)
        reach_module._LIVE.pop(id(index.status), None)
    gc.collect()
    return index


def timed(call, repeat: int = 1) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def baseline_moment(index: StationIndex, surface, moment: datetime) -> float:
    """geopandas: every cell's nearest open station (sjoin_nearest), summed by county."""
    import geopandas as gpd

    rows = np.flatnonzero(index.static_mask(StationSet().static))
    rows = rows[open_at(index, rows, moment)]
    started = time.perf_counter()
    cells = gpd.GeoDataFrame(
        {"county": surface.county, "people": surface.population},
        geometry=gpd.points_from_xy(surface.lon, surface.lat),
        crs=4326,
    ).to_crs(3857)
    stations = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(index.lon[rows], index.lat[rows]), crs=4326
    ).to_crs(3857)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        joined = gpd.sjoin_nearest(cells, stations, distance_col="metres")
    joined = joined[~joined.index.duplicated()]
    joined["covered"] = joined["people"] * (joined["metres"] <= 1000)
    joined.groupby("county")[["people", "covered"]].sum()
    return time.perf_counter() - started


def county_of_size(index, surface, stations, catchment, wanted: int) -> str:
    """The adcode of the county with about ``wanted`` uncovered cells."""
    table = reach_module.nearest_table(index, surface, stations)
    table.fill(range(len(surface.adcodes)))
    uncovered = ~table.within(slice(0, len(surface)), catchment.radius_m)
    counts = np.add.reduceat(uncovered.astype(np.int64), surface.starts[:-1])
    return surface.adcodes[int(np.argmin(np.abs(counts - wanted)))]


def line(label: str, ours: float, base: float | None, target: str) -> None:
    ratio = f"{ours / base:6.3f}x" if base else "   —   "
    base_text = f"{base:8.2f} s" if base else "       —  "
    print(f"  {label:<52} {ours:8.3f} s   {base_text}   {ratio}   {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the slow baselines")
    args = parser.parse_args()
    started = time.perf_counter()
    surface = modelled_surface()
    index = build_index()
    print(
        f"stations {len(index):,}, cells {len(surface):,} "
        f"(setup {time.perf_counter() - started:.1f} s)"
    )
    nation = find_area("000000")
    counties = areas_at("county", nation)
    stations = StationSet(StaticFilter(), MOMENT)
    catchment = Catchment()
    print(f"\n{'':<54} {'ours':>8}     {'baseline':>10}   ratio    target")

    def one_moment():
        return coverage_answer(index, surface, counties, nation, stations, catchment, MOMENT)

    cold, answer = timed(lambda: one_moment() if fresh(index) else None)
    warm, _ = timed(one_moment, repeat=3)
    base = None if args.quick else baseline_moment(index, surface, MOMENT)
    line("2,852 counties at 10:30, cold", cold, base, "< 2 s")
    line("2,852 counties at 10:30, warm", warm, base, "")
    total = answer["total"]
    share, median = total["covered_share"], total["median_distance_m"]
    print(f"    nation: {share:.2%} covered, median {median:.0f} m")

    fresh(index)
    day, profile = timed(
        lambda: day_profile(
            index, surface, counties, nation, StaticFilter(), MOMENT.date(), catchment
        )
    )
    distinct = len(
        {
            index.book.states_at(datetime(2026, 12, 8, h, tzinfo=CHINA_TZ)).tobytes()
            for h in range(24)
        }
    )
    day_base = None
    if not args.quick:
        sample = [
            baseline_moment(index, surface, datetime(2026, 12, 8, h, tzinfo=CHINA_TZ))
            for h in (3, 12, 21)
        ]
        day_base = statistics.mean(sample) * distinct
    line(f"24 hours x 2,852 counties ({distinct} distinct station sets)", day, day_base, "< 15 s")
    hours = profile["hours"]
    afternoon, night = (hours[h]["total"]["covered_population"] for h in (16, 21))
    print(f"    covered 16:00 -> 21:00: {afternoon:,} -> {night:,}")

    fresh(index)
    county_times = []
    sample_counties = counties[:: max(1, len(counties) // 40)]
    for area in sample_counties:
        t, _ = timed(lambda a=area: gap_cells(index, surface, a, stations, catchment))
        county_times.append(t)
    slowest = max(county_times)
    line(
        f"a county's gap cells, cold (median of {len(county_times)}; max {slowest:.3f} s)",
        statistics.median(county_times),
        None,
        "< 0.2 s",
    )
    fresh(index)
    national_gaps, layer = timed(lambda: gap_hexagons(index, surface, nation, stations, catchment))
    line(
        f"national gap layer, cold ({len(layer['features']):,} hexagons r4)",
        national_gaps,
        None,
        "< 3 s",
    )

    county = find_area(county_of_size(index, surface, stations, catchment, COUNTY_DEMAND))
    question = ProposalQuestion(county, 10, stations, catchment)
    exact_time, exact = timed(lambda: propose(index, surface, question))
    demand, _ = uncovered_rows(index, surface, county, stations, catchment)
    candidates = Candidates(surface.lon[demand], surface.lat[demand])
    reach = reach_matrix(surface.xyz[demand], surface.lat[demand], candidates, catchment)
    spopt_line = "spopt skipped (--quick)"
    spopt_time = None
    if not args.quick:
        from bench_siting import spopt_objective

        solved = spopt_objective(surface.population[demand], reach, 10, time_limit_s=120)
        spopt_time = solved.seconds
        spopt_line = f"spopt MCLP objective {solved.objective:,.0f} in {solved.seconds:.1f} s"
    line(
        f"{county.name} p=10 {exact['method']} ({len(demand):,} demand x candidates)",
        exact_time,
        spopt_time,
        "< 10 s",
    )
    print(
        f"    ours: {exact['newly_covered']:,} newly covered (bound {exact['upper_bound']:,}); "
        f"{spopt_line}"
    )

    province = find_area(PROVINCE)
    greedy_question = ProposalQuestion(province, 50, stations, catchment, exact=False)
    greedy_time, greedy = timed(lambda: propose(index, surface, greedy_question))
    line(
        f"{province.name} p=50 greedy ({greedy['demand_points']:,} merged demand points)",
        greedy_time,
        None,
        "< 30 s",
    )
    print(
        f"    newly covered {greedy['newly_covered']:,}, bound {greedy['upper_bound']:,}, "
        f"gap {greedy['gap']:.3%} (target within 2%)"
    )
    demand, _ = uncovered_rows(index, surface, province, stations, catchment)
    whole = CoveringProblem(
        surface.population[demand],
        reach_matrix(
            surface.xyz[demand],
            surface.lat[demand],
            Candidates(surface.lon[demand], surface.lat[demand]),
            catchment,
        ),
        50,
    )
    exact_province_time, exact_province = timed(lambda: solve(whole, time_limit_s=20))
    print(
        f"    the same with the exact solver (20 s limit): {exact_province.method}, "
        f"{exact_province.newly_covered:,.0f} newly covered, bound "
        f"{exact_province.upper_bound:,.0f}, {exact_province_time:.1f} s"
    )
    print(f"\nwhole run {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
