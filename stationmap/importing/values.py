"""One cell of a county union's station list, parsed into our fields.

Every parser is a pure function of the cell's text (a spreadsheet number is accepted where
Excel may have stored one) and never raises on bad input: a cell that cannot be used comes
back as, or with, a :class:`CellProblem` for the row-level import report. Parsers cache
their answers per distinct text, because real files repeat the same hours and services on
thousands of rows.

The rules live in one module per kind of cell; this module is the list of what they offer.
"""

from __future__ import annotations

from ..cells import CellProblem, CellValue, cell_text, normalize_text
from ..hours_text import HoursResult, parse_hours
from .coordinate_text import LonLat, order_lon_lat, parse_coordinate, parse_point
from .phone_text import PhoneResult, parse_phones
from .vocabulary_text import AmenityResult, infer_kind, parse_amenities

__all__ = [
    "AmenityResult",
    "CellProblem",
    "CellValue",
    "HoursResult",
    "LonLat",
    "PhoneResult",
    "cell_text",
    "infer_kind",
    "normalize_text",
    "order_lon_lat",
    "parse_amenities",
    "parse_coordinate",
    "parse_hours",
    "parse_phones",
    "parse_point",
]
