"""How far each populated cell is from the nearest station that qualifies.

Everything coverage reports (covered people, median and 90th-percentile distances, gaps,
the demand a proposal can win) comes from one table per station set: for every cell,
the geodesic metres to its nearest qualifying station and that station's index row.

Exactness. Stations and cell centroids are compared by their Earth-centred (ECEF)
positions, as the finder does: the chord never exceeds the geodesic and, for two points
a few hundred kilometres apart, ranks them the same way unless they are within about
1e-5 of each other. A chord converts to the geodesic through the normal-section arc
``2ρ·asin(c / 2ρ)`` with ρ the ellipsoid's mean radius of curvature at the cell
(:func:`geodesic_metres`), within a millimetre up to 100 km and 1e-5 relative up to
1,000 km (``tests/test_coverage_reach.py`` checks it against PROJ); whether a cell lies
within a catchment radius is settled with PROJ itself when the two are within a metre.

Speed. A table is filled county by county, only for the counties a question touches: a
county's cells cost milliseconds, the nation's 2.4 million cells a second or so. The
stations open at a moment are a subset of those that pass the clock-free filter, so a
moment's table starts from the clock-free one and re-searches only the cells whose
nearest station is closed then. Tables hang off the index snapshot they were built from
(weakly): a new snapshot (a station added, closed or changed anywhere) starts new
tables, so answers follow the store within the index's second.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from ..finder import StaticFilter, StationIndex
from ..finder.geodesy import GEOD, WGS84_A, WGS84_E2
from ..finder.spaces import KDTree  # pykdtree, with one OpenMP thread (see there)
from ..hours import OPEN
from .cells import parents, resolutions
from .surface import PopulationSurface

ACTIVE = frozenset({"active"})
TABLES_PER_INDEX = 6
"""How many station sets' tables a snapshot keeps (each is about 20 MB for the nation)."""
BORDERLINE_M = 1.0
"""Cells whose approximate distance is this near a radius are settled with PROJ."""


@dataclass(frozen=True)
class StationSet:
    """The stations that cover: active, passing a clock-free filter, open at a moment.

    ``moment`` None means every active station passing the filter, whatever its hours.
    """

    static: StaticFilter = field(default_factory=StaticFilter)
    moment: datetime | None = None

    def __post_init__(self) -> None:
        if self.static.statuses != ACTIVE:
            object.__setattr__(self, "static", replace(self.static, statuses=ACTIVE))


class NearestTable:
    """For every cell of a surface, the nearest station of one set (filled on demand)."""

    def __init__(
        self,
        surface: PopulationSurface,
        index: StationIndex,
        rows: np.ndarray,
        find_wider: Callable[[], NearestTable | None] | None = None,
    ) -> None:
        self.surface = surface
        self._station_lon, self._station_lat = index.lon, index.lat
        # Not the index itself (nor its status column, the cache's key): a cached table
        # holding what it is cached under would keep every snapshot alive for ever.
        self.rows = rows
        """Index rows of the stations in the set."""
        self.wider: NearestTable | None = None
        """A table of a superset of these stations, whose answers are reused where its
        nearest station is in this set: found (``find_wider``) when a fill is large enough
        to gain from it, and dropped once every cell is filled."""
        self._find_wider = find_wider
        self._member = np.zeros(len(index.stations), dtype=bool)
        self._member[rows] = True
        self._points = np.ascontiguousarray(index.xyz[rows])
        self._tree = KDTree(self._points) if len(rows) else None
        self.metres = np.full(len(surface), np.inf, dtype=np.float32)
        """Geodesic metres to the nearest station (float32: 0.1 mm at 1 km; 30 MB saved
        per national table; borderline cells are measured again with PROJ)."""
        self.station = np.full(len(surface), -1, dtype=np.int32)
        self._filled = np.zeros(len(surface.adcodes), dtype=bool)
        self._lock = threading.Lock()

    def fill(self, counties: range) -> None:
        """Work out the nearest station of every cell in these counties (once each)."""
        with self._lock:
            missing = counties.start + np.flatnonzero(~self._filled[counties.start : counties.stop])
            if not len(missing):
                return
            rows = _rows_of(self.surface, missing)
            if self.wider is None and self._find_wider is not None and len(rows) >= DIRECT_BELOW:
                self.wider = self._find_wider()
            if self.wider is not None:
                self.wider.fill(counties)
                nearest = self.wider.station[rows]
                kept = (nearest >= 0) & self._member[np.maximum(nearest, 0)]
                self.station[rows[kept]] = nearest[kept]
                self.metres[rows[kept]] = self.wider.metres[rows[kept]]
                rows = rows[~kept]
            self._search(rows)
            self._filled[missing] = True
            if self._filled.all():
                self.wider = self._find_wider = None  # every cell is settled

    def _search(self, rows: np.ndarray) -> None:
        if not len(rows) or self._tree is None:
            return
        chords, found = nearest_by_groups(self._tree, self._points, self.surface, rows)
        self.station[rows] = self.rows[found]
        self.metres[rows] = geodesic_metres(chords, self.surface.lat[rows])

    def within(self, rows: slice | np.ndarray, radius_m: float) -> np.ndarray:
        """Which of these (filled) cells have their nearest station within ``radius_m``.

        Cells whose approximate distance is within :data:`BORDERLINE_M` of the radius are
        measured again with PROJ.
        """
        metres = self.metres[rows]
        inside = metres <= radius_m
        close = np.flatnonzero(np.abs(metres - radius_m) <= BORDERLINE_M)
        if len(close):
            cells = rows.start + close if isinstance(rows, slice) else rows[close]
            stations = self.station[cells]
            _, _, exact = GEOD.inv(
                self.surface.lon[cells],
                self.surface.lat[cells],
                self._station_lon[stations],
                self._station_lat[stations],
            )
            inside[close] = np.asarray(exact) <= radius_m
        return inside


GROUP_K = 4
"""Stations asked for around each group's centre."""
DIRECT_BELOW = 20_000
"""Fewer cells than this are searched one by one (grouping would not pay)."""
GROUPED_UP_TO = 100_000
"""Station sets up to this size are searched by groups. Measured on the national demo
set (scripts/bench_coverage.py): with the 54,000 stations open at 21:00 or the 10,000 at
03:00, 96-98% of cells are proved from their group's 4 nearest and the search takes about
half the time of one query per cell; with all 161,000 active stations (a station every
few hundred metres in towns) only 74% are, and grouping costs as much as it saves."""
CHUNK = 250_000


class CellGroups:
    """The cells of a surface grouped by their H3 parent, with each group's centre and reach.

    Resolution-8 cells group under their resolution-7 parent, resolution-7 cells under
    their resolution-6 parent; a resolution-6 cell is a group of its own. ``centre`` is
    the mean of the members' Earth-centred positions and ``spread`` the farthest member's
    distance from it (metres).
    """

    def __init__(self, surface: PopulationSurface) -> None:
        level = resolutions(surface.h3)
        keys = np.where(
            level == 8,
            parents(surface.h3, 7),
            np.where(level == 7, parents(surface.h3, 6), surface.h3),
        )
        _, self.group = np.unique(keys, return_inverse=True)
        count = int(self.group.max()) + 1 if len(self.group) else 0
        members = np.bincount(self.group, minlength=count)
        self.centre = np.column_stack(
            [np.bincount(self.group, surface.xyz[:, i], count) / members for i in range(3)]
        )
        away = np.linalg.norm(surface.xyz - self.centre[self.group], axis=1)
        self.spread = np.zeros(count)
        np.maximum.at(self.spread, self.group, away)


_GROUPS: dict[int, tuple[PopulationSurface, CellGroups]] = {}


def cell_groups(surface: PopulationSurface) -> CellGroups:
    """The groups of this surface's cells (built once per surface geometry, about 1 s)."""
    key = id(surface.h3)
    held = _GROUPS.get(key)
    if held is None or held[0].h3 is not surface.h3:
        held = (surface, CellGroups(surface))
        _GROUPS.clear()
        _GROUPS[key] = held
    return held[1]


def nearest_by_groups(
    tree: KDTree, points: np.ndarray, surface: PopulationSurface, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Chord to and tree position of the nearest station for each cell of ``rows``.

    Exact, and several times faster than one tree search per cell: each group of
    neighbouring cells (:class:`CellGroups`) asks the tree once for the
    :data:`GROUP_K` stations nearest its centre, and each member takes the nearest of
    those. That is its nearest station whenever it is nearer than the K-th station's
    distance from the centre less the group's spread: by the triangle inequality any
    other station is at least that far from every member. The few cells where it cannot
    be proved (stations dense around a wide group) are searched one by one.
    """
    xyz = surface.xyz
    if len(rows) < DIRECT_BELOW or len(points) > GROUPED_UP_TO:
        chords, found = tree.query(np.ascontiguousarray(xyz[rows]), k=1)
        return chords, found
    groups = cell_groups(surface)
    member = groups.group[rows]
    needed, position = np.unique(member, return_inverse=True)
    size = len(points)
    k = min(GROUP_K, size)
    around, stations = tree.query(np.ascontiguousarray(groups.centre[needed]), k=k)
    around, stations = around.reshape(len(needed), k), stations.reshape(len(needed), k)
    stations = np.where(stations < size, stations, 0)
    chords = np.empty(len(rows))
    found = np.empty(len(rows), dtype=np.int64)
    proved = np.empty(len(rows), dtype=bool)
    for start in range(0, len(rows), CHUNK):
        part = slice(start, start + CHUNK)
        at = position[part]
        candidates = stations[at]
        offsets = points[candidates] - xyz[rows[part]][:, None, :]
        distance = np.sqrt(np.einsum("ijk,ijk->ij", offsets, offsets))
        distance[around[at] == np.inf] = np.inf
        best = np.argmin(distance, axis=1)
        chosen = distance[np.arange(len(best)), best]
        chords[part] = chosen
        found[part] = candidates[np.arange(len(best)), best]
        bound = around[at, -1] - groups.spread[needed[at]]
        proved[part] = (chosen <= bound) | (around[at, -1] == np.inf)
    unproved = np.flatnonzero(~proved)
    if len(unproved):
        again, where = tree.query(np.ascontiguousarray(xyz[rows[unproved]]), k=1)
        chords[unproved], found[unproved] = again, where
    return chords, found


def _rows_of(surface: PopulationSurface, counties: np.ndarray) -> np.ndarray:
    """The rows of these counties (ascending positions), in order."""
    first, last = int(counties[0]), int(counties[-1])
    if last - first + 1 == len(counties):  # one run of counties: one run of rows
        return np.arange(surface.starts[first], surface.starts[last + 1])
    parts = [np.arange(surface.starts[i], surface.starts[i + 1]) for i in counties.tolist()]
    return np.concatenate(parts)


def geodesic_metres(chord: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Geodesic metres for chords measured from points at latitudes ``lat`` (degrees).

    The arc of the circle through both points with the ellipsoid's mean radius of
    curvature at the first (``sqrt(M·N)``); the chord itself where it is longer than
    that circle's diameter (never on Earth).
    """
    sin_phi = np.sin(np.radians(lat))
    w2 = 1.0 - WGS84_E2 * sin_phi * sin_phi
    rho = WGS84_A * np.sqrt(1.0 - WGS84_E2) / w2
    ratio = np.minimum(chord / (2.0 * rho), 1.0)
    return np.asarray(2.0 * rho * np.arcsin(ratio))


_TABLES: dict[int, OrderedDict] = {}
"""The tables of each snapshot's stations, keyed by the identity of its status column."""
_LIVE: dict[int, weakref.WeakSet[NearestTable]] = {}
"""Every table still referenced, by the same key (a day's profile holds its 14 or so)."""
_TABLES_LOCK = threading.Lock()


def _snapshot_key(index: StationIndex) -> int:
    """The cache key of the stations a snapshot holds (call with the lock held).

    A snapshot that only moved its change-feed position (:meth:`StationIndex.advanced_to`:
    nothing changed) shares its columns with the one before, so it keeps its tables; any
    change makes new columns. The entry goes when the column is freed.
    """
    key = id(index.status)
    if key not in _TABLES:
        _TABLES[key] = OrderedDict()
        _LIVE[key] = weakref.WeakSet()
        weakref.finalize(index.status, _forget, key)
    return key


def _forget(key: int) -> None:
    with _TABLES_LOCK:
        _TABLES.pop(key, None)
        _LIVE.pop(key, None)


def nearest_table(
    index: StationIndex, surface: PopulationSurface, stations: StationSet
) -> NearestTable:
    """The (cached) table of the nearest station of ``stations`` for the cells of ``surface``.

    Cached per snapshot's stations: a moment's table is keyed by which hours texts are
    open then, so two moments with the same stations open share one.
    """
    if stations.moment is None:
        key: tuple = (id(surface.xyz), stations.static, None)
    else:
        key = (id(surface.xyz), stations.static, index.book.states_at(stations.moment).tobytes())
    with _TABLES_LOCK:
        snapshot = _snapshot_key(index)
        tables = _TABLES[snapshot]
        table = tables.get(key)
        if table is not None:
            tables.move_to_end(key)
            return table
    if stations.moment is None:
        table = NearestTable(surface, index, np.flatnonzero(index.static_mask(stations.static)))
    else:
        passing = np.flatnonzero(index.static_mask(stations.static))
        open_rows = passing[open_at(index, passing, stations.moment)]
        table = NearestTable(
            surface, index, open_rows, _wider_finder(index, surface, stations.static, open_rows)
        )
    with _TABLES_LOCK:
        snapshot = _snapshot_key(index)
        _LIVE[snapshot].add(table)
        tables = _TABLES[snapshot]
        table = tables.setdefault(key, table)
        while len(tables) > TABLES_PER_INDEX:
            tables.popitem(last=False)
    return table


def _wider_finder(
    index: StationIndex, surface: PopulationSurface, static: StaticFilter, rows: np.ndarray
) -> Callable[[], NearestTable | None]:
    """How a table finds its wider set later, holding its snapshot only weakly."""
    snapshot = weakref.ref(index)

    def find() -> NearestTable | None:
        held = snapshot()
        if held is None:
            return None
        every = nearest_table(held, surface, StationSet(static))
        return _closest_superset(held, surface, every, rows)

    return find


def _closest_superset(
    index: StationIndex, surface: PopulationSurface, every: NearestTable, rows: np.ndarray
) -> NearestTable:
    """The live table of the fewest stations that still holds all of ``rows``.

    Its cells whose nearest station is among ``rows`` keep it; only the others are
    searched again. Over a day, the stations open at 22:00 are a subset of those open at
    21:00 and those at 07:00 of those at 08:00, so each hour starts from its neighbour
    and searches only the cells whose nearest station closed in between.
    """
    wanted = np.zeros(len(index.stations), dtype=bool)
    wanted[rows] = True
    with _TABLES_LOCK:
        live = list(_LIVE.get(_snapshot_key(index), ()))
    best = every
    for table in live:
        if (
            table.surface.xyz is surface.xyz
            and len(rows) < len(table.rows) < len(best.rows)
            and not (wanted & ~table._member).any()
        ):
            best = table
    return best


def open_at(index: StationIndex, rows: np.ndarray, moment: datetime) -> np.ndarray:
    """Which of these stations are open at ``moment`` (unknown hours: not open)."""
    states = index.book.states_at(moment)
    return np.asarray(states[index.hours[rows]] == OPEN)
