"""Longitude and latitude as clerks type them: decimal, degrees-minutes-seconds, in any order.

A value may carry a hemisphere (``E116.40``, ``116.40E``, ``东经116.40``, ``北纬39.90``),
a degree sign (``116.40°``, ``116.40度``), minutes (``116°23.927'``) and seconds
(``116°23'55.6"``, ``116度23分55.6秒``, ``30°38′25.2″``). West and south make it negative.

Which number is the longitude is decided by China's ranges, which do not overlap:
longitudes 73 to 136, latitudes 3 to 54. That recognises Tencent's ``lat,lng`` strings
and columns a clerk swapped; the caller is told, so the clerk can be warned.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import NamedTuple

from ..cells import CellProblem, CellValue, cell_text

CHINA_LONGITUDES = (73.0, 136.0)
CHINA_LATITUDES = (3.0, 54.0)

_NUMBER = r"\d+(?:\.\d+)?"
_PLAIN_DECIMAL = re.compile(r"\s*[+-]?\d{1,3}(?:\.\d+)?\s*")
_PLAIN_PAIR = re.compile(
    r"\s*([+-]?\d{1,3}(?:\.\d+)?)\s*(?:[,，;；/]\s*|\s)\s*([+-]?\d{1,3}(?:\.\d+)?)\s*"
)
_HEMISPHERES = {
    "E": 1, "东经": 1, "W": -1, "西经": -1,
    "N": 1, "北纬": 1, "S": -1, "南纬": -1,
}  # fmt: skip
_LATITUDE_HEMISPHERES = frozenset({"N", "S", "北纬", "南纬"})
_HEMISPHERE = r"东经|西经|北纬|南纬|[EWNSewns]"
_COORDINATE = (
    rf"(?P<before>{_HEMISPHERE})?\s*:?\s*(?P<sign>[+-])?\s*(?P<deg>{_NUMBER})\s*(?P<mark>°|度)?"
    rf"(?:\s*(?P<min>{_NUMBER})\s*(?:'|′|’|分)"
    rf"(?:\s*(?P<sec>{_NUMBER})\s*(?:\"|″|′′|''|’’|”|秒)?)?)?"
    rf"\s*(?P<after>{_HEMISPHERE})?"
)
_ONE = re.compile(_COORDINATE)
_TWO = re.compile(
    rf"(?P<a>{_COORDINATE.replace('?P<', '?P<a_')})(?:\s*[,;/]\s*|\s+)"
    rf"(?P<b>{_COORDINATE.replace('?P<', '?P<b_')})"
)


class LonLat(NamedTuple):
    """A point put in order: longitude, latitude, and whether the source had them reversed."""

    lon: float
    lat: float
    swapped: bool


@lru_cache(maxsize=1 << 16)
def _parse_text(text: str) -> float | CellProblem:
    """Signed decimal degrees for one coordinate's normalised text."""
    match = _ONE.fullmatch(text)
    if match is None:
        return _bad_coordinate(text)
    value = _value_of(match.groupdict(), text)
    return value if isinstance(value, CellProblem) else value[0]


def parse_coordinate(cell: CellValue) -> float | CellProblem:
    """One longitude or latitude in decimal degrees, from any of the notations above.

    Numbers (as Excel stores them) are taken as decimal degrees. Empty cells give
    ``missing_coordinate``; anything else that is not a coordinate ``bad_coordinate``.
    """
    if isinstance(cell, int | float):
        return float(cell) if math.isfinite(cell) else _bad_coordinate(str(cell))
    if cell and _PLAIN_DECIMAL.fullmatch(cell) and abs(value := float(cell)) <= 180:
        return value
    text = cell_text(cell)
    if not text:
        return _missing_coordinate()
    return _parse_text(text)


def parse_point(cell: str) -> LonLat | CellProblem:
    """A point from one cell holding both numbers: ``"116.40,39.90"``, ``"39.90 116.40"``, ...

    The two may be separated by a comma (full-width too), semicolon, slash or spaces and
    come in either order. Hemisphere labels (``N39.9,E116.4``) say which is which; without
    them :func:`order_lon_lat` decides by China's ranges.
    """
    plain = _PLAIN_PAIR.fullmatch(cell)
    if plain:
        return order_lon_lat(float(plain[1]), float(plain[2]))
    return _parse_point_text(cell_text(cell).rstrip(",;/ "))


@lru_cache(maxsize=1 << 16)
def _parse_point_text(text: str) -> LonLat | CellProblem:
    if not text:
        return _missing_coordinate()
    match = _TWO.fullmatch(text)
    if match is None:
        return _bad_point(text)
    values = []
    for side in ("a", "b"):
        groups = {k[2:]: v for k, v in match.groupdict().items() if k.startswith(side + "_")}
        value = _value_of(groups, match.group(side))
        if isinstance(value, CellProblem):
            return value
        values.append(value)
    (a, a_is_latitude), (b, b_is_latitude) = values
    if a_is_latitude and not b_is_latitude:
        ordered = order_lon_lat(b, a)
        return ordered if isinstance(ordered, CellProblem) else ordered._replace(swapped=False)
    return order_lon_lat(a, b)


def order_lon_lat(a: float, b: float) -> LonLat | CellProblem:
    """``(lon, lat, swapped)`` from two numbers in unknown order, by China's ranges.

    ``a`` is taken as the longitude when it lies in 73..136 and ``b`` in 3..54; the reverse
    (Tencent's ``lat,lng``, or swapped columns) gives ``swapped=True``. When neither order
    fits, the point is not in China (or is not a point): ``outside_china_range``.
    """
    if _in_china(a, b):
        return LonLat(a, b, False)
    if _in_china(b, a):
        return LonLat(b, a, True)
    return CellProblem(
        "outside_china_range",
        f"坐标（{a:g}，{b:g}）不在中国范围内：经度应在73到136之间，纬度应在3到54之间",
        f"({a:g}, {b:g}) is not in China: expected a longitude in 73..136 and a latitude in 3..54",
    )


def _in_china(lon: float, lat: float) -> bool:
    return (CHINA_LONGITUDES[0] <= lon <= CHINA_LONGITUDES[1]) and (
        CHINA_LATITUDES[0] <= lat <= CHINA_LATITUDES[1]
    )


def _value_of(groups: dict[str, str | None], text: str) -> tuple[float, bool] | CellProblem:
    """Signed decimal degrees from one matched coordinate, and whether it is labelled N/S."""
    degrees, minutes, seconds = (_number(groups[k]) for k in ("deg", "min", "sec"))
    if degrees is None:  # never: the pattern requires degrees, and seconds only after minutes
        return _bad_coordinate(text)
    before, after, sign = groups["before"], groups["after"], groups["sign"]
    if (
        (before and after)
        or (sign and (before or after))
        or (minutes is not None and (groups["mark"] is None or not degrees.is_integer()))
        or (seconds is not None and minutes is not None and not minutes.is_integer())
        or (minutes or 0) >= 60
        or (seconds or 0) >= 60
    ):
        return _bad_coordinate(text)
    hemisphere = (before or after or "").upper()
    value = degrees + (minutes or 0) / 60 + (seconds or 0) / 3600
    value *= -1 if sign == "-" else _HEMISPHERES.get(hemisphere, 1)
    is_latitude = hemisphere in _LATITUDE_HEMISPHERES
    if abs(value) > (90 if is_latitude else 180):
        return _bad_coordinate(text)
    return value, is_latitude


def _number(text: str | None) -> float | None:
    return None if text is None else float(text)


def _missing_coordinate() -> CellProblem:
    return CellProblem(
        "missing_coordinate",
        "坐标为空：请填写经度和纬度，例如 116.397,39.909",
        "no coordinates: expected a longitude and a latitude, e.g. 116.397,39.909",
    )


def _bad_coordinate(text: str) -> CellProblem:
    return CellProblem(
        "bad_coordinate",
        f"无法识别的坐标“{text}”：应为十进制度数（如 116.397）或度分秒（如 116°23'49\"）",
        f"cannot read coordinate {text!r}: expected decimal degrees (e.g. 116.397) "
        "or degrees-minutes-seconds (e.g. 116°23'49\")",
    )


def _bad_point(text: str) -> CellProblem:
    return CellProblem(
        "bad_coordinate",
        f"无法识别的坐标“{text}”：应为“经度,纬度”两个数，例如 116.397,39.909",
        f"cannot read point {text!r}: expected two numbers 'longitude,latitude', "
        "e.g. 116.397,39.909",
    )
