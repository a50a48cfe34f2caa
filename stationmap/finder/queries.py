"""The finder's use cases, one function each, over a :class:`StationIndex`.

Every function takes a :class:`StationFilter` and returns plain
:class:`FoundStation` results. Nearest-neighbour answers are exact: candidates come
from the k-d tree in order of chord distance, which never exceeds the geodesic, so
once the k-th best geodesic is no farther than the nearest chord not yet looked at,
no station left out can be nearer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from ..errors import BadRequest, NotFound
from ..hours import STATE_NAMES
from ..types import FoundStation
from .filters import StationFilter
from .geodesy import (
    chords_apart,
    ecef_point,
    geodesic_m,
    mean_radius_m,
)
from .index import GRID_COLUMNS, GRID_DEG, GRID_ORIGIN, StationIndex
from .places import rows_containing

MAX_K = 50
DEFAULT_FILTER = StationFilter()
ARC_FORMULA_MAX_M = 50_000.0
"""Up to this chord, distances come from the chord (error < 1e-7); past it, from PROJ."""
MAX_LIMIT = 2000


def find_nearest(
    index: StationIndex,
    lon: float,
    lat: float,
    k: int = 5,
    station_filter: StationFilter | None = None,
    max_distance_m: float | None = None,
    at: datetime | None = None,
) -> list[FoundStation]:
    """The ``k`` stations nearest to (lon, lat) that pass the filter, nearest first.

    Asks the k-d tree for k + 1 candidates by chord (more when the filter's clock
    part drops some), then proves the order exact: see :func:`_settle_nearest`.
    """
    station_filter = station_filter or DEFAULT_FILTER
    space = index.search_space(station_filter)
    point = ecef_point(lon, lat)
    want = k + 1
    while space.size:
        asked = min(want, space.size)
        chords, positions = space.nearest(point, asked, max_distance_m)
        exhausted = len(positions) < asked or asked == space.size
        rows = space.rows_at(positions)
        settled = _settle_nearest(index, lon, lat, rows, chords, k, exhausted)
        if settled is not None:
            rows, distances = settled
            return found_results(
                index, rows, distances, at or station_filter.open_at, max_distance_m
            )
        want *= 4
    return []


def _settle_nearest(
    index: StationIndex,
    lon: float,
    lat: float,
    rows: list[int],
    chords: list[float],
    k: int,
    exhausted: bool,
) -> tuple[list[int], list[float]] | None:
    """The k nearest of the candidates with their geodesic distances, or None if unproven.

    Candidates arrive in chord order, and no station left out has a smaller chord
    than the last candidate. When every neighbouring pair of chords up to the k-th
    is far enough apart (:func:`chords_apart`), chord order is geodesic
    order and distances follow from the chords; otherwise PROJ's geodesic decides,
    and the answer stands only if the k-th geodesic is within the last chord.
    """
    cut = min(k, len(rows))
    if cut and chords[cut - 1] <= ARC_FORMULA_MAX_M and chords_apart(chords, cut):
        diameter = 2.0 * mean_radius_m(lat)
        return rows[:cut], [diameter * math.asin(c / diameter) for c in chords[:cut]]
    best, distances = _nearest_by_geodesic(index, lon, lat, np.asarray(rows, dtype=np.int64), k)
    if exhausted or len(best) == 0 or distances[-1] <= chords[-1]:
        return best.tolist(), distances.tolist()
    return None


def find_within(
    index: StationIndex,
    lon: float,
    lat: float,
    radius_m: float,
    station_filter: StationFilter | None = None,
    limit: int = MAX_LIMIT,
    at: datetime | None = None,
) -> list[FoundStation]:
    """Every station within ``radius_m`` of (lon, lat) that passes the filter, nearest first."""
    station_filter = station_filter or StationFilter()
    at = at or station_filter.open_at
    space = index.search_space(station_filter)
    rows = space.to_rows(space.within(ecef_point(lon, lat), radius_m))
    best, distances = _nearest_by_geodesic(index, lon, lat, rows, len(rows))
    return found_results(index, best, distances.tolist(), at, radius_m)[:limit]


def find_in_viewport(
    index: StationIndex,
    bbox: tuple[float, float, float, float],
    station_filter: StationFilter | None = None,
    limit: int = 500,
    at: datetime | None = None,
) -> list[FoundStation]:
    """Stations in a lon/lat box; past ``limit``, a fair spread over the whole box.

    The box is cut into about ``limit`` cells and stations are taken from every cell
    in turn (in a fixed per-station order), so a crowded city does not crowd out
    the rest of the view and the same view always gives the same answer.
    """
    station_filter = station_filter or StationFilter()
    at = at or station_filter.open_at
    rows = rows_in_box(index, bbox)
    rows = rows[index.passing(station_filter, rows)]
    if len(rows) > limit:
        rows = _spread(index, rows, bbox, limit)
    return found_results(index, rows, None, at)


def search_text(
    index: StationIndex,
    text: str,
    station_filter: StationFilter | None = None,
    near: tuple[float, float] | None = None,
    limit: int = 20,
    at: datetime | None = None,
) -> list[FoundStation]:
    """Stations whose name or address contains every word of ``text`` (e.g. ``朝阳 银行``).

    Ranked by distance from ``near`` when given; otherwise stations matching more
    words in their name come first, then shorter names.
    """
    station_filter = station_filter or StationFilter()
    at = at or station_filter.open_at
    words = text.split()
    if not words:
        raise BadRequest(
            "q: got an empty text, expected words to look for", code="invalid_parameter"
        )
    rows = _rows_matching(index, words)
    rows = rows[index.passing(station_filter, rows)]
    if near is not None:
        best, distances = _nearest_of_rows(index, near[0], near[1], rows, limit)
        return found_results(index, best, distances.tolist(), at)
    return found_results(index, _rank_by_name(index, rows, words)[:limit], None, at)


def _nearest_of_rows(
    index: StationIndex, lon: float, lat: float, rows: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_nearest_by_geodesic` for many rows (a common word matches thousands).

    Only rows whose chord is within the k-th nearest chord's geodesic can be among the
    k nearest, since a chord is never longer than the geodesic: a few geodesics
    instead of one per row (173,000 cost 0.4 s).
    """
    if len(rows) <= 4 * k:
        return _nearest_by_geodesic(index, lon, lat, rows, k)
    chords = np.linalg.norm(index.xyz[rows] - np.asarray(ecef_point(lon, lat)), axis=1)
    first = rows[np.argpartition(chords, k - 1)[:k]]
    reach = geodesic_m(lon, lat, index.lon[first], index.lat[first]).max() + 1.0  # rounding
    return _nearest_by_geodesic(index, lon, lat, rows[chords <= reach], k)


def get_station(index: StationIndex, station_id: str, at: datetime | None = None) -> FoundStation:
    """One station by public id (any status)."""
    row = index.row_of_id.get(station_id)
    if row is None:
        raise NotFound(f"no station with id {station_id!r}")
    return found_results(index, np.array([row]), None, at)[0]


def county_stations(
    index: StationIndex,
    adcode: str,
    station_filter: StationFilter | None = None,
    at: datetime | None = None,
) -> list[FoundStation]:
    """Every station in a county (6-digit adcode) that passes the filter, by name."""
    station_filter = station_filter or StationFilter()
    at = at or station_filter.open_at
    rows = index.rows_by_adcode.get(adcode, np.zeros(0, dtype=np.int64))
    rows = rows[index.passing(station_filter, rows)]
    rows = sorted(rows, key=lambda r: index.stations[r].name)
    return found_results(index, np.asarray(rows, dtype=np.int64), None, at)


# -- steps shared by the queries ---------------------------------------------------------


def _nearest_by_geodesic(
    index: StationIndex, lon: float, lat: float, rows: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` of ``rows`` nearest to (lon, lat) by geodesic, and their distances."""
    if len(rows) == 0:
        return rows, np.zeros(0)
    distances = geodesic_m(lon, lat, index.lon[rows], index.lat[rows])
    order = np.lexsort((rows, distances))[:k]
    return rows[order], distances[order]


def found_results(
    index: StationIndex,
    rows: list[int] | np.ndarray,
    distances: list[float] | None,
    at: datetime | None,
    max_distance_m: float | None = None,
) -> list[FoundStation]:
    """Results for ``rows`` (in order): each station's state now, and at ``at`` (None: now).

    ``open_now`` is always the state at the moment of the request, whatever the query
    asked about; ``open_then`` is the state at ``at``, which the filter used.
    """
    now, hours, stations = index.book.open_now_at(None), index.hours_list, index.stations
    rows = rows.tolist() if isinstance(rows, np.ndarray) else rows
    metres: Sequence[float | None] = [None] * len(rows) if distances is None else distances
    if max_distance_m is not None:  # distances come sorted: keep those up to the limit
        metres = [d for d in metres if d is not None and d <= max_distance_m]
    if at is None:
        return [
            FoundStation(stations[r], d, now[hours[r]], now[hours[r]])
            for r, d in zip(rows, metres, strict=False)
        ]
    then = index.book.states_at(at)
    return [
        FoundStation(stations[r], d, now[hours[r]], STATE_NAMES[int(then[hours[r]])])
        for r, d in zip(rows, metres, strict=False)
    ]


def rows_in_box(
    index: StationIndex, bbox: tuple[float, float, float, float], ordered: bool = True
) -> np.ndarray:
    """Rows of the stations inside the box, found through the grid (in row order if asked)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    gx0, gx1 = (int((v - GRID_ORIGIN[0]) // GRID_DEG) for v in (min_lon, max_lon))
    gy0, gy1 = (int((v - GRID_ORIGIN[1]) // GRID_DEG) for v in (min_lat, max_lat))
    gx0, gx1 = max(gx0, 0), min(gx1, GRID_COLUMNS - 1)
    rows_y = np.arange(max(gy0, 0), max(gy1 + 1, 0))
    starts = np.searchsorted(index.grid_keys, rows_y * GRID_COLUMNS + gx0, side="left")
    ends = np.searchsorted(index.grid_keys, rows_y * GRID_COLUMNS + gx1, side="right")
    if gx1 < gx0 or not len(rows_y):
        return np.zeros(0, dtype=np.int64)
    rows = index.grid_order[_concatenated_ranges(starts, ends)]
    lon, lat = index.lon[rows], index.lat[rows]
    inside = (lon >= min_lon) & (lon <= max_lon) & (lat >= min_lat) & (lat <= max_lat)
    return np.sort(rows[inside]) if ordered else rows[inside]


def _concatenated_ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, e) for s, e in zip(starts, ends)])`` without the loop."""
    lengths = np.maximum(ends - starts, 0)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return offsets + np.arange(offsets.size)


def _spread(
    index: StationIndex, rows: np.ndarray, bbox: tuple[float, float, float, float], limit: int
) -> np.ndarray:
    """``limit`` of ``rows`` taken from every cell of a grid over the box in turn."""
    side = max(1, math.ceil(math.sqrt(limit)))
    min_lon, min_lat, max_lon, max_lat = bbox
    cx = np.minimum(
        ((index.lon[rows] - min_lon) / (max_lon - min_lon) * side).astype(int), side - 1
    )
    cy = np.minimum(
        ((index.lat[rows] - min_lat) / (max_lat - min_lat) * side).astype(int), side - 1
    )
    cell = cy * side + cx
    priority = index.priority[rows]
    order = np.lexsort((priority, cell))
    _, first, cell_of = np.unique(cell[order], return_index=True, return_inverse=True)
    rank_in_cell = np.arange(len(order)) - first[cell_of]
    chosen = order[np.lexsort((priority[order], rank_in_cell))[:limit]]
    return np.sort(rows[chosen])


def _rows_matching(index: StationIndex, words: list[str]) -> np.ndarray:
    """Rows whose name or address contains every word."""
    rows: np.ndarray | None = None
    for word in sorted(words, key=len, reverse=True):
        found = rows_containing(index, word)
        rows = found if rows is None else np.intersect1d(rows, found, assume_unique=True)
        if not len(rows):
            break
    return rows if rows is not None else np.zeros(0, dtype=np.int64)


def _rank_by_name(index: StationIndex, rows: np.ndarray, words: list[str]) -> np.ndarray:
    names = [index.stations[r].name for r in rows]
    in_name = np.array([-sum(w in n for w in words) for n in names], dtype=np.int64)
    lengths = np.array([len(n) for n in names], dtype=np.int64)
    return rows[np.lexsort((rows, lengths, in_name))]
