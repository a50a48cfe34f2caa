"""Coverage of areas at a moment: people within reach of an open station, and how far.

For each area: its population, the people whose cell lies within the catchment of a
station open at the moment (and passing the filter), their share, the
population-weighted median and 90th-percentile distance to the nearest such station,
and the area's stations: passing the filter, open at the moment, and with unknown hours
(counted apart, never as open). Only active stations count.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from ..finder import StationIndex
from ..hours import OPEN, UNKNOWN
from .areas import Area, all_areas
from .catchment import Catchment
from .reach import NearestTable, StationSet, nearest_table
from .surface import PopulationSurface

MODELLED_NOTE = (
    "人口为模型估算值（按2020年人口普查省级总数分配），非官方统计 / population is MODELLED "
    "from 2020 census province totals, not official statistics"
)


@dataclass(frozen=True)
class AreaFigures:
    """The coverage figures of one area."""

    area: Area
    population: float
    covered_population: float
    median_distance_m: float | None
    p90_distance_m: float | None
    stations: int
    stations_open: int
    stations_unknown_hours: int
    population_source: str

    def as_json(self) -> dict[str, Any]:
        """The area's figures with the names the API declares."""
        share = self.covered_population / self.population if self.population else None
        return {
            "adcode": self.area.adcode,
            "name": self.area.name,
            "level": self.area.level,
            "parent_name": _parent_name(self.area),
            "population": round(self.population),
            "covered_population": round(self.covered_population),
            "uncovered_population": round(self.population - self.covered_population),
            "covered_share": None if share is None else round(share, 4),
            "stations": self.stations,
            "stations_open": self.stations_open,
            "stations_unknown_hours": self.stations_unknown_hours,
            "stations_per_10k": (
                round(self.stations / self.population * 10_000, 3) if self.population else None
            ),
            "median_distance_m": _metres(self.median_distance_m),
            "p90_distance_m": _metres(self.p90_distance_m),
            "population_source": self.population_source,
        }


class StationCounts:
    """Stations per county of the surface: passing the filter, open then, unknown hours."""

    def __init__(self, index: StationIndex, surface: PopulationSurface, stations: StationSet):
        county = county_of_rows(index, surface)
        passing = index.static_mask(stations.static) & (county >= 0)
        size = len(surface.adcodes)
        self.passing = np.bincount(county[passing], minlength=size)
        if stations.moment is None:
            self.open = self.passing
            self.unknown = np.zeros(size, dtype=np.int64)
        else:
            state = index.book.states_at(stations.moment)[index.hours]
            self.open = np.bincount(county[passing & (state == OPEN)], minlength=size)
            self.unknown = np.bincount(county[passing & (state == UNKNOWN)], minlength=size)


_COUNTIES: weakref.WeakKeyDictionary[StationIndex, np.ndarray] = weakref.WeakKeyDictionary()


def county_of_rows(index: StationIndex, surface: PopulationSurface) -> np.ndarray:
    """Each index row's county as a position in ``surface.adcodes`` (-1: none), cached."""
    found = _COUNTIES.get(index)
    if found is None or len(found) != len(index.stations):
        found = np.full(len(index.stations), -1, dtype=np.int64)
        positions = {adcode: i for i, adcode in enumerate(surface.adcodes)}
        for adcode, rows in index.rows_by_adcode.items():
            found[rows] = positions.get(adcode, -1)
        _COUNTIES[index] = found
    return found


def area_figures(
    index: StationIndex,
    surface: PopulationSurface,
    areas: list[Area],
    stations: StationSet,
    catchment: Catchment,
    counts: StationCounts | None = None,
    quantiles: bool = True,
) -> list[AreaFigures]:
    """The figures of each area for one station set and catchment.

    The areas may be of any levels and may nest (a province and its counties). Each
    area's cells are a slice of the surface; distances are sorted once per level, not
    once per area, and not at all without ``quantiles`` (their distances are then None).
    """
    table = nearest_table(index, surface, stations)
    counts = counts or StationCounts(index, surface, stations)
    by_level: dict[int, list[int]] = {}
    for position, area in enumerate(areas):
        by_level.setdefault(len(area.prefix), []).append(position)
    found: dict[int, AreaFigures] = {}
    for positions in by_level.values():
        group = [areas[p] for p in positions]
        figures = _level_figures(table, surface, counts, group, catchment.radius_m, quantiles)
        found.update(zip(positions, figures, strict=True))
    return [found[p] for p in range(len(areas))]


def _level_figures(
    table: NearestTable,
    surface: PopulationSurface,
    counts: StationCounts,
    areas: list[Area],
    radius_m: float,
    quantiles: bool = True,
) -> list[AreaFigures]:
    """Figures of areas of one level (disjoint slices of the surface).

    The people come from ``surface``, not ``table.surface``: a table is shared by every
    surface with the same cells (loaded figures rescale the people, not the cells), so
    its own surface may be one whose people have since been replaced.
    """
    spans = [surface.counties_of(a.prefix) for a in areas]
    table.fill(range(min(s.start for s in spans), max(s.stop for s in spans)))
    slices = [surface.rows_of(a.prefix) for a in areas]
    sizes = np.array([s.stop - s.start for s in slices])
    rows: slice | np.ndarray
    if all(a.stop == b.start for a, b in itertools.pairwise(slices)):
        rows = slice(slices[0].start, slices[-1].stop)  # adjacent areas: views, no copies
    else:
        rows = np.concatenate([np.arange(s.start, s.stop) for s in slices])
    people = surface.population[rows]
    metres = table.metres[rows]
    covered = table.within(rows, radius_m)
    offsets = np.concatenate(([0], np.cumsum(sizes)))
    population = _sums(people, offsets)
    covered_people = _sums(np.where(covered, people, 0.0), offsets)
    distances: list[list[float | None]] = [[None, None]] * len(areas)
    if quantiles:
        distances = _grouped_quantiles(metres, people, offsets)
    result = []
    for i, (area, span) in enumerate(zip(areas, spans, strict=True)):
        picked = slice(span.start, span.stop)
        result.append(
            AreaFigures(
                area=area,
                population=float(population[i]),
                covered_population=float(covered_people[i]),
                median_distance_m=distances[i][0],
                p90_distance_m=distances[i][1],
                stations=int(counts.passing[picked].sum()),
                stations_open=int(counts.open[picked].sum()),
                stations_unknown_hours=int(counts.unknown[picked].sum()),
                population_source=surface.source_of(span),
            )
        )
    return result


def _sums(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The sum of each run ``values[offsets[i]:offsets[i + 1]]`` (0 for an empty run)."""
    sizes = np.diff(offsets)
    sums = np.add.reduceat(values, np.minimum(offsets[:-1], max(len(values) - 1, 0)))
    return np.where(sizes > 0, sums, 0.0) if len(values) else np.zeros(len(sizes))


def _grouped_quantiles(
    metres: np.ndarray, people: np.ndarray, offsets: np.ndarray
) -> list[list[float | None]]:
    """The weighted median and 90th percentile of each run of cells."""
    if len(offsets) == 2:
        return [_one_area_quantiles(metres, people)]
    group = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    order = np.argsort(_sort_keys(group, metres))
    sorted_metres, cumulative = metres[order], np.cumsum(people[order])
    found = []
    for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        before = float(cumulative[start - 1]) if start else 0.0
        found.append(_quantiles(sorted_metres[start:end], cumulative[start:end] - before))
    return found


BINS = 4096


def _one_area_quantiles(metres: np.ndarray, people: np.ndarray) -> list[float | None]:
    """The weighted median and 90th percentile of one area's cells, without a full sort.

    The distances' float32 bit patterns, cut to their top bits, are :data:`BINS` ordered
    bins (a non-negative float's bits order as the number does); the bin holding each
    quantile is found from the weighted counts, and only its cells are sorted. Exactly
    what sorting all of them gives, in a few linear passes (a national area has 2.4
    million cells).
    """
    total = float(people.sum())
    if not len(metres) or total <= 0:
        return [None, None]
    bits = metres.astype(np.float32).view(np.uint32)
    low, high = int(bits.min()), int(bits.max())
    shift = max(0, (high - low).bit_length() - 12)
    bins = (bits - np.uint32(low)) >> np.uint32(shift)
    cumulative = np.cumsum(np.bincount(bins, people, minlength=BINS))
    found: list[float | None] = []
    for q in (0.5, 0.9):
        wanted = q * total * (1 - 1e-12)
        at = min(int(np.searchsorted(cumulative, wanted)), len(cumulative) - 1)
        before = float(cumulative[at - 1]) if at else 0.0
        inside = np.flatnonzero(bins == at)
        order = inside[np.argsort(metres[inside], kind="stable")]
        running = before + np.cumsum(people[order])
        pick = min(int(np.searchsorted(running, wanted)), len(order) - 1)
        value = float(metres[order[pick]])
        found.append(value if np.isfinite(value) else None)
    return found


def _sort_keys(group: np.ndarray, metres: np.ndarray) -> np.ndarray:
    """One unsigned key per cell ordering by group, then by distance.

    A non-negative float32's bits order as the number does (infinity last), so the
    group in the high 32 bits and the distance's float32 bits in the low ones sort in
    one quicksort, several times faster than two stable sorts; the order among
    distances equal to float32 precision (1e-7) does not change a quantile.
    """
    bits = metres.astype(np.float32).view(np.uint32).astype(np.uint64)
    return (group.astype(np.uint64) << np.uint64(32)) | bits


def _quantiles(metres: np.ndarray, cumulative: np.ndarray) -> list[float | None]:
    """The population-weighted median and 90th percentile of sorted distances."""
    if not len(cumulative) or cumulative[-1] <= 0:
        return [None, None]
    total = float(cumulative[-1])
    found: list[float | None] = []
    for q in (0.5, 0.9):
        at = min(int(np.searchsorted(cumulative, q * total * (1 - 1e-12))), len(metres) - 1)
        value = float(metres[at])
        found.append(value if np.isfinite(value) else None)
    return found


def weighted_quantiles(
    values: np.ndarray, weights: np.ndarray, quantiles: tuple[float, ...]
) -> list[float | None]:
    """The smallest value at which the cumulative weight reaches each quantile (None
    without weight, or where the quantile falls among infinite values)."""
    total = float(weights.sum())
    if total <= 0:
        return [None for _ in quantiles]
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    found: list[float | None] = []
    for q in quantiles:
        at = min(int(np.searchsorted(cumulative, q * total * (1 - 1e-12))), len(order) - 1)
        value = float(values[order[at]])
        found.append(value if np.isfinite(value) else None)
    return found


def coverage_answer(
    index: StationIndex,
    surface: PopulationSurface,
    areas: list[Area],
    within: Area,
    stations: StationSet,
    catchment: Catchment,
    moment: datetime | None,
) -> dict[str, Any]:
    """The answer of ``/api/v1/coverage``: each area's figures and the total of ``within``."""
    counts = StationCounts(index, surface, stations)
    figures = area_figures(index, surface, [*areas, within], stations, catchment, counts)
    total = figures.pop()
    sources = {f.population_source for f in [*figures, total]}
    return {
        "population_source": total.population_source if len(sources) == 1 else "mixed",
        "population_note": MODELLED_NOTE if total.population_source != "loaded" else None,
        "at": None if moment is None else moment.isoformat(timespec="minutes"),
        "catchment": catchment.describe(),
        "within": {"adcode": within.adcode, "name": within.name, "level": within.level},
        "areas": [f.as_json() for f in figures],
        "total": total.as_json(),
    }


def _parent_name(area: Area) -> str | None:
    """The name of the area holding it (a county's city), so equal names can be told apart."""
    parent = all_areas().get(area.parent) if area.parent else None
    return None if parent is None or parent.level == "nation" else parent.name


def _metres(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def cell_summary(people: np.ndarray, covered: np.ndarray, metres: np.ndarray) -> dict[str, Any]:
    """An area's figures from its cells' people, whether each is covered, and each's
    distance to the nearest station (for answers that change the stations: proposals'
    and what-if's before and after)."""
    total = float(people.sum())
    inside = float(people[covered].sum())
    median, p90 = weighted_quantiles(metres, people, (0.5, 0.9))
    return {
        "population": round(total),
        "covered_population": round(inside),
        "covered_share": round(inside / total, 4) if total else None,
        "median_distance_m": _metres(median),
        "p90_distance_m": _metres(p90),
    }
