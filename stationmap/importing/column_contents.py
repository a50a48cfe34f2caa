"""Recognising a column by what its cells hold, when its header names no field we know.

Lists put their location under 经纬度, GPS坐标, 地理坐标, 位置信息 and many more, and their
services under short keys (``fw``, ``项目``) or as JSON lists. A column the synonym table
does not know is read by content: it is the field whose parser accepts most of its filled
cells, tried in the order of :data:`DETECTORS` (coordinates first: they are the least
ambiguous). A field a named column already holds is not taken again: such a column is
reported as unused, with what it looks like, never dropped silently.

Each decision says how it was made (``28 of 30 cells read as coordinate pairs``), for the
import report. Only the first :data:`SAMPLE_ROWS` rows are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..cells import CellProblem
from ..hours_text import parse_hours
from .coordinate_text import CHINA_LATITUDES, CHINA_LONGITUDES, parse_coordinate, parse_point
from .phone_text import parse_phones
from .readers import Sheet
from .vocabulary_text import parse_amenities

SAMPLE_ROWS = 200
"""Rows read to decide what a column holds."""
MIN_SHARE = 0.8
"""The share of a column's filled cells that must read as the field."""

_NAME_WORDS = re.compile(r"驿站|服务站|服务点|休息点|爱心|暖心|之家")
_DECIMAL = re.compile(r"\d\.\d{3,}|°|度")


def _is_point(cell: str) -> bool:
    return not isinstance(parse_point(cell), CellProblem)


def _is_coordinate(cell: str, low: float, high: float) -> bool:
    value = parse_coordinate(cell)
    return (
        not isinstance(value, CellProblem)
        and low <= value <= high
        and _DECIMAL.search(cell) is not None
    )


def _is_longitude(cell: str) -> bool:
    return _is_coordinate(cell, *CHINA_LONGITUDES)


def _is_latitude(cell: str) -> bool:
    return _is_coordinate(cell, *CHINA_LATITUDES)


def _is_services(cell: str) -> bool:
    result = parse_amenities(cell)
    unknown = sum(map(len, result.unknown_words))
    return bool(result.keys) and unknown * 2 <= len(cell)


def _is_hours(cell: str) -> bool:
    result = parse_hours(cell)
    return result.osm is not None and result.problem is None


def _is_phone(cell: str) -> bool:
    result = parse_phones(cell)
    return bool(result.phones) and all(
        len(p.replace("-", "")) >= 10 or "*" in p for p in result.phones
    )


def _is_name(cell: str) -> bool:
    return _NAME_WORDS.search(cell) is not None


DETECTORS: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("point", _is_point, "coordinate pairs (lon,lat or lat,lng)"),
    ("lon", _is_longitude, "longitudes in China"),
    ("lat", _is_latitude, "latitudes in China"),
    ("amenities", _is_services, "services"),
    ("hours", _is_hours, "opening hours"),
    ("phone", _is_phone, "phone numbers"),
    ("name", _is_name, "station names"),
)
"""(field, does a cell read as it, what it is in words), most distinctive first."""


@dataclass
class Found:
    """What the unknown columns turned out to hold."""

    chosen: list[tuple[int, str, str]] = field(default_factory=list)
    """(column index, field, how) of columns now read as a field."""
    unused: list[tuple[str, str, str]] = field(default_factory=list)
    """(header, field, how) of columns that look like a field another column holds."""
    left: list[int] = field(default_factory=list)
    """Indexes of columns whose content is not recognised either."""


def recognise_columns(
    header: Sequence[str], rows: Sequence[Sequence[str]], candidates: list[int], taken: set[str]
) -> Found:
    """Decide each candidate column (by index) from its cells; ``taken`` fields are held."""
    found = Found()
    sample = rows[:SAMPLE_ROWS]
    guesses = [(index, _best_field(_cells(sample, index))) for index in candidates]
    held = set(taken)
    coordinates_held = "point" in held or {"lon", "lat"} <= held
    pair = _lon_lat_pair(guesses, held) if not coordinates_held else ()
    for index, guess in guesses:
        if guess is None:
            found.left.append(index)
            continue
        field_name, how = guess
        if _held(field_name, index, held, coordinates_held, pair):
            found.unused.append((header[index], field_name, how))
        else:
            held.add(field_name)
            coordinates_held = coordinates_held or field_name == "point"
            found.chosen.append((index, field_name, how))
    return found


def _held(
    field_name: str, index: int, held: set[str], coordinates_held: bool, pair: tuple[int, ...]
) -> bool:
    """Whether the field a column looks like is already read from elsewhere (a longitude or
    latitude column counts only as one of the pair chosen)."""
    if field_name in ("lon", "lat"):
        return index not in pair
    return field_name in held or (field_name == "point" and coordinates_held)


def _lon_lat_pair(
    guesses: list[tuple[int, tuple[str, str] | None]], held: set[str]
) -> tuple[int, ...]:
    """The columns to read as longitude and latitude: the first of each that a named column
    does not hold already, when together with the named ones they make a pair; else none."""
    found = {
        name: next((i for i, g in guesses if g and g[0] == name), None) for name in ("lon", "lat")
    }
    if any(index is None and name not in held for name, index in found.items()):
        return ()
    return tuple(i for name, i in found.items() if i is not None and name not in held)


def _cells(rows: Sequence[Sequence[str]], index: int) -> list[str]:
    return [row[index].strip() for row in rows if index < len(row) and row[index].strip()]


def _best_field(cells: list[str]) -> tuple[str, str] | None:
    """The first detector most of the filled cells satisfy, with the figures in words."""
    if not cells:
        return None
    for field_name, accepts, what in DETECTORS:
        hits = sum(1 for cell in cells if accepts(cell))
        if hits >= MIN_SHARE * len(cells):
            return field_name, f"{hits} of {len(cells)} filled cells read as {what}"
    return None


HEADER_LOOK_AT = 30
"""Rows searched for a header when no row names two known columns."""


def header_above_locations(sheet: Sheet) -> int | None:
    """Index of the header row of a table whose headers we do not know: the first row of at
    least two filled cells, none of them a location, directly above a row holding one (a
    coordinate pair, or a longitude and a latitude). None when there is no such row."""
    rows = sheet.rows
    for index, row in enumerate(rows[:HEADER_LOOK_AT]):
        if index + 1 >= len(rows) or sum(1 for cell in row if cell.strip()) < 2:
            continue
        if not _holds_location(row) and _holds_location(rows[index + 1]):
            return index
    return None


def _holds_location(row: Sequence[str]) -> bool:
    cells = [cell.strip() for cell in row if cell.strip()]
    if any(_is_point(cell) for cell in cells):
        return True
    return any(map(_is_longitude, cells)) and any(map(_is_latitude, cells))
