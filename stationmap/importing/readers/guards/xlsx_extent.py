"""Guard against an xlsx whose used range would make calamine build a gigantic grid.

calamine builds a dense grid over a sheet's used range, and it does so (and sizes some
buffers from the counts a workbook declares) inside Rust, where running out of memory
aborts the whole process instead of raising. One stray cell at XFD1048576 in a 5 kB file
would ask for hundreds of gigabytes. So every part calamine may read is measured here,
before ``python_calamine.load_workbook`` is called: the last row and column of a cell
with a value, and the shared-string count the part declares.

Most sheets are measured by regular expressions over the raw XML, which is fast on a
200 MB part; a sheet written in any unusual way is measured by a full (streamed) parse.
"""

from __future__ import annotations

import posixpath
import re
import zipfile

from ..errors import ImportFileError
from . import sizes
from .sizes import check_grid
from .xml_entities import parse_xml, part_chunks

# The usual way cells are written: <c r="B12" ...>, reference first and in capitals; a
# filled cell is not self-closing. A cell written any other way (no reference, reference
# not first, a namespace prefix, a reference in lower case, which calamine reads as well;
# or text that merely looks so) sends the part to a full parse. A cell beyond Excel's grid
# is refused.
_CELL_UNUSUAL = re.compile(rb'<c(?:[>/]|\s(?!r="))')
_CELL_PREFIXED = re.compile(rb":c[\s>/]")
_CELL_LOWER_CASE = re.compile(rb'<c r="[A-Z0-9]*[a-z]')
_CELL_FAR = re.compile(rb'<c r="(?:[A-Z]{4,}[0-9]+|[A-Z]+[0-9]{7,})"[^>/]*>')
_CELL_ROW = {n: re.compile(rb'<c r="[A-Z]{1,3}([0-9]{%d})"[^>/]*>' % n) for n in range(1, 7)}
_CELL_WIDE = re.compile(rb'<c r="[A-Z]{2}')
_CELL_COLUMN = {n: re.compile(rb'<c r="([A-Z]{%d})[0-9]+"[^>/]*>' % n) for n in (3, 2, 1)}

_STRING_TABLE = re.compile(rb"<(?:[\w.-]+:)?sst\s[^>]*>")
_COUNT = re.compile(rb'[cC]ount="([0-9]+)"')
_REFERENCE = re.compile(r"([A-Za-z]+)([0-9]+)")


def check_xlsx_sheets(archive: zipfile.ZipFile, names: set[str]) -> None:
    """Measure every part of an xlsx that calamine may read as a sheet or string table."""
    for name in xlsx_sheet_parts(archive, names):
        check_xlsx_part(archive, name)


def xlsx_sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> list[str]:
    """Every XML part, and whatever else the workbook points to: calamine finds sheets
    through the workbook's relationships, whatever their names."""
    parts = {name for name in names if name.endswith((".xml", ".rels"))}
    if "xl/_rels/workbook.xml.rels" in names:
        rels = archive.read("xl/_rels/workbook.xml.rels")
        for target in re.findall(rb'Target="([^"]+)"', rels):
            path = target.decode("utf-8", "replace")
            path = path[1:] if path.startswith("/") else posixpath.normpath("xl/" + path)
            parts.add(path)
    return sorted(parts & names)


def check_xlsx_part(archive: zipfile.ZipFile, name: str) -> None:
    """Measure the grid of cells with a value in one sheet part and refuse one too big."""
    last_row, last_column = 0, 0
    for index, chunk in enumerate(part_chunks(archive, name)):
        if index == 0:
            check_string_count(chunk, archive.getinfo(name).file_size)
        if _written_unusually(chunk):
            check_grid(*xlsx_extent_by_parsing(archive, name))
            return
        if _CELL_FAR.search(chunk):
            raise cell_too_far()
        last_row = max(last_row, _last_row_in(chunk, len(str(last_row))))
        if _CELL_WIDE.search(chunk):
            last_column = max(last_column, _last_column_in(chunk, (3, 2)))
    if last_column == 0 and last_row * 26 > sizes.MAX_CELLS:
        last_column = max(_last_column_in(chunk, (1,)) for chunk in part_chunks(archive, name))
    check_grid(last_row, last_column or 26)


def _written_unusually(chunk: bytes) -> bool:
    """Whether some cell in this chunk is not written the usual way the regexes measure."""
    return any(
        pattern.search(chunk) for pattern in (_CELL_UNUSUAL, _CELL_PREFIXED, _CELL_LOWER_CASE)
    )


def cell_too_far() -> ImportFileError:
    """The refusal of a cell beyond the last row allowed or Excel's last column."""
    limit = sizes.MAX_ROWS
    return ImportFileError(
        f"有单元格位于第 {limit:,} 行以下或 XFD 列以右，请删除表格下方和右侧多余的内容后另存"
        f" / a cell lies below row {limit:,} or right of column XFD: delete stray cells"
        " below or right of the table and save again"
    )


def check_string_count(head: bytes, size: int) -> None:
    """calamine reserves room for the shared-string count a workbook declares; a count
    the part is too small to hold is a lie."""
    table = _STRING_TABLE.search(head)
    if table and any(int(count) > size for count in _COUNT.findall(table[0])):
        raise ValueError("the shared-string table declares more strings than it holds")


def _last_row_in(chunk: bytes, digits_known: int) -> int:
    """The largest row number of a filled cell; only numbers at least as long as the one
    already known can beat it, so at most one search here finds many cells."""
    for digits in range(6, digits_known - 1, -1):
        found = _CELL_ROW[digits].findall(chunk)
        if found:
            return int(max(found))
    return 0


def _last_column_in(chunk: bytes, letter_counts: tuple[int, ...]) -> int:
    """The largest column number (1-based) of a filled cell whose column is written with
    one of these numbers of letters, longest first; 0 when there is none."""
    for letters in letter_counts:
        found = _CELL_COLUMN[letters].findall(chunk)
        if found:
            return column_index(max(found)) + 1
    return 0


def xlsx_extent_by_parsing(archive: zipfile.ZipFile, name: str) -> tuple[int, int]:
    """Last row and column of a filled cell by parsing, as calamine places cells that
    carry no reference: one after another along the row."""
    state = {"row": 0, "column": 0, "last_row": 0, "last_column": 0}

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        if local == "row":
            reference = attributes.get("r", "")
            state["row"] = int(reference) if reference.isdigit() else state["row"] + 1
            state["column"] = 0
        elif local == "c":
            _place_cell(state, attributes.get("r", ""))
        elif local in ("v", "is", "f"):
            state["last_row"] = max(state["last_row"], state["row"])
            state["last_column"] = max(state["last_column"], state["column"])

    parse_xml(archive, name, start)
    return state["last_row"], state["last_column"]


def _place_cell(state: dict[str, int], reference: str) -> None:
    match = _REFERENCE.fullmatch(reference)
    if match:
        state["row"] = int(match[2])
        state["column"] = column_index(match[1].upper().encode()) + 1
    else:
        state["column"] += 1


def column_index(letters: bytes) -> int:
    """``b"A"`` -> ``0``, ``b"AA"`` -> ``26``."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number - 1
