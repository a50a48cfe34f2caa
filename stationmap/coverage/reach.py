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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from ..finder import StaticFilter, StationIndex
from ..finder.geodesy import GEOD, WGS84_A, WGS84_E2
from ..finder.spaces import KDTree  # pykdtree, with one OpenMP thread (see there)
from ..hours import OPEN
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
        wider: NearestTable | None = None,
    ) -> None:
        self.surface = surface
        self.index = index
        self.rows = rows
        """Index rows of the stations in the set."""
        self.wider = wider
        """A table of a superset of these stations, whose answers are reused where its
        nearest station is in this set."""
        self._member = np.zeros(len(index.stations), dtype=bool)
        self._member[rows] = True
        self._tree = KDTree(np.ascontiguousarray(index.xyz[rows])) if len(rows) else None
        self.metres = np.full(len(surface), np.inf, dtype=np.float32)
        """Geodesic metres to the nearest station (float32: 0.1 mm at 1 km; 30 MB saved
        per national table; borderline cells are measured again with PROJ)."""
        self.station = np.full(len(surface), -1, dtype=np.int32)
        self._filled = np.zeros(len(surface.adcodes), dtype=bool)
        self._lock = threading.Lock()

    def fill(self, counties: range) -> None:
        """Work out the nearest station of every cell in these counties (once each)."""
        with self._lock:
            missing = [i for i in counties if not self._filled[i]]
            if not missing:
                return
            rows = _rows_of(self.surface, missing)
            if self.wider is not None:
                self.wider.fill(counties)
                nearest = self.wider.station[rows]
                kept = (nearest >= 0) & self._member[np.maximum(nearest, 0)]
                self.station[rows[kept]] = nearest[kept]
                self.metres[rows[kept]] = self.wider.metres[rows[kept]]
                rows = rows[~kept]
            self._search(rows)
            self._filled[missing] = True

    def _search(self, rows: np.ndarray) -> None:
        if not len(rows) or self._tree is None:
            return
        chords, found = self._tree.query(np.ascontiguousarray(self.surface.xyz[rows]), k=1)
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
                self.index.lon[stations],
                self.index.lat[stations],
            )
            inside[close] = np.asarray(exact) <= radius_m
        return inside


def _rows_of(surface: PopulationSurface, counties: Iterable[int]) -> np.ndarray:
    parts = [np.arange(surface.starts[i], surface.starts[i + 1]) for i in counties]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


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


_TABLES: weakref.WeakKeyDictionary[StationIndex, OrderedDict] = weakref.WeakKeyDictionary()
_TABLES_LOCK = threading.Lock()


def nearest_table(
    index: StationIndex, surface: PopulationSurface, stations: StationSet
) -> NearestTable:
    """The (cached) table of the nearest station of ``stations`` for the cells of ``surface``.

    Cached on the snapshot: a moment's table is keyed by which hours texts are open then,
    so two moments with the same stations open share one.
    """
    if stations.moment is None:
        key: tuple = (id(surface.xyz), stations.static, None)
    else:
        key = (id(surface.xyz), stations.static, index.book.states_at(stations.moment).tobytes())
    with _TABLES_LOCK:
        tables = _TABLES.setdefault(index, OrderedDict())
        table = tables.get(key)
        if table is not None:
            tables.move_to_end(key)
            return table
    if stations.moment is None:
        table = NearestTable(surface, index, np.flatnonzero(index.static_mask(stations.static)))
    else:
        wider = nearest_table(index, surface, StationSet(stations.static))
        open_rows = wider.rows[open_at(index, wider.rows, stations.moment)]
        table = NearestTable(surface, index, open_rows, wider)
    with _TABLES_LOCK:
        tables = _TABLES.setdefault(index, OrderedDict())
        table = tables.setdefault(key, table)
        while len(tables) > TABLES_PER_INDEX:
            tables.popitem(last=False)
    return table


def open_at(index: StationIndex, rows: np.ndarray, moment: datetime) -> np.ndarray:
    """Which of these stations are open at ``moment`` (unknown hours: not open)."""
    states = index.book.states_at(moment)
    return np.asarray(states[index.hours[rows]] == OPEN)


def unknown_hours(index: StationIndex, rows: np.ndarray) -> np.ndarray:
    """Which of these stations have no known hours."""
    return np.asarray(index.hours[rows] < 0)
