"""The union a 6-digit adcode names, created (audited) the first time a user needs it."""

from __future__ import annotations

from sqlalchemy import Connection

from ..errors import BadRequest
from ..regions import RegionIndex
from ..store import unions
from ..store.audit import Actor
from ..types import Union
from .principals import NATIONAL_ADCODE, jurisdiction_of

NATIONAL_UNION_NAME = "中华全国总工会"


def union_for_adcode(
    conn: Connection, regions: RegionIndex, adcode: str, actor: Actor
) -> tuple[int, Union]:
    """The union named by ``adcode`` (``320102``, ``320100``, ``320000``, ``100000``) with
    its table key, created on ``conn`` if missing.

    Raises :class:`BadRequest` for a code that is no 6-digit adcode, or names no
    province, city or county of the reference regions.
    """
    jurisdiction = jurisdiction_of(adcode.strip())
    union = unions.of_jurisdiction(conn, jurisdiction)
    if union is None:
        name = union_name(regions, adcode.strip())
        [union] = unions.add(conn, [{"name": name, "jurisdiction": jurisdiction}], actor)
    [pk] = unions.primary_keys(conn, [union.id])
    assert pk is not None, "the union is stored (found, or added just above)"
    return pk, union


def union_name(regions: RegionIndex, adcode: str) -> str:
    """What the union of ``adcode`` is called: 中华全国总工会, 江苏省总工会, 南京市总工会,
    玄武区总工会. :class:`BadRequest` when the reference regions do not know the code."""
    if adcode == NATIONAL_ADCODE:
        return NATIONAL_UNION_NAME
    if regions.county(adcode) is not None:
        return unions.county_union_name(regions, adcode)
    place = _province_or_city_name(regions, adcode)
    if place is None:
        raise BadRequest(
            f"union: got {adcode!r}, which names no province, city or county in the "
            "reference regions; look the code up with `stationmap counties NAME`",
            code="bad_union",
        )
    return f"{place}总工会"


def _province_or_city_name(regions: RegionIndex, adcode: str) -> str | None:
    for code in regions.adcodes():
        county = regions.county(code)
        if county is not None and county.province_adcode == adcode:
            return county.province
        if county is not None and county.city_adcode == adcode:
            return county.city
    return None
