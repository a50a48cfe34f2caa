"""Guard against an ods whose repeat counts would make calamine build a gigantic grid.

OpenDocument compresses a sheet by repetition: one ``<table:table-row
table:number-rows-repeated="1000000">`` is a million rows in a few bytes, and calamine
expands every repeat up to a table's last filled cell, for every table, as soon as the
workbook is opened (in Rust, where running out of memory aborts the process). So
``content.xml`` is parsed here first, counting what calamine would materialise.

The same pass collects each table's merged areas, which calamine does not report for ods
and the reader needs to fill merged cells down.
"""

from __future__ import annotations

import zipfile
from typing import Any

from . import sizes
from .sizes import check_grid, grid_too_large
from .xml_entities import parse_xml

_ODS_CELLS = ("table:table-cell", "table:covered-table-cell")


def check_ods_content(archive: zipfile.ZipFile) -> dict[str, list[Any]]:
    """Measure every table of an ods (calamine reads them all on opening) and collect
    its merged areas, which calamine does not report for ods."""
    scan = OdsScan()
    parse_xml(archive, "content.xml", scan.start, EndElementHandler=scan.end)
    if scan.grid_cells > sizes.MAX_CELLS or scan.row_cells > sizes.MAX_CELLS:
        raise grid_too_large(scan.longest, scan.widest)
    return scan.merges


class OdsScan:
    """Counts what calamine will materialise for an ods: repeated rows and cells expand,
    except empty ones after a row's or a table's last filled cell. As for calamine, a
    cell is filled when it has a value type, a value or a formula."""

    def __init__(self) -> None:
        self.merges: dict[str, list[Any]] = {}
        self.grid_cells = self.row_cells = self.longest = self.widest = 0
        self._table = ""
        self._row = self._rows_end = self._table_width = 0
        self._row_repeat = self._column = self._row_end = 0

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        """expat's start-element handler."""
        if tag in _ODS_CELLS:
            self._start_cell(tag, attributes)
        elif tag == "table:table-row":
            self._row_repeat = _repeat(attributes, "table:number-rows-repeated")
            self._column = self._row_end = 0
        elif tag == "table:table":
            self._table = attributes.get("table:name", "")
            self._row = self._rows_end = self._table_width = 0

    def end(self, tag: str) -> None:
        """expat's end-element handler: a table's grid is checked as it closes."""
        if tag == "table:table-row":
            self._end_row()
        elif tag == "table:table":
            check_grid(self._rows_end, self._table_width)
            self.grid_cells += self._rows_end * self._table_width
            self.longest = max(self.longest, self._rows_end)
            self.widest = max(self.widest, self._table_width)

    def _start_cell(self, tag: str, attributes: dict[str, str]) -> None:
        column = self._column
        self._column += _repeat(attributes, "table:number-columns-repeated")
        if any(key.startswith("office:") or key == "table:formula" for key in attributes):
            self._row_end = self._column
        spanned = _repeat(attributes, "table:number-rows-spanned")
        if spanned > 1 and tag == "table:table-cell":
            columns = _repeat(attributes, "table:number-columns-spanned")
            area = ((self._row, column), (self._row + spanned - 1, column + columns - 1))
            self.merges.setdefault(self._table, []).append(area)

    def _end_row(self) -> None:
        if self._row_end:
            self._rows_end = self._row + self._row_repeat
            self._table_width = max(self._table_width, self._row_end)
            self.row_cells += self._row_end
        self._row += self._row_repeat


def _repeat(attributes: dict[str, str], name: str) -> int:
    value = attributes.get(name, "1")
    if not value.isdigit():
        raise ValueError(f"{name}={value!r} is not a count")
    return max(int(value), 1)
