"""Places a rider may type: counties and cities (the reference layers), streets and
landmarks (the stations' own names and addresses), each resolved to a point to search around.

A name often means several places (朝阳 is a district of 北京 and of 长春, a county and a
city in 辽宁; 人民路 runs through most towns): :func:`place_named` takes the one nearest
to the point the search starts from, and the answer names it in full (北京市朝阳区,
上海市黄浦区南京东路) so the rider sees which one was meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..regions import County, RegionIndex
from .geodesy import geodesic_m
from .index import StationIndex

REGION_ENDINGS = ("自治县", "自治旗", "特区", "林区", "新区", "地区", "区", "县", "市", "旗", "盟")
"""Endings a county or city name may be typed without (玄武区 → 玄武)."""
PLACEHOLDER_CITIES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
STREET_ENDINGS = (
    "路", "街", "大街", "大道", "巷", "胡同", "弄", "广场", "公园", "大厦", "火车站", "高铁站",
    "汽车站", "地铁站", "桥", "村", "镇", "乡", "小区", "花园", "市场", "医院", "大学",
    "学校", "机场", "码头", "商场",
)  # fmt: skip
"""Endings of words that name a street or a landmark rather than a station or a host
(not 站 alone: 驿站, 服务站 and 换电站 name stations and services)."""
STREET_REACH_M = 50_000.0
"""How far from the rider (or the map's centre) a street or landmark may be taken to
lie: 人民路 and 火车站 are in every town, and one 900 km away is not the one meant. Past
it the word is looked for as text, nearest first, and the distances show how far."""


@dataclass(frozen=True)
class Place:
    """A place the search understood, with the point it searches around (WGS-84)."""

    name: str
    """As the rider may say it: 朝阳区, 南京东路."""
    full_name: str
    """With the names above it, to show which one was meant: 北京市朝阳区, 上海市黄浦区南京东路."""
    kind: str
    """``county``, ``city`` or ``street`` (a street or landmark found in station addresses)."""
    lon: float
    lat: float
    adcode: str | None
    """The county's or city's code; for a street, the county it runs through."""


def place_named(
    word: str, index: StationIndex, regions: RegionIndex, near: tuple[float, float] | None
) -> Place | None:
    """The place ``word`` names that is nearest to ``near`` (the first found without it)."""
    regions_named = region_places(regions, word)
    if regions_named or not is_street_word(word):
        return nearest_place(regions_named, near)
    street = nearest_place(street_places(index, word), near)
    if street is None or near is None or _apart_m(near, street) <= STREET_REACH_M:
        return street
    return None


def _apart_m(near: tuple[float, float], place: Place) -> float:
    return float(geodesic_m(near[0], near[1], np.array([place.lon]), np.array([place.lat]))[0])


def nearest_place(candidates: list[Place], near: tuple[float, float] | None) -> Place | None:
    """The candidate nearest to ``near``; without a point, the first."""
    if not candidates or near is None:
        return candidates[0] if candidates else None
    lons = np.array([p.lon for p in candidates])
    lats = np.array([p.lat for p in candidates])
    return candidates[int(np.argmin(geodesic_m(near[0], near[1], lons, lats)))]


def is_region_name(regions: RegionIndex, word: str) -> bool:
    """Whether ``word`` is the name of a county or city (玄武区, 玄武, 南京, 北京朝阳)."""
    return word in _region_table(regions)


def is_street_word(word: str) -> bool:
    """Whether ``word`` ends like a street or landmark (南京东路, 火车站) and has a name before."""
    return any(word.endswith(e) and len(word) > len(e) for e in STREET_ENDINGS)


def region_places(regions: RegionIndex, word: str) -> list[Place]:
    """The counties and cities named ``word``, counties first, in code order."""
    return [_region_place(regions, r) for r in _region_table(regions).get(word, ())]


def street_places(index: StationIndex, word: str) -> list[Place]:
    """One place per county whose stations' names or addresses contain ``word``: the
    middle of those stations (the median of their coordinates), largest group first."""
    rows = rows_containing(index, word)
    if not len(rows):
        return []
    adcodes = np.array([index.stations[r].adcode for r in rows], dtype=object)
    order = np.argsort(adcodes, kind="stable")
    codes, starts = np.unique(adcodes[order], return_index=True)
    groups = np.split(rows[order], starts[1:])
    places = [_street_place(index, word, group) for group in groups]
    sizes = [-len(group) for group in groups]
    return [places[i] for i in np.lexsort((codes, np.array(sizes)))]


def _street_place(index: StationIndex, word: str, group: np.ndarray) -> Place:
    """The street ``word`` where it runs past the stations of ``group`` (one county)."""
    first = index.stations[group[0]]
    return Place(
        word,
        _county_full_name(first.province, first.city, first.county) + word,
        "street",
        float(np.median(index.lon[group])),
        float(np.median(index.lat[group])),
        first.adcode,
    )


def rows_containing(index: StationIndex, word: str) -> np.ndarray:
    """Rows whose name or address contains ``word``, in row order (hits come in order, so
    a row's repeated hits are neighbours: dropped by one comparison, not ``np.unique``)."""
    corpus, starts = index.corpus()
    hits = np.fromiter((m.start() for m in re.finditer(re.escape(word), corpus)), np.int64)
    rows = np.searchsorted(starts, hits, side="right") - 1
    return rows[np.concatenate(([True], rows[1:] != rows[:-1]))] if len(rows) else rows


def short_region_name(name: str) -> str:
    """A county or city name without its ending: 玄武区 → 玄武, 北京市 → 北京."""
    for ending in REGION_ENDINGS:
        if name.endswith(ending) and len(name) - len(ending) >= 2:
            return name[: -len(ending)]
    return name


@dataclass(frozen=True)
class _Region:
    """A county or city as the name table holds it; its point is found when asked for."""

    name: str
    full_name: str
    kind: str
    adcode: str
    inside: str
    """The county whose centre is the region's point (for a city, its first county)."""


def _region_place(regions: RegionIndex, region: _Region) -> Place:
    lon, lat = regions.centre(region.inside)
    return Place(region.name, region.full_name, region.kind, lon, lat, region.adcode)


@lru_cache(maxsize=4)
def _region_table(regions: RegionIndex) -> dict[str, tuple[_Region, ...]]:
    """Every way of naming a county or city, and the regions so named (built once)."""
    counties = [c for c in (regions.county(a) for a in sorted(regions.adcodes())) if c]
    table: dict[str, list[_Region]] = {}
    for county in counties:
        full = _county_full_name(county.province, county.city, county.name)
        region = _Region(county.name, full, "county", county.adcode, county.adcode)
        for name in _county_names(county):
            table.setdefault(name, []).append(region)
    for region in _cities(counties):
        for name in {region.name, short_region_name(region.name)}:
            table.setdefault(name, []).append(region)
    return {name: tuple(dict.fromkeys(found)) for name, found in table.items()}


def _county_names(county: County) -> set[str]:
    """玄武区, 玄武, and with the city before it: 南京玄武, 南京市玄武区 ..."""
    own = {county.name, short_region_name(county.name)}
    if county.city in PLACEHOLDER_CITIES:
        return own
    cities = {county.city, short_region_name(county.city)}
    return own | {city + name for city in cities for name in own}


def _cities(counties: list[County]) -> list[_Region]:
    """Each city; its point is inside its first county (by code), which is nearly
    always its central district (南京 → 玄武区, 朝阳市 → 双塔区)."""
    first: dict[str, County] = {}
    for county in counties:
        if county.city not in PLACEHOLDER_CITIES:
            first.setdefault(county.city_adcode, county)
    return [
        _Region(
            c.city,
            c.city if c.city == c.province else c.province + c.city,
            "city",
            c.city_adcode,
            c.adcode,
        )
        for c in first.values()
    ]


def _county_full_name(province: str, city: str, county: str) -> str:
    """北京市朝阳区, 南京市玄武区: the city (the province where the city is a placeholder)."""
    above = province if not city or city in PLACEHOLDER_CITIES else city
    return above + county if county != above else county
