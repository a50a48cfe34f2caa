"""Typed search as a rider means it: services as filters, a place as a point, the rest as text.

``卫生间`` asks for stations with a toilet, ``银行`` for banks, ``南京东路`` and ``玄武区`` for
stations near there, and any other word for stations whose name or address contains it.
Words run together are split where a known place starts or a known service ends
(``朝阳银行`` → 朝阳 + 银行). The answer is ranked by distance from the place when one was
named, else from the point the search was asked from (the rider, or the map's centre),
and says what it understood, so the page can say what the list is relative to.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from ..errors import BadRequest
from ..regions import RegionIndex
from ..types import FoundStation
from ..vocabulary import AMENITIES, KINDS, amenity_mask
from ..vocabulary_words import amenity_phrases, search_kind_words
from .filters import StationFilter
from .geodesy import geodesic_m
from .index import StationIndex
from .places import Place, is_region_name, is_street_word, place_named, rows_containing
from .queries import find_nearest, found_results, search_text

STOP_WORDS = frozenset(
    {"附近", "周边", "旁边", "哪里", "哪儿", "哪里有", "哪有", "最近", "最近的", "我要找",
     "找", "的", "有", "驿站", "工会驿站", "在哪", "在哪里"}
)  # fmt: skip
"""Words that say nothing about which stations (``南京东路 附近 驿站``)."""
TRAILING_WORDS = ("附近的", "附近", "周边", "旁边", "在哪里", "在哪")
"""Endings that say "near": 南京东路附近 is 南京东路."""
LEADING_WORDS = ("附近的", "附近", "最近的", "哪里有", "哪有", "我要找", "找")
"""Beginnings that say "near" or "find": 附近的厕所 is 厕所."""
_SEPARATORS = re.compile(r"[\s,，、;；/|]+")


@dataclass
class Understood:
    """What a typed search was read as."""

    amenities: list[str] = field(default_factory=list)
    """Amenity keys the stations must all have (卫生间 → toilet)."""
    kinds: list[str] = field(default_factory=list)
    """Host kinds, any of (银行 → bank)."""
    place: Place | None = None
    """The place to search around (玄武区, 南京东路), or None."""
    text: list[str] = field(default_factory=list)
    """Words a station's name or address must all contain."""


@dataclass(frozen=True)
class SearchAnswer:
    """The stations found, what the search understood and what the order is relative to."""

    found: list[FoundStation]
    understood: Understood
    relative_to: str | None
    """``place`` (nearest the place first), ``point`` (nearest the asked point first) or
    None (no point: best name matches first)."""


def search_stations(
    index: StationIndex,
    regions: RegionIndex,
    text: str,
    station_filter: StationFilter | None = None,
    near: tuple[float, float] | None = None,
    limit: int = 20,
    at: datetime | None = None,
) -> SearchAnswer:
    """Stations for a typed search, nearest the named place or ``near`` first.

    When the words read as services, kinds or a place find nothing, they are looked
    for as plain text instead (a shop named 朝阳银行驿站 is still found by 朝阳 银行).
    """
    answer = _search_understood(
        index, interpret(text, index, regions, near), text, station_filter, near, limit, at
    )
    words = search_words(text)
    if answer.found or answer.understood.text == words or not words:
        return answer
    as_text = Understood(text=words)
    plain = _search_understood(index, as_text, text, station_filter, near, limit, at)
    return plain if plain.found else answer


def _search_understood(
    index: StationIndex,
    understood: Understood,
    text: str,
    station_filter: StationFilter | None,
    near: tuple[float, float] | None,
    limit: int,
    at: datetime | None,
) -> SearchAnswer:
    """The stations for what a search was read as."""
    typed = with_typed_filter(station_filter or StationFilter(), understood)
    place = understood.place
    origin = (place.lon, place.lat) if place else near
    relative_to = "place" if place else ("point" if near else None)
    if typed is None:
        return SearchAnswer([], understood, relative_to)
    if place is not None and place.kind != "street":
        found = stations_in_area(index, place, typed, understood.text, limit, at)
    elif understood.text:
        found = search_text(index, " ".join(understood.text), typed, origin, limit, at)
    elif origin is not None:
        found = find_nearest(index, origin[0], origin[1], limit, typed, at=at)
    else:
        raise _needs_a_point(text, understood)
    return SearchAnswer(found, understood, relative_to)


def stations_in_area(
    index: StationIndex,
    place: Place,
    station_filter: StationFilter,
    words: list[str],
    limit: int,
    at: datetime | None = None,
) -> list[FoundStation]:
    """The stations of a county or city that pass the filter and contain every word,
    nearest the place's point first (玄武区 热水: 玄武区's stations with hot water)."""
    rows = area_rows(index, place)
    rows = rows[index.passing(station_filter, rows)]
    for word in words:
        rows = np.intersect1d(rows, rows_containing(index, word), assume_unique=True)
    distances = geodesic_m(place.lon, place.lat, index.lon[rows], index.lat[rows])
    order = np.lexsort((rows, distances))[:limit]
    moment = at or station_filter.open_at
    return found_results(index, rows[order], distances[order].tolist(), moment)


def area_rows(index: StationIndex, place: Place) -> np.ndarray:
    """Rows of the stations in the place's county, or in any county of its city."""
    none = np.zeros(0, dtype=np.int64)
    if place.kind == "county":
        return index.rows_by_adcode.get(place.adcode, none)
    prefix = (place.adcode or "")[:4]
    groups = [rows for code, rows in index.rows_by_adcode.items() if code.startswith(prefix)]
    return np.sort(np.concatenate(groups)) if groups else none


def interpret(
    text: str, index: StationIndex, regions: RegionIndex, near: tuple[float, float] | None
) -> Understood:
    """Read each word as a service, a kind, a place or text to look for (in that order)."""
    understood = Understood()
    for word in search_words(text):
        _read_word(word, understood, index, regions, near, split=True)
    understood.amenities = [k for k in AMENITIES if k in understood.amenities]
    understood.kinds = [k for k in KINDS if k in understood.kinds]
    return understood


def search_words(text: str) -> list[str]:
    """The words of ``text`` without the ones that say nothing (附近, 驿站, 哪里有); all of
    them when nothing else is left (驿站 alone is looked for as it is)."""
    typed = [w for w in _SEPARATORS.split(text.strip().lower()) if w]
    words = []
    for word in typed:
        for ending in TRAILING_WORDS:
            if word.endswith(ending) and len(word) > len(ending):
                word = word[: -len(ending)]
                break
        for start in LEADING_WORDS:
            if word.startswith(start) and len(word) > len(start):
                word = word[len(start) :]
                break
        if word and word not in STOP_WORDS:
            words.append(word)
    return words or typed


def with_typed_filter(
    station_filter: StationFilter, understood: Understood
) -> StationFilter | None:
    """The filter narrowed by the typed services and kinds; None when nothing can pass
    (the rider's kind chips and the typed kinds have none in common)."""
    static = station_filter.static
    kinds = static.kinds
    if understood.kinds:
        kinds = frozenset(understood.kinds) & kinds if kinds else frozenset(understood.kinds)
        if not kinds:
            return None
    mask = static.amenity_mask | amenity_mask(understood.amenities)
    static = dataclasses.replace(static, amenity_mask=mask, kinds=kinds)
    return dataclasses.replace(station_filter, static=static)


def amenity_keys(word: str) -> tuple[str, ...]:
    """The amenities ``word`` names when it is made of service phrases only (热水卫生间 →
    hot_water, toilet); empty when any part of it is not a service."""
    phrases, position = amenity_phrases(), 0
    keys: list[str] = []
    while position < len(word):
        for end in range(len(word), position, -1):
            if word[position:end] in phrases:
                keys.extend(phrases[word[position:end]])
                position = end
                break
        else:
            return ()
    return tuple(keys)


def _read_word(
    word: str,
    understood: Understood,
    index: StationIndex,
    regions: RegionIndex,
    near: tuple[float, float] | None,
    split: bool,
) -> None:
    """Add ``word`` to what is understood: a service, a kind, a place, two words, or text."""
    keys = amenity_keys(word)
    if keys:
        understood.amenities.extend(keys)
        return
    kind = search_kind_words().get(word)
    if kind:
        understood.kinds.append(kind)
        return
    if understood.place is None:
        understood.place = place_named(word, index, regions, near)
        if understood.place is not None:
            return
    pieces = _split_word(word, regions) if split else None
    if pieces:
        for piece in pieces:
            _read_word(piece, understood, index, regions, near, split=False)
        return
    understood.text.append(word)


def _split_word(word: str, regions: RegionIndex) -> tuple[str, str] | None:
    """Two words run together: a service or kind at the end (南京东路卫生间, 朝阳银行), or a
    county or city at the start (玄武区热水); None when neither is found."""
    kinds = search_kind_words()
    for cut in range(1, len(word) - 1):
        head, tail = word[:cut], word[cut:]
        if len(head) >= 2 and (amenity_keys(tail) or tail in kinds):
            return head, tail
    if is_street_word(word):
        return None
    for cut in range(len(word) - 1, 1, -1):
        if is_region_name(regions, word[:cut]):
            return word[:cut], word[cut:]
    return None


def _needs_a_point(text: str, understood: Understood) -> BadRequest:
    asked = [AMENITIES[k] for k in understood.amenities] + [KINDS[k] for k in understood.kinds]
    return BadRequest(
        f"q: got {text!r}, which names only what to look for ({', '.join(asked) or 'nothing'}); "
        "expected lon and lat, or a place in q (e.g. 玄武区 卫生间), to say near where",
        code="invalid_parameter",
        parameter="q",
    )
