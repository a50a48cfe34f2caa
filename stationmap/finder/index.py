"""The in-memory station index: every stored station, searchable in microseconds.

A :class:`StationIndex` is an immutable snapshot built from a list of stations:
columns as numpy arrays, a k-d tree over their Earth-centred positions, a coarse
lon/lat grid for viewports, and one long string of names and addresses for text
search. Changes never edit a snapshot; :meth:`StationIndex.with_changes` builds a
new one and the caller swaps it in whole, so no reader ever sees a half-built index.
"""

from __future__ import annotations

import copy
import os
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable

import numpy as np
from scipy.spatial import cKDTree

# pykdtree runs every query in an OpenMP team. A single query point needs one thread,
# and a second one would spin between requests, taking a core from the other server
# workers. libgomp reads this when it loads, which importing pykdtree does.
os.environ["OMP_NUM_THREADS"] = "1"
from pykdtree.kdtree import KDTree

from ..hours import ALWAYS_OPEN, CLOSED, OPEN, HoursBook
from ..store.feed import BEGINNING, FeedPosition
from ..types import Station
from ..vocabulary import KINDS, STATUSES, amenity_mask
from .filters import StaticFilter, StationFilter
from .geodesy import ecef

KIND_KEYS = tuple(KINDS)
STATUS_KEYS = tuple(STATUSES)
GRID_DEG = 0.1
"""Cell size of the viewport grid, in degrees."""
GRID_ORIGIN = (70.0, 0.0)
GRID_COLUMNS = 1000
SPACE_CACHE_SIZE = 24
"""How many filters' trees an index keeps (least recently built goes first)."""


class SearchSpace:
    """The stations one filter lets through, searchable by their Earth-centred positions.

    Nearest-neighbour queries go to pykdtree: one point with k = 6 costs about 4 µs
    there against 13 µs in scipy's cKDTree (same answers; scipy's per-call checks
    are most of its cost), and that call is the largest part of an HTTP nearest
    request after the server's own. Radius queries need a ball search, which
    pykdtree lacks: a cKDTree is built for them on first use.
    """

    def __init__(self, rows: np.ndarray | None, xyz: np.ndarray) -> None:
        self.rows = rows
        """Index rows of the space's points, or None when the space is the full index."""
        self.xyz = np.ascontiguousarray(xyz.reshape(-1, 3))
        self.size = len(self.xyz)
        self._nearest_tree = KDTree(self.xyz) if self.size else None
        self._ball_tree: cKDTree | None = None
        self._rows_list = None if rows is None else rows.tolist()

    def nearest(
        self, point: tuple[float, float, float], k: int, max_chord: float | None = None
    ) -> tuple[list[float], list[int]]:
        """Chords to and positions of the ``k`` nearest points, nearest first.

        Fewer come back when the space is smaller or ``max_chord`` leaves some out.
        """
        if self._nearest_tree is None:
            return [], []
        chords, positions = self._nearest_tree.query(
            np.array([point]), k=k, distance_upper_bound=max_chord
        )
        chords, positions = chords.ravel().tolist(), positions.ravel().tolist()
        found = len(positions)
        while found and positions[found - 1] >= self.size:  # pykdtree's "no neighbour"
            found -= 1
        return chords[:found], positions[:found]

    def within(self, point: tuple[float, float, float], radius: float) -> np.ndarray:
        """Positions of the points within ``radius`` (straight-line metres), unordered."""
        if self._ball_tree is None:
            self._ball_tree = cKDTree(self.xyz, balanced_tree=False, compact_nodes=False)
        return np.asarray(self._ball_tree.query_ball_point(point, radius), dtype=np.int64)

    def to_rows(self, positions: np.ndarray) -> np.ndarray:
        """Index rows for positions in the space."""
        return positions if self.rows is None else self.rows[positions]

    def rows_at(self, positions: list[int]) -> list[int]:
        """:meth:`to_rows` for a short list (plain Python is faster there than numpy)."""
        if self._rows_list is None:
            return positions
        return [self._rows_list[p] for p in positions]


class StationIndex:
    """An immutable, searchable snapshot of stations."""

    def __init__(
        self,
        stations: Iterable[Station],
        position: FeedPosition = BEGINNING,
        notice: str | None = None,
    ) -> None:
        self.stations: list[Station] = list(stations)
        self.position = position
        """The store's change-feed position this snapshot reflects."""
        self.notice = notice
        """What must be shown with answers from these stations (the synthetic-data label)."""
        self._build_columns()
        self._build_lookups()
        self.everything = SearchSpace(None, self.xyz)
        """The search space of a filter that lets every station through."""
        self._spaces: OrderedDict[tuple, SearchSpace] = OrderedDict()
        self._spaces_lock = threading.Lock()
        self._corpus: tuple[str, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.stations)

    def _build_columns(self) -> None:
        stations = self.stations
        self.lon = np.fromiter((s.lon for s in stations), float, len(stations))
        self.lat = np.fromiter((s.lat for s in stations), float, len(stations))
        self.xyz = ecef(self.lon, self.lat).reshape(-1, 3)
        self.mask = np.fromiter(
            (amenity_mask(s.amenities) for s in stations), np.int64, len(stations)
        )
        kind_codes = {k: i for i, k in enumerate(KIND_KEYS)}
        status_codes = {k: i for i, k in enumerate(STATUS_KEYS)}
        self.kind = np.fromiter((kind_codes[s.kind] for s in stations), np.int8, len(stations))
        self.status = np.fromiter(
            (status_codes[s.status] for s in stations), np.int8, len(stations)
        )
        self.book = HoursBook()
        self.hours = self.book.encode([s.opening_hours for s in stations])
        self.hours_list = self.hours.tolist()
        always = self.book.texts.index(ALWAYS_OPEN) if ALWAYS_OPEN in self.book.texts else -2
        self.always_open = self.hours == always

    def _build_lookups(self) -> None:
        self.row_of_id = {s.id: row for row, s in enumerate(self.stations)}
        self.priority = np.fromiter(
            (zlib.crc32(s.id.encode()) for s in self.stations), np.int64, len(self.stations)
        )
        """A fixed pseudo-random order of stations (the same in every process)."""
        adcodes = np.array([s.adcode for s in self.stations], dtype=object)
        order = np.argsort(adcodes, kind="stable")
        codes, starts = np.unique(adcodes[order], return_index=True)
        groups = np.split(order, starts[1:]) if len(order) else []
        self.rows_by_adcode = dict(zip(codes, groups, strict=True))
        gx = ((self.lon - GRID_ORIGIN[0]) / GRID_DEG).astype(np.int64)
        gy = ((self.lat - GRID_ORIGIN[1]) / GRID_DEG).astype(np.int64)
        keys = gy * GRID_COLUMNS + gx
        self.grid_order = np.argsort(keys, kind="stable")
        self.grid_keys = keys[self.grid_order]

    def with_changes(
        self, station_ids: Iterable[str], current: Iterable[Station], position: FeedPosition
    ) -> StationIndex:
        """A new snapshot where the stations ``station_ids`` are as in ``current``.

        Each named station is replaced, added, or (when ``current`` lacks it, because
        it was deleted) removed; the others keep their rows.
        """
        fresh = {station.id: station for station in current}
        named = set(station_ids) | set(fresh)
        stations = []
        for station in self.stations:
            if station.id not in named:
                stations.append(station)
            elif station.id in fresh:
                stations.append(fresh.pop(station.id))
        stations.extend(fresh.values())
        return StationIndex(stations, position, self.notice)

    def advanced_to(self, position: FeedPosition) -> StationIndex:
        """The same stations, marked as reflecting a later feed position (nothing is rebuilt)."""
        twin = copy.copy(self)
        twin.position = position
        return twin

    # -- filters -----------------------------------------------------------------

    def static_mask(self, static: StaticFilter, rows: np.ndarray | None = None) -> np.ndarray:
        """Which stations (all, or ``rows``) pass the clock-free part of a filter."""
        pick = slice(None) if rows is None else rows
        ok = np.isin(self.status[pick], [STATUS_KEYS.index(s) for s in static.statuses])
        if static.amenity_mask:
            ok &= (self.mask[pick] & static.amenity_mask) == static.amenity_mask
        if static.kinds:
            ok &= np.isin(self.kind[pick], [KIND_KEYS.index(k) for k in static.kinds])
        if static.open_24h:
            ok &= self.always_open[pick]
        return ok

    def passing(self, station_filter: StationFilter, rows: np.ndarray | None = None) -> np.ndarray:
        """Which stations (all, or ``rows``) pass the whole filter at its moment."""
        ok = self.static_mask(station_filter.static, rows)
        if station_filter.open_at is not None:
            states = self.book.states_at(station_filter.open_at)
            codes = self.hours if rows is None else self.hours[rows]
            found = states[codes]
            ok &= (found != CLOSED) if station_filter.include_unknown_hours else (found == OPEN)
        return ok

    def search_space(self, station_filter: StationFilter) -> SearchSpace:
        """The stations the filter lets through with their own tree, cached per filter.

        A filter with a moment is keyed by which opening-hours texts are open at that
        moment, not by the moment itself: "open now" reuses its tree until some
        station actually opens or closes (a few times a day), not once a minute.
        """
        key = self._space_key(station_filter)
        space = self._spaces.get(key)
        if space is None:
            space = self._new_search_space(station_filter)
            with self._spaces_lock:
                self._spaces[key] = space
                while len(self._spaces) > SPACE_CACHE_SIZE:
                    self._spaces.popitem(last=False)
        return space

    def _space_key(self, station_filter: StationFilter) -> tuple:
        if station_filter.open_at is None:
            return (station_filter.static, None, False)
        states = self.book.states_at(station_filter.open_at).tobytes()
        return (station_filter.static, states, station_filter.include_unknown_hours)

    def _new_search_space(self, station_filter: StationFilter) -> SearchSpace:
        passing = self.passing(station_filter)
        if passing.all():
            return self.everything
        rows = np.flatnonzero(passing)
        return SearchSpace(rows, self.xyz[rows])

    # -- text ----------------------------------------------------------------------

    def corpus(self) -> tuple[str, np.ndarray]:
        """Every station's name and address in one string, and where each one starts.

        Station i's text is ``name + "\\t" + address``, followed by a newline; a
        search scans the one string at C speed and maps hits back to rows.
        """
        if self._corpus is None:
            texts = [f"{s.name}\t{s.address}\n" for s in self.stations]
            starts = np.cumsum([0] + [len(t) for t in texts[:-1]]) if texts else np.zeros(0)
            self._corpus = ("".join(texts), np.asarray(starts, dtype=np.int64))
        return self._corpus
