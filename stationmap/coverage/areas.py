"""The areas coverage is reported for: the nation, provinces, cities and counties.

Every county-level adcode holds its city in its first four digits and its province in
its first two (``data/README.md``), so an area is an adcode prefix: "" for the nation,
two digits for a province, four for a city, six for a county. The population surface
keeps cells in adcode order, so each area's cells are one slice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from ..errors import BadRequest
from ..regions import load_regions

LEVELS = ("province", "city", "county")
PREFIX_LENGTH = {"nation": 0, "province": 2, "city": 4, "county": 6}
NATION = "000000"


@dataclass(frozen=True)
class Area:
    """One area: its 6-digit adcode (``000000`` for the nation), level, name and prefix."""

    adcode: str
    level: str
    name: str
    prefix: str
    parent: str | None
    """The adcode of the area holding it (None for the nation)."""


@cache
def all_areas() -> dict[str, Area]:
    """Every area by adcode: the nation, 31 provinces, their cities and 2,852 counties."""
    regions = load_regions()
    areas = {NATION: Area(NATION, "nation", "全国", "", None)}
    for adcode in sorted(regions.adcodes()):
        county = regions.county(adcode)
        assert county is not None
        province = adcode[:2] + "0000"
        city = adcode[:4] + "00"
        areas.setdefault(province, Area(province, "province", county.province, adcode[:2], NATION))
        areas.setdefault(city, Area(city, "city", county.city, adcode[:4], province))
        areas[adcode] = Area(adcode, "county", county.name, adcode, city)
    return areas


def find_area(adcode: str, parameter: str = "adcode") -> Area:
    """The area with this adcode (full-width digits, as a Chinese keyboard types them,
    read as digits); a 400 naming ``parameter`` for a malformed or unknown code.

    A county whose code ends in ``00`` (none in the layer does) would be shadowed by its
    city: the layer's city codes are always the county code's first four digits + 00.
    """
    typed = adcode
    adcode = unicodedata.normalize("NFKC", adcode or "").strip()
    if not re.fullmatch(r"[0-9]{6}", adcode):
        raise BadRequest(
            f"{parameter}: got {typed!r}, expected a 6-digit adcode such as 320102 "
            f"(county), 320100 (city), 320000 (province) or {NATION} (the nation)",
            code="invalid_parameter",
            parameter=parameter,
        )
    area = all_areas().get(adcode)
    if area is None:
        raise BadRequest(
            f"{parameter}: no province, city or county has the adcode {adcode}",
            code="unknown_area",
            parameter=parameter,
        )
    return area


def areas_at(level: str, within: Area) -> list[Area]:
    """The areas of ``level`` inside ``within`` (itself when it is of that level), in
    adcode order; a 400 when ``within`` is finer than ``level``."""
    if level not in LEVELS:
        raise BadRequest(
            f"level: got {level!r}, expected one of {', '.join(LEVELS)}",
            code="invalid_parameter",
            parameter="level",
        )
    if PREFIX_LENGTH[within.level] > PREFIX_LENGTH[level]:
        raise BadRequest(
            f"level: {within.adcode} is a {within.level}, which holds no {level}; "
            f"ask for level={within.level} or finer areas of a larger area",
            code="invalid_parameter",
            parameter="level",
        )
    if within.level == level:
        return [within]
    return [
        area
        for area in all_areas().values()
        if area.level == level and area.prefix.startswith(within.prefix)
    ]
