"""Deciding which rows are the same station: within the file, and against the store.

Two records are the same station when they share the source's own key (within
one union), or have the same normalised name within 50 m, or lie within 10 m with
similar names. Distances are metres between Earth-centred positions (the chord,
equal to the geodesic to well under a millimetre at these ranges).
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np
from scipy.spatial import cKDTree

from ..finder.geodesy import ecef
from ..types import Station

SAME_NAME_M = 50.0
SIMILAR_NAME_M = 10.0
SIMILARITY = 0.6
_GENERIC = re.compile(r"(工会|爱心|暖心|户外劳动者|劳动者|职工)?(驿站|服务站|服务点|休息点|站点)$")
_NOISE = re.compile(r"[\s\W_]+")


@lru_cache(maxsize=1 << 18)
def name_key(name: str) -> str:
    """A name reduced for comparison: width, case, punctuation and generic suffixes removed."""
    folded = unicodedata.normalize("NFKC", name).lower()
    folded = _NOISE.sub("", folded)
    return _GENERIC.sub("", folded) or folded


def similar_names(a: str, b: str) -> bool:
    """Whether two names plausibly name the same station."""
    ka, kb = name_key(a), name_key(b)
    if ka == kb or (ka and kb and (ka in kb or kb in ka)):
        return True
    return SequenceMatcher(None, ka, kb).ratio() >= SIMILARITY


def same_station(a_name: str, b_name: str, metres: float) -> bool:
    """The name-and-distance rule (source keys are checked separately)."""
    if metres <= SAME_NAME_M and name_key(a_name) == name_key(b_name):
        return True
    return metres <= SIMILAR_NAME_M and similar_names(a_name, b_name)


def duplicates_within(
    names: list[str], lon: np.ndarray, lat: np.ndarray, keys: list[str | None]
) -> dict[int, int]:
    """For each later row that repeats an earlier one, the position of the first."""
    first_of: dict[int, int] = {}
    by_key: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key:
            if key in by_key:
                first_of[i] = by_key[key]
            else:
                by_key[key] = i
    xyz = ecef(lon, lat)
    for i, j in sorted(cKDTree(xyz).query_pairs(SAME_NAME_M)):
        if j in first_of or i in first_of:
            continue
        metres = float(np.linalg.norm(xyz[i] - xyz[j]))
        if same_station(names[i], names[j], metres):
            first_of[j] = i
    return first_of


class StoredStations:
    """The stations already in the store, indexed for matching an import against them."""

    def __init__(self, stations: list[Station]) -> None:
        self.stations = stations
        self._by_key = {
            (s.union_id, s.source_key): i for i, s in enumerate(stations) if s.source_key
        }
        self._xyz = ecef(np.array([s.lon for s in stations]), np.array([s.lat for s in stations]))
        self._tree = cKDTree(self._xyz.reshape(-1, 3))

    def match(
        self,
        names: list[str],
        lon: np.ndarray,
        lat: np.ndarray,
        keys: list[str | None],
        unions: list[str | None],
    ) -> list[Station | None]:
        """The stored station each row is, or None for a new one."""
        found: list[Station | None] = [None] * len(names)
        xyz = ecef(lon, lat)
        nearby = self._tree.query_ball_point(xyz, SAME_NAME_M) if len(self.stations) else []
        for i, name in enumerate(names):
            key = keys[i]
            by_key = self._by_key.get((unions[i], key)) if key else None
            if by_key is not None:
                found[i] = self.stations[by_key]
            elif len(self.stations):
                found[i] = self._by_place(name, xyz[i], nearby[i])
        return found

    def _by_place(self, name: str, point: np.ndarray, candidates: list[int]) -> Station | None:
        best, best_m = None, float("inf")
        for c in candidates:
            metres = float(np.linalg.norm(self._xyz[c] - point))
            if metres < best_m and same_station(name, self.stations[c].name, metres):
                best, best_m = self.stations[c], metres
        return best
