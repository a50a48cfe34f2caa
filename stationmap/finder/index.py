"""The in-memory station index: every stored station, searchable in microseconds.

A :class:`StationIndex` is an immutable snapshot: columns as numpy arrays, k-d trees
over their Earth-centred positions (one per filter, built on first use), a coarse
lon/lat grid for viewports, and one long string of names and addresses for text
search. Changes never edit a snapshot; the caller swaps the next one in whole, so no
reader ever sees a half-built index.

A change costs what it changes, not what the store holds. Building a snapshot from
scratch (a *base*) takes seconds for the national set; :meth:`StationIndex.with_changes`
instead gives a snapshot that keeps its base's trees and adds an overlay: each
changed station gets a new row at the end, the row it had is marked superseded
(status :data:`SUPERSEDED`, which no filter lets through), and searches merge the
base's tree (superseded points masked) with a small tree over the new rows
(:class:`~.spaces.OverlaidSpace`). The per-station work is for the changed stations
only; what else is copied is a handful of flat numpy columns (milliseconds). When the
overlay grows, :meth:`StationIndex.compacted` builds a new base off the request path.
"""

from __future__ import annotations

import copy
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator

import numpy as np

from ..hours import ALWAYS_OPEN, CLOSED, OPEN, HoursBook
from ..store.feed import BEGINNING, FeedPosition
from ..types import Station
from ..vocabulary import KINDS, STATUSES, amenity_mask
from .filters import StaticFilter, StationFilter
from .geodesy import ecef
from .spaces import KDTree, OverlaidSpace, SearchSpace

__all__ = ["KDTree", "SearchSpace", "StationIndex"]

KIND_KEYS = tuple(KINDS)
STATUS_KEYS = tuple(STATUSES)
SUPERSEDED = -1
"""The status code of a row whose station was changed (it has a newer row) or deleted."""
GRID_DEG = 0.1
"""Cell size of the viewport grid, in degrees."""
GRID_ORIGIN = (70.0, 0.0)
GRID_COLUMNS = 1000
SPACE_CACHE_SIZE = 24
"""How many filters' trees an index keeps (least recently built goes first)."""

_KIND_CODES = {k: i for i, k in enumerate(KIND_KEYS)}
_STATUS_CODES = {k: i for i, k in enumerate(STATUS_KEYS)}
_NO_ROWS = np.zeros(0, dtype=np.int64)

Space = SearchSpace | OverlaidSpace


class StationIndex:
    """An immutable, searchable snapshot of stations."""

    builds = 0
    """How many indexes this process has built from scratch (snapshots made with
    :meth:`with_changes` are not: they share their base's work)."""

    def __init__(
        self,
        stations: Iterable[Station],
        position: FeedPosition = BEGINNING,
        notice: str | None = None,
    ) -> None:
        StationIndex.builds += 1
        self.stations: list[Station] = list(stations)
        """The station at each row. Superseded rows stay: use :meth:`current_stations`."""
        self.position = position
        """The store's change-feed position this snapshot reflects."""
        self.notice = notice
        """What must be shown with answers from these stations (the synthetic-data label)."""
        self.book = HoursBook()
        columns = _columns(self.stations, self.book)
        self._set_columns(columns, columns["hours"].tolist())
        self._build_lookups()
        self.everything = SearchSpace(None, self.xyz)
        """The search space of a filter that lets every station through."""
        self.base = self
        """The snapshot whose trees this one searches (itself when built from scratch)."""
        self.overlay: dict[str, Station | None] = {}
        """Stations changed since :attr:`base`: the newest version, or None once deleted."""
        self.superseded = _NO_ROWS
        """Rows (sorted) whose station has a newer row or was deleted."""
        self._overlay_rows: dict[str, int | None] = {}
        self._start_caches()

    def __len__(self) -> int:
        return len(self.stations) - len(self.superseded)

    def current_stations(self) -> Iterator[Station]:
        """Every station in this snapshot, once each, in row order."""
        if not len(self.superseded):
            return iter(self.stations)
        live = self.status != SUPERSEDED
        return (s for s, ok in zip(self.stations, live.tolist(), strict=True) if ok)

    @property
    def overlay_rows(self) -> int:
        """Rows added since the base was built (a measure of how much a compaction saves)."""
        return len(self.stations) - len(self.base.stations)

    def _set_columns(self, columns: dict[str, np.ndarray], hours_list: list[int]) -> None:
        self.lon, self.lat, self.xyz = columns["lon"], columns["lat"], columns["xyz"]
        self.mask, self.kind, self.status = columns["mask"], columns["kind"], columns["status"]
        self.hours, self.always_open = columns["hours"], columns["always_open"]
        self.priority = columns["priority"]
        """A fixed pseudo-random order of stations (the same in every process)."""
        self.hours_list = hours_list
        """``hours`` as a list (reading one item is faster from a list)."""

    def _build_lookups(self) -> None:
        self._rows_by_id = {s.id: row for row, s in enumerate(self.stations)}
        self.row_of_id: dict[str, int] | RowsById = self._rows_by_id
        adcodes = np.array([s.adcode for s in self.stations], dtype=object)
        order = np.argsort(adcodes, kind="stable")
        codes, starts = np.unique(adcodes[order], return_index=True)
        groups = np.split(order, starts[1:]) if len(order) else []
        self.rows_by_adcode = dict(zip(codes, groups, strict=True))
        keys = _grid_keys(self.lon, self.lat)
        self.grid_order = np.argsort(keys, kind="stable")
        self.grid_keys = keys[self.grid_order]

    def _start_caches(self) -> None:
        self._spaces: OrderedDict[tuple, Space] = OrderedDict()
        self._filters: dict[tuple, StationFilter] = {}
        self._spaces_lock = threading.Lock()
        self._corpus: tuple[str, np.ndarray] | None = None

    # -- changes -----------------------------------------------------------------

    def with_changes(
        self, station_ids: Iterable[str], current: Iterable[Station], position: FeedPosition
    ) -> StationIndex:
        """A new snapshot where the stations ``station_ids`` are as in ``current``.

        Each named station is replaced, added, or (when ``current`` lacks it, because
        it was deleted) removed. Nothing is rebuilt: the result keeps this snapshot's
        base and trees, with the changes in its overlay (see the module's docstring).
        """
        fresh = {station.id: station for station in current}
        changes: dict[str, Station | None] = dict.fromkeys(station_ids)
        changes.update(fresh)
        twin = copy.copy(self)
        twin._apply(changes, position)
        return twin

    def _apply(self, changes: dict[str, Station | None], position: FeedPosition) -> None:
        """Turn this fresh copy of the previous snapshot into one with ``changes``."""
        old_rows = [r for r in map(self.row_of_id.get, changes) if r is not None]
        added = [s for s in changes.values() if s is not None]
        first = len(self.stations)
        new_rows = np.arange(first, first + len(added), dtype=np.int64)
        self.position = position
        self.stations = self.stations + added
        self._append_columns(added, np.asarray(old_rows, dtype=np.int64))
        self.overlay = {**self.overlay, **changes}
        self._overlay_rows = {**self._overlay_rows, **dict.fromkeys(changes)}
        self._overlay_rows.update((s.id, int(r)) for s, r in zip(added, new_rows, strict=True))
        self.row_of_id = RowsById(self.base._rows_by_id, self._overlay_rows)
        self.superseded = np.union1d(self.superseded, np.asarray(old_rows, dtype=np.int64))
        self._regroup_counties(old_rows, added, new_rows)
        self._add_to_grid(new_rows)
        self._start_caches()

    def _append_columns(self, added: list[Station], old_rows: np.ndarray) -> None:
        book = self.book
        known = set(book.texts)
        if any(s.opening_hours not in known for s in added if s.opening_hours is not None):
            book = _copied_book(book)
        new = _columns(added, book)
        columns = {
            name: np.concatenate((getattr(self, name), new[name]))
            for name in ("lon", "lat", "xyz", "mask", "kind", "status", "hours", "always_open")
        }
        columns["priority"] = np.concatenate((self.priority, new["priority"]))
        columns["status"][old_rows] = SUPERSEDED
        self.book = book
        self._set_columns(columns, self.hours_list + new["hours"].tolist())

    def _regroup_counties(
        self, old_rows: list[int], added: list[Station], rows: np.ndarray
    ) -> None:
        """``rows_by_adcode`` for the counties a change touched; the others are shared."""
        leaving: dict[str, list[int]] = {}
        arriving: dict[str, list[int]] = {}
        for row in old_rows:
            leaving.setdefault(self.stations[row].adcode, []).append(row)
        for station, row in zip(added, rows.tolist(), strict=True):
            arriving.setdefault(station.adcode, []).append(row)
        groups = dict(self.rows_by_adcode)
        for adcode in leaving.keys() | arriving.keys():
            kept = groups.get(adcode, _NO_ROWS)
            if adcode in leaving:
                kept = kept[~np.isin(kept, leaving[adcode])]
            joined = np.concatenate((kept, np.asarray(arriving.get(adcode, []), dtype=np.int64)))
            if len(joined):
                groups[adcode] = joined
            else:
                groups.pop(adcode, None)
        self.rows_by_adcode = groups

    def _add_to_grid(self, rows: np.ndarray) -> None:
        """The new rows in the viewport grid (superseded ones stay: no filter passes them)."""
        keys = _grid_keys(self.lon[rows], self.lat[rows])
        at = np.searchsorted(self.grid_keys, keys, side="right")
        self.grid_keys = np.insert(self.grid_keys, at, keys)
        self.grid_order = np.insert(self.grid_order, at, rows)

    def advanced_to(self, position: FeedPosition) -> StationIndex:
        """The same stations, marked as reflecting a later feed position (nothing is rebuilt)."""
        twin = copy.copy(self)
        twin.position = position
        return twin

    def compacted(self) -> StationIndex:
        """The same stations as a new base (seconds for the national set: off the request path).

        The trees of the filters this snapshot's base was asked for are built too, so
        the first query after the swap finds them ready.
        """
        fresh = StationIndex(self.current_stations(), self.position, self.notice)
        for station_filter in list(self.base._filters.values()):
            fresh.search_space(station_filter)
        return fresh

    def changes_since(self, earlier: StationIndex) -> dict[str, Station | None]:
        """What this snapshot's overlay holds that ``earlier``'s (same base) did not."""
        missing = object()
        return {
            station_id: station
            for station_id, station in self.overlay.items()
            if earlier.overlay.get(station_id, missing) is not station
        }

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

    def search_space(self, station_filter: StationFilter) -> Space:
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
                self._filters[key] = station_filter
                while len(self._spaces) > SPACE_CACHE_SIZE:
                    old, _ = self._spaces.popitem(last=False)
                    self._filters.pop(old, None)
        return space

    def _space_key(self, station_filter: StationFilter) -> tuple:
        if station_filter.open_at is None:
            return (station_filter.static, None, False)
        states = self.book.states_at(station_filter.open_at).tobytes()
        return (station_filter.static, states, station_filter.include_unknown_hours)

    def _new_search_space(self, station_filter: StationFilter) -> Space:
        if self.base is not self:
            return self._overlaid_space(station_filter)
        passing = self.passing(station_filter)
        if passing.all():
            return self.everything
        rows = np.flatnonzero(passing)
        return SearchSpace(rows, self.xyz[rows])

    def _overlaid_space(self, station_filter: StationFilter) -> Space:
        """The base's space for the filter, less the superseded rows, plus the new rows."""
        base = self.base.search_space(station_filter)
        assert isinstance(base, SearchSpace)
        gone = self.superseded[self.superseded < len(self.base.stations)]
        if base.rows is not None:
            at = np.minimum(np.searchsorted(base.rows, gone), max(base.size - 1, 0))
            gone = at[base.rows[at] == gone] if base.size else _NO_ROWS
        rows = np.arange(len(self.base.stations), len(self.stations), dtype=np.int64)
        rows = rows[self.passing(station_filter, rows)]
        if not len(gone) and not len(rows):
            return base
        return OverlaidSpace(base, gone, SearchSpace(rows, self.xyz[rows]))

    # -- text ----------------------------------------------------------------------

    def corpus(self) -> tuple[str, np.ndarray]:
        """Every row's name and address in one string, and where each one starts.

        Row i's text is ``name + "\\t" + address``, followed by a newline; a search
        scans the one string at C speed and maps hits back to rows. A snapshot with
        an overlay appends its new rows' texts to its base's string.
        """
        if self._corpus is None:
            start, text, starts = 0, "", np.zeros(0, dtype=np.int64)
            if self.base is not self:
                text, starts = self.base.corpus()
                start = len(self.base.stations)
            texts = [f"{s.name}\t{s.address}\n" for s in self.stations[start:]]
            lengths = np.array([len(text)] + [len(t) for t in texts[:-1]], dtype=np.int64)
            offsets = np.cumsum(lengths) if texts else np.zeros(0, dtype=np.int64)
            self._corpus = (text + "".join(texts), np.concatenate((starts, offsets)))
        return self._corpus


class RowsById:
    """Row of each station id in a snapshot with an overlay: the overlay's, else the base's."""

    def __init__(self, base: dict[str, int], overlay: dict[str, int | None]) -> None:
        self._base = base
        self._overlay = overlay
        """The changed stations' rows (None: deleted)."""

    def get(self, station_id: str, default: int | None = None) -> int | None:
        """The station's row, or ``default`` when this snapshot does not hold it."""
        if station_id in self._overlay:
            row = self._overlay[station_id]
            return default if row is None else row
        return self._base.get(station_id, default)

    def __getitem__(self, station_id: str) -> int:
        row = self.get(station_id)
        if row is None:
            raise KeyError(station_id)
        return row

    def __contains__(self, station_id: object) -> bool:
        return isinstance(station_id, str) and self.get(station_id) is not None


def _columns(stations: list[Station], book: HoursBook) -> dict[str, np.ndarray]:
    """The numpy columns of ``stations``, their hours coded in ``book`` (which learns new texts)."""
    count = len(stations)
    lon = np.fromiter((s.lon for s in stations), float, count)
    lat = np.fromiter((s.lat for s in stations), float, count)
    hours = book.encode([s.opening_hours for s in stations])
    always = book.texts.index(ALWAYS_OPEN) if ALWAYS_OPEN in book.texts else -2
    return {
        "lon": lon,
        "lat": lat,
        "xyz": ecef(lon, lat).reshape(-1, 3),
        "mask": np.fromiter((amenity_mask(s.amenities) for s in stations), np.int64, count),
        "kind": np.fromiter((_KIND_CODES[s.kind] for s in stations), np.int8, count),
        "status": np.fromiter((_STATUS_CODES[s.status] for s in stations), np.int8, count),
        "hours": hours,
        "always_open": hours == always,
        "priority": np.fromiter((zlib.crc32(s.id.encode()) for s in stations), np.int64, count),
    }


def _grid_keys(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    gx = ((lon - GRID_ORIGIN[0]) / GRID_DEG).astype(np.int64)
    gy = ((lat - GRID_ORIGIN[1]) / GRID_DEG).astype(np.int64)
    return gy * GRID_COLUMNS + gx


def _copied_book(book: HoursBook) -> HoursBook:
    """A new book that codes every text as ``book`` does (and may learn more: ``book`` won't)."""
    copied = HoursBook()
    copied.encode(list(book.texts))
    return copied
