"""Delimited text: CSV, TSV and Excel's "Unicode text", comma, tab or semicolon separated."""

from __future__ import annotations

import csv
import io

from .errors import ImportFileError
from .guards.sizes import check_row_count, check_width
from .sheet import Sheet, tabulate
from .text_encoding import decode_text

_DELIMITERS = (",", "\t", ";")
_SNIFF_CHARS = 65_536
_SNIFF_LINES = 30


def read_delimited(data: bytes, container: str, *, note: str | None = None) -> Sheet:
    """A delimited text file: encoding by BOM, then strict UTF-8, then GB18030."""
    if container in ("zip", "ole"):
        raise ImportFileError(
            "这是一个 Excel 文件，扩展名却是文本格式：请把扩展名改为 .xlsx 或 .xls 再上传"
            " / this is an Excel workbook with a text file's name: rename it .xlsx or .xls"
        )
    text, encoding = decode_text(data)
    delimiter = sniff_delimiter(text)
    rows, numbers = _parse_delimited(text, delimiter)
    warnings = [note] if note else []
    return tabulate(rows, numbers, "csv", encoding=encoding, warnings=warnings)


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one that splits the opening lines most consistently
    into the most cells (a tab file's "116.40,39.90" cells must not make it comma)."""
    lines = text[:_SNIFF_CHARS].splitlines()[:_SNIFF_LINES]
    best, best_score = ",", (False, 1)
    for delimiter in _DELIMITERS:
        widths = _row_widths(lines, delimiter)
        common = max(set(widths), key=widths.count) if widths else 0
        if common < 2:
            continue
        score = (widths.count(common) >= 0.8 * len(widths), common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _row_widths(lines: list[str], delimiter: str) -> list[int]:
    widths = []
    try:
        for row in csv.reader(lines, delimiter=delimiter):
            if "".join(row).strip():
                widths.append(len(row))
    except csv.Error:
        pass
    return widths


def _parse_delimited(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """Filled rows and the line each starts on; cells over csv's field limit are refused."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    numbers: list[int] = []
    line = 0
    try:
        for row in reader:
            if "".join(row).strip():
                check_width(row, line + 1)
                rows.append(row)
                numbers.append(line + 1)
                check_row_count(len(rows))
            line = reader.line_num
    except csv.Error as error:
        raise _cell_too_long(line + 1) from error
    if "\r" in text:
        rows = [[cell.rstrip("\r") for cell in row] for row in rows]
    return rows, numbers


def _cell_too_long(line: int) -> ImportFileError:
    limit = csv.field_size_limit()
    return ImportFileError(
        f"第 {line} 行起有一个超过 {limit:,} 个字符的单元格（或引号不配对），这不像驿站清单"
        f" / from line {line} on, a cell is longer than {limit:,} characters (or a"
        " quote is unbalanced): this is not a station list"
    )
