"""Reading a regional station list into rows of text, whatever shape the file is in.

County unions send what they have: Excel workbooks (.xlsx, old .xls), OpenDocument
sheets, text exported from Excel (comma, tab or semicolon separated; GBK, UTF-8 or
UTF-16) and now and then GeoJSON from a mapping tool. Each becomes a ``Sheet``: every
non-blank row as a list of strings, with the row number the file's owner sees in Excel,
so that a rejected row is named the way the clerk will look it up.

Every file is treated as hostile. Sizes are checked before anything is decompressed or
parsed, and a workbook's extent is measured before python-calamine opens it: calamine
builds a dense grid over the used range, so one stray cell at XFD1048576 in a 5 kB file
would ask for hundreds of gigabytes and abort the process.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import olefile
import python_calamine

from ..errors import BadRequest

MAX_BYTES = 20_000_000
"""Default limit on the size of an uploaded file."""
MAX_ROWS = 1_000_000
"""A file with more rows than this is refused (China has about 173,000 stations)."""
MAX_CELLS = 10_000_000
"""Largest grid (rows x columns of the used range) a workbook may make calamine build."""
MAX_UNZIPPED_BYTES = 200_000_000
"""Largest total a workbook's zip members may decompress to."""
MAX_ZIP_RATIO = 1_000
"""Largest compression ratio of a zip member of more than a megabyte; more is a bomb."""
MAX_COLUMNS = 10_000
"""A text row with more cells than this is not a station list."""

FORMATS = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".geojson": "geojson",
    ".json": "geojson",
}
"""The file name endings read, and the reader each one selects."""

LONGITUDE_HEADER = "经度"
LATITUDE_HEADER = "纬度"
"""The header cells a GeoJSON file's point coordinates are given under."""

_DELIMITERS = (",", "\t", ";")
_SNIFF_CHARS = 65_536
_SNIFF_LINES = 30
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
_CHUNK_BYTES = 4 << 20


class ImportFileError(BadRequest):
    """The file as a whole cannot be read; the message says why and what to do, 中文 / English."""

    code = "unreadable_file"


@dataclass(frozen=True)
class Sheet:
    """A table as read from a file: every non-blank row with the row number its owner sees."""

    rows: list[list[str]]
    """Cells as text, all rows the same length, ``""`` for an empty cell. Numbers read the
    way Excel shows them (``116.4``, ``13800001111``), dates and times in ISO form."""
    row_numbers: list[int]
    """The 1-based spreadsheet row (or text line) of each row; title, header and blank
    rows are counted even though blank rows are left out of ``rows``."""
    source_format: str
    """What was read: ``"xlsx"``, ``"xls"``, ``"ods"``, ``"csv"`` or ``"geojson"``."""
    encoding: str | None = None
    """For text files, the encoding found: utf-8, utf-8-sig, utf-16 or gb18030."""
    sheet_name: str | None = None
    """For workbooks, the name of the sheet read."""
    warnings: list[str] = field(default_factory=list)
    """Things about the file as a whole the owner should know, 中文 / English."""


def read_sheet(path: Path, *, max_bytes: int = MAX_BYTES) -> Sheet:
    """Read a station list file; raises ``ImportFileError`` saying what is wrong with it."""
    path = Path(path)
    _format_for(path.name)
    try:
        size = path.stat().st_size
        _check_size(size, max_bytes)
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(
            f"无法打开文件：{error.strerror} / cannot open the file: {error.strerror}"
        ) from error
    return read_sheet_bytes(data, path.name, max_bytes=max_bytes)


def read_sheet_bytes(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> Sheet:
    """Read an uploaded station list; ``filename`` only chooses the reader by its ending."""
    fmt = _format_for(filename)
    _check_size(len(data), max_bytes)
    if fmt == "geojson":
        return _read_geojson(data)
    if fmt == "csv":
        return _read_delimited(data, _container_of(data))
    return _read_workbook(data, fmt)


def find_header_row(sheet: Sheet, score: Callable[[str], bool], *, look_at: int = 30) -> int:
    """Index into ``sheet.rows`` of the header: among the first ``look_at`` rows, the one
    with most cells for which ``score`` holds (at least two; the first on a tie)."""
    best, best_count = -1, 1
    for index, row in enumerate(sheet.rows[:look_at]):
        count = sum(1 for cell in row if cell and score(cell))
        if count > best_count:
            best, best_count = index, count
    if best < 0:
        raise ImportFileError(
            f"找不到表头：前 {look_at} 行里没有哪一行含有两个以上可识别的列名（如“驿站名称”“地址”）"
            f" / no header row: none of the first {look_at} rows names two or more known "
            "columns (such as 驿站名称, 地址)"
        )
    return best


# -- choosing a reader ------------------------------------------------------------------


def _format_for(filename: str) -> str:
    """The reader for a file name, by its ending."""
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        endings = " ".join(FORMATS)
        raise ImportFileError(
            f"不支持的文件类型“{suffix or filename}”，请上传 {endings} 之一"
            f" / unsupported file type {suffix or filename!r}: upload one of {endings}"
        )
    return FORMATS[suffix]


def _check_size(size: int, max_bytes: int) -> None:
    """Refuse empty files and files over the limit, before reading them."""
    if size == 0:
        raise ImportFileError("文件为空 / the file is empty")
    if size > max_bytes:
        raise ImportFileError(
            f"文件太大（{size / 1e6:.1f} MB，上限 {max_bytes / 1e6:.0f} MB），"
            "请按区县拆分后分别上传"
            f" / the file is too large ({size / 1e6:.1f} MB, limit {max_bytes / 1e6:.0f} MB):"
            " split it by county and upload the parts"
        )


def _container_of(data: bytes) -> str:
    """What the bytes are, whatever the name says: zip, ole (old Office), html or text."""
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(olefile.MAGIC):
        return "ole"
    head = data[:1024].lstrip(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "markup"
    return "text"


def _not_excel(fmt: str) -> ImportFileError:
    return ImportFileError(
        f"不是有效的 {fmt} 文件（可能是改了扩展名的其他文件），请用 Excel 或 WPS 打开后另存为 .xlsx"
        f" / not a valid {fmt} file (a different file renamed?): open it in Excel or WPS"
        " and save it as .xlsx"
    )


# -- common to every reader ---------------------------------------------------------------


def _tabulate(rows: list[list[str]], numbers: list[int], source_format: str, **meta: Any) -> Sheet:
    """The ``Sheet`` of these rows: blank rows dropped, the rest padded to one width."""
    kept = [
        (row, number) for row, number in zip(rows, numbers, strict=True) if "".join(row).strip()
    ]
    if not kept:
        raise ImportFileError(
            "文件为空：没有任何有内容的行 / the file is empty: it has no filled rows"
        )
    _check_row_count(len(kept))
    width = max(len(row) for row, _ in kept)
    for row, _ in kept:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    return Sheet(
        rows=[row for row, _ in kept],
        row_numbers=[number for _, number in kept],
        source_format=source_format,
        **meta,
    )


def _check_row_count(count: int) -> None:
    if count > MAX_ROWS:
        raise ImportFileError(
            f"行数超过 {MAX_ROWS:,} 行，不像是驿站清单，请按区县拆分后上传"
            f" / more than {MAX_ROWS:,} rows, which is no station list: split it by county"
        )


def _number_text(value: float) -> str:
    """A number as Excel shows it: whole numbers without ``.0``, at most 15 significant
    digits (so ``116.39999999999999`` from a formula reads ``116.4``)."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return f"{value:.15g}"


def _clock_text(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def _day_seconds(moment: dt.time | dt.datetime) -> int:
    """Seconds since midnight, rounded: Excel stores 8:30 as 0.3541666..., which can come
    back a microsecond short."""
    exact = moment.hour * 3600 + moment.minute * 60 + moment.second
    return min(exact + round(moment.microsecond / 1e6), 86_399)


def _cell_text(value: Any) -> str:
    """One cell, as calamine or JSON gives it, as text."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value) if value == value else ""
    if isinstance(value, dt.datetime):
        return f"{value.date().isoformat()} {_clock_text(_day_seconds(value))}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return _clock_text(_day_seconds(value))
    if isinstance(value, dt.timedelta):
        return _clock_text(round(value.total_seconds()))
    return str(value)


# -- text: CSV, TSV, Excel's "Unicode text" -----------------------------------------------


def _read_delimited(data: bytes, container: str, *, note: str | None = None) -> Sheet:
    """A delimited text file: encoding by BOM, then strict UTF-8, then GB18030."""
    if container in ("zip", "ole"):
        raise ImportFileError(
            "这是一个 Excel 文件，扩展名却是文本格式：请把扩展名改为 .xlsx 或 .xls 再上传"
            " / this is an Excel workbook with a text file's name: rename it .xlsx or .xls"
        )
    text, encoding = _decode_text(data)
    delimiter = _sniff_delimiter(text)
    rows, numbers = _parse_delimited(text, delimiter)
    warnings = [note] if note else []
    return _tabulate(rows, numbers, "csv", encoding=encoding, warnings=warnings)


def _decode_text(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding, or a refusal saying how to save the file."""
    text, encoding = _decode(data)
    if "\x00" in text:
        raise _binary_text()
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    """By byte-order mark, else strict UTF-8, else strict GB18030 (which covers GBK)."""
    for mark, codec, name in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data[len(mark) :].decode(codec), name
            except UnicodeDecodeError:
                raise _unknown_encoding() from None
    if b"\x00" in data:
        raise _binary_text()
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise _unknown_encoding()


def _binary_text() -> ImportFileError:
    return ImportFileError(
        "文件里有二进制内容，不是文本表格；请用 Excel 打开后另存为 CSV（UTF-8 或 GBK）"
        " / the file holds binary data, not a text table: save it from Excel as CSV"
        " (UTF-8 or GBK)"
    )


def _unknown_encoding() -> ImportFileError:
    return ImportFileError(
        "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV"
        " / cannot tell the text encoding: save it as UTF-8 or GBK CSV"
    )


def _sniff_delimiter(text: str) -> str:
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
                _check_width(row, line + 1)
                rows.append(row)
                numbers.append(line + 1)
                _check_row_count(len(rows))
            line = reader.line_num
    except csv.Error as error:
        limit = csv.field_size_limit()
        raise ImportFileError(
            f"第 {line + 1} 行起有一个超过 {limit:,} 个字符的单元格（或引号不配对），这不像驿站清单"
            f" / from line {line + 1} on, a cell is longer than {limit:,} characters (or a"
            " quote is unbalanced): this is not a station list"
        ) from error
    if "\r" in text:
        rows = [[cell.rstrip("\r") for cell in row] for row in rows]
    return rows, numbers


def _check_width(row: list[str], line: int) -> None:
    if len(row) > MAX_COLUMNS:
        raise ImportFileError(
            f"第 {line} 行有 {len(row):,} 列，这不像驿站清单"
            f" / line {line} has {len(row):,} columns: this is not a station list"
        )


# -- GeoJSON --------------------------------------------------------------------------------


def _read_geojson(data: bytes) -> Sheet:
    """A FeatureCollection: one row per feature, properties then longitude and latitude."""
    text, encoding = _decode_text(data)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ImportFileError(
            "不是有效的 GeoJSON：JSON 格式有误 / not valid GeoJSON: the JSON is malformed"
        ) from error
    features = _features_of(document)
    _check_row_count(len(features))
    keys, warnings = _property_columns(features)
    rows = [[*keys, LONGITUDE_HEADER, LATITUDE_HEADER]]
    not_points: list[int] = []
    for number, feature in enumerate(features, start=2):
        properties = feature.get("properties") or {}
        coordinates = _point_coordinates(feature.get("geometry"))
        if coordinates is None:
            not_points.append(number)
            coordinates = ["", ""]
        rows.append([_property_text(properties.get(key)) for key in keys] + coordinates)
    if not_points:
        warnings.append(_not_points_warning(not_points))
    numbers = list(range(1, len(rows) + 1))
    return _tabulate(rows, numbers, "geojson", encoding=encoding, warnings=warnings)


def _features_of(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not (isinstance(document, dict) and document.get("type") == "FeatureCollection"):
        raise ImportFileError(
            "不是 GeoJSON 要素集合（FeatureCollection）/ not a GeoJSON FeatureCollection"
        )
    features = document.get("features")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise ImportFileError(
            "GeoJSON 的 features 必须是要素对象的列表 / GeoJSON features must be a list of"
            " Feature objects"
        )
    if not features:
        raise ImportFileError("文件为空：GeoJSON 里没有要素 / the file is empty: no features")
    return features


def _property_columns(features: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Property names in first-seen order, less any that clash with the coordinate columns."""
    keys: dict[str, None] = {}
    for feature in features:
        properties = feature.get("properties")
        if isinstance(properties, dict):
            keys.update(dict.fromkeys(str(key) for key in properties))
    clashing = [key for key in (LONGITUDE_HEADER, LATITUDE_HEADER) if key in keys]
    for key in clashing:
        del keys[key]
    warnings = []
    if clashing:
        names = "、".join(clashing)
        warnings.append(
            f"属性 {names} 已忽略，坐标取自几何 / properties {', '.join(clashing)} ignored:"
            " coordinates come from the geometry"
        )
    return list(keys), warnings


def _point_coordinates(geometry: Any) -> list[str] | None:
    """``[lon, lat]`` as text for a Point geometry, else None."""
    if not (isinstance(geometry, dict) and geometry.get("type") == "Point"):
        return None
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None
    lon, lat = coordinates[:2]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        return None
    return [_cell_text(lon), _cell_text(lat)]


def _property_text(value: Any) -> str:
    if isinstance(value, list) and all(not isinstance(v, list | dict) for v in value):
        return "、".join(_cell_text(v) for v in value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return _cell_text(value)


def _not_points_warning(numbers: list[int]) -> str:
    shown = numbers[:10]
    more = len(numbers) > len(shown)
    zh = "、".join(map(str, shown)) + ("……" if more else "")
    en = ", ".join(map(str, shown)) + (", ..." if more else "")
    return (
        f"第 {zh} 行的几何不是点，没有坐标 / row(s) {en}: the geometry is not a Point,"
        " so there are no coordinates"
    )


# -- workbooks: xlsx, xls, ods ------------------------------------------------------------


def _read_workbook(data: bytes, fmt: str) -> Sheet:
    """A workbook's first filled sheet, after checking calamine can open it safely."""
    container = _container_of(data)
    if container == "zip":
        actual, ods_merges = _guard_zip_workbook(data, fmt)
    elif container == "ole":
        actual, ods_merges = _guard_ole_workbook(data, fmt), {}
    elif container == "markup":
        raise ImportFileError(
            "这是网页（HTML/XML）格式的表格，只是扩展名为 Excel；"
            "请用 Excel 或 WPS 打开后另存为 .xlsx"
            " / this is a web-page (HTML/XML) table with an Excel name: open it in Excel or"
            " WPS and save it as .xlsx"
        )
    else:
        return _read_text_named_as_workbook(data, fmt)
    book = _open_workbook(data, fmt)
    sheet, others = _first_filled_sheet(book, fmt)
    merges = ods_merges.get(sheet.name, []) if actual == "ods" else sheet.merged_cell_ranges
    rows, numbers, warnings = _sheet_rows(sheet, merges or [], fmt)
    if others:
        warnings.append(_other_sheets_warning(sheet.name, others))
    return _tabulate(rows, numbers, actual, sheet_name=sheet.name, warnings=warnings)


def _read_text_named_as_workbook(data: bytes, fmt: str) -> Sheet:
    """Many systems export tab-separated text named .xls; read it as such, and say so."""
    try:
        return _read_delimited(
            data,
            "text",
            note=f"文件扩展名是 .{fmt}，内容却是文本表格，已按 CSV 读取"
            f" / the .{fmt} file is really delimited text and was read as CSV",
        )
    except ImportFileError:
        raise _not_excel(fmt) from None


def _open_workbook(data: bytes, fmt: str) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.load_workbook(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise _password_protected() from None
    except BaseException as error:  # calamine reports a malformed file in many ways
        if not _is_calamine_failure(error):
            raise
        raise _not_excel(fmt) from error


def _is_calamine_failure(error: BaseException) -> bool:
    """Exceptions, and the panics pyo3 raises as BaseException when calamine trips."""
    return isinstance(error, Exception) or type(error).__name__ == "PanicException"


def _password_protected() -> ImportFileError:
    return ImportFileError(
        "文件设置了密码，请去掉密码后再上传 / the file is password-protected: remove the"
        " password and upload it again"
    )


def _first_filled_sheet(
    book: python_calamine.CalamineWorkbook, fmt: str
) -> tuple[python_calamine.CalamineSheet, list[str]]:
    """The first visible worksheet with cells (else the first hidden one), and the names
    of the other visible ones with cells, which are not read."""
    worksheets = [
        (index, meta)
        for index, meta in enumerate(book.sheets_metadata)
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    visible = [
        i for i, meta in worksheets if meta.visible == python_calamine.SheetVisibleEnum.Visible
    ]
    hidden = [i for i, _ in worksheets if i not in visible]
    chosen, others = None, []
    for index in visible + hidden:
        sheet = _load_sheet(book, index, fmt)
        if sheet.height == 0:
            continue
        if chosen is None:
            chosen = sheet
        elif index in visible:
            others.append(sheet.name)
    if chosen is None:
        raise ImportFileError(
            "文件为空：工作簿里没有任何有内容的工作表 / the file is empty: no sheet has any cells"
        )
    return chosen, others


def _load_sheet(
    book: python_calamine.CalamineWorkbook, index: int, fmt: str
) -> python_calamine.CalamineSheet:
    try:
        sheet = book.get_sheet_by_index(index)
    except BaseException as error:
        if not _is_calamine_failure(error):
            raise
        raise _not_excel(fmt) from error
    _check_row_count(sheet.height)
    return sheet


def _sheet_rows(
    sheet: python_calamine.CalamineSheet, merges: list[Any], fmt: str
) -> tuple[list[list[str]], list[int], list[str]]:
    """The sheet's cells as text with spreadsheet row numbers; merged areas filled down."""
    try:
        grid = sheet.to_python()
    except BaseException as error:
        if not _is_calamine_failure(error):
            raise
        raise _not_excel(fmt) from error
    top, left = sheet.start or (0, 0)
    warnings = _fill_merged_down(grid, merges, top, left)
    for i, row in enumerate(grid):
        grid[i] = [cell if cell.__class__ is str else _cell_text(cell) for cell in row]
    numbers = list(range(top + 1, top + len(grid) + 1))
    return grid, numbers, warnings


def _fill_merged_down(grid: list[list[Any]], merges: list[Any], top: int, left: int) -> list[str]:
    """Copy the top-left value of each merged area spanning several rows into the rows
    below it, in the area's first column (a 区县 or 街道 column merged down many rows).

    Only the first column is filled: a title or a header merged across columns must not
    turn into several columns of the same name. The work is bounded by the grid's size,
    however many overlapping merges a file claims.
    """
    height, width = len(grid), len(grid[0]) if grid else 0
    budget, filled, example = height * width, 0, ""
    for (first_row, column), (last_row, last_column) in merges:
        i, j = first_row - top, column - left
        if last_row <= first_row or not (0 <= i < height and 0 <= j < width):
            continue
        last = min(last_row - top, height - 1)
        budget -= last - i
        if budget < 0:
            break
        for k in range(i + 1, last + 1):
            grid[k][j] = grid[i][j]
        filled += 1
        example = example or _area_name(first_row, column, last_row, last_column)
    if not filled:
        return []
    return [
        f"有 {filled} 处跨行的合并单元格（如 {example}），已把其左上角的值填入所合并的每一行"
        f" / {filled} merged cell area(s) spanning several rows (e.g. {example}) were filled"
        " down with their top-left value"
    ]


def _area_name(first_row: int, first_column: int, last_row: int, last_column: int) -> str:
    return (
        f"{_column_letters(first_column)}{first_row + 1}"
        f":{_column_letters(last_column)}{last_row + 1}"
    )


def _column_letters(index: int) -> str:
    """``0`` -> ``A``, ``26`` -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _column_index(letters: bytes) -> int:
    """``b"A"`` -> ``0``, ``b"AA"`` -> ``26``."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number - 1


def _other_sheets_warning(name: str, others: list[str]) -> str:
    listed = "、".join(f"“{other}”" for other in others[:5]) + ("等" if len(others) > 5 else "")
    names = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
    return (
        f"只读取了第一张有内容的工作表“{name}”，{listed} 未读取；如需导入请分别另存后上传"
        f" / only the first filled sheet {name!r} was read, not {names}: save those"
        " separately to import them"
    )


# -- guards: what calamine would build, measured before it builds it -------------------------


def _grid_too_large(rows: int, columns: int) -> ImportFileError:
    return ImportFileError(
        f"表格范围过大（约 {rows:,} 行 × {columns:,} 列），远处可能有零散的内容；"
        "请删除表格下方和右侧多余的行列后另存"
        f" / the sheet spans about {rows:,} rows x {columns:,} columns: delete stray cells"
        " far below or right of the table and save again"
    )


def _cell_too_far() -> ImportFileError:
    return ImportFileError(
        f"有单元格位于第 {MAX_ROWS:,} 行以下或 XFD 列以右，请删除表格下方和右侧多余的内容后另存"
        f" / a cell lies below row {MAX_ROWS:,} or right of column XFD: delete stray cells"
        " below or right of the table and save again"
    )


def _check_grid(rows: int, columns: int) -> None:
    """Refuse a grid calamine should not build."""
    _check_row_count(rows)
    if rows * columns > MAX_CELLS:
        raise _grid_too_large(rows, columns)


def _guard_zip_workbook(data: bytes, fmt: str) -> tuple[str, dict[str, list[Any]]]:
    """Check a zipped workbook (xlsx or ods) is no bomb and its sheets are of sane size;
    returns what it really is and, for ods, its merged areas by sheet name."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            _check_unzipped_sizes(archive)
            if "xl/workbook.bin" in names:
                raise ImportFileError(
                    "不支持 .xlsb 格式，请另存为 .xlsx / .xlsb workbooks are not supported:"
                    " save it as .xlsx"
                )
            if "xl/workbook.xml" in names:
                for name in _xlsx_sheet_parts(archive, names):
                    _check_xlsx_part(archive, name)
                return "xlsx", {}
            if "content.xml" in names:
                return "ods", _check_ods_content(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError,
            RuntimeError, EOFError, OSError, ValueError) as error:  # fmt: skip
        raise _not_excel(fmt) from error
    raise _not_excel(fmt)


def _check_unzipped_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb by its declared sizes (members are read with those as a cap)."""
    members = archive.infolist()
    total = sum(member.file_size for member in members)
    bomb = any(
        member.file_size > 1_000_000
        and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if total > MAX_UNZIPPED_BYTES or bomb:
        raise ImportFileError(
            f"压缩包解压后过大（{total / 1e6:,.0f} MB），疑似压缩炸弹，已拒绝"
            f" / the workbook would unzip to {total / 1e6:,.0f} MB (a zip bomb?): refused"
        )


def _xlsx_sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> list[str]:
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


def _part_chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A member's bytes in chunks cut just before a ``<``, so no tag is split."""
    carry = b""
    with archive.open(name) as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            chunk = carry + chunk
            cut = chunk.rfind(b"<")
            cut = cut if cut > 0 else len(chunk)
            carry = chunk[cut:]
            yield chunk[:cut]
    if carry:
        yield carry


# The usual way cells are written: <c r="B12" ...>, reference first; a filled cell is not
# self-closing. A cell written any other way (no reference, reference not first, a
# namespace prefix; or text that merely looks so) sends the part to a full parse. A cell
# beyond Excel's grid is refused.
_CELL_UNUSUAL = re.compile(rb'<c(?:[>/]|\s(?!r="))')
_CELL_PREFIXED = re.compile(rb":c[\s>/]")
_CELL_FAR = re.compile(rb'<c r="(?:[A-Z]{4,}[0-9]+|[A-Z]+[0-9]{7,})"[^>/]*>')
_CELL_ROW = {n: re.compile(rb'<c r="[A-Z]{1,3}([0-9]{%d})"[^>/]*>' % n) for n in range(1, 7)}
_CELL_WIDE = re.compile(rb'<c r="[A-Z]{2}')
_CELL_COLUMN = {n: re.compile(rb'<c r="([A-Z]{%d})[0-9]+"[^>/]*>' % n) for n in (3, 2, 1)}


def _check_xlsx_part(archive: zipfile.ZipFile, name: str) -> None:
    """Measure the grid of cells with a value in one sheet part and refuse one too big."""
    last_row, last_column = 0, 0
    for index, chunk in enumerate(_part_chunks(archive, name)):
        if index == 0:
            _check_string_count(chunk, archive.getinfo(name).file_size)
        if _CELL_UNUSUAL.search(chunk) or _CELL_PREFIXED.search(chunk):
            _check_grid(*_xlsx_extent_by_parsing(archive, name))
            return
        if _CELL_FAR.search(chunk):
            raise _cell_too_far()
        last_row = max(last_row, _last_row_in(chunk, len(str(last_row))))
        if _CELL_WIDE.search(chunk):
            last_column = max(last_column, _last_column_in(chunk, (3, 2)))
    if last_column == 0 and last_row * 26 > MAX_CELLS:
        last_column = max(_last_column_in(chunk, (1,)) for chunk in _part_chunks(archive, name))
    _check_grid(last_row, last_column or 26)


_STRING_TABLE = re.compile(rb"<(?:[\w.-]+:)?sst\s[^>]*>")
_COUNT = re.compile(rb'[cC]ount="([0-9]+)"')


def _check_string_count(head: bytes, size: int) -> None:
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
            return _column_index(max(found)) + 1
    return 0


def _xlsx_extent_by_parsing(archive: zipfile.ZipFile, name: str) -> tuple[int, int]:
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

    _parse_xml(archive, name, start)
    return state["last_row"], state["last_column"]


_REFERENCE = re.compile(r"([A-Z]{1,7})([0-9]{1,12})")


def _place_cell(state: dict[str, int], reference: str) -> None:
    match = _REFERENCE.fullmatch(reference)
    if match:
        state["row"] = int(match[2])
        state["column"] = _column_index(match[1].encode()) + 1
    else:
        state["column"] += 1


def _parse_xml(archive: zipfile.ZipFile, name: str, start: Callable[..., None], **handlers) -> None:
    """Stream one member through expat; DTDs (and so entity tricks) are refused."""
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    for event, handler in handlers.items():
        setattr(parser, event, handler)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    try:
        for chunk in _part_chunks(archive, name):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise ValueError(f"{name} is not well-formed XML") from error


def _refuse_doctype(*_: Any) -> None:
    raise ValueError("a workbook part declares a DTD")


def _check_ods_content(archive: zipfile.ZipFile) -> dict[str, list[Any]]:
    """Measure every table of an ods (calamine reads them all on opening) and collect
    its merged areas, which calamine does not report for ods."""
    scan = _OdsScan()
    _parse_xml(archive, "content.xml", scan.start, EndElementHandler=scan.end)
    if scan.grid_cells > MAX_CELLS or scan.row_cells > MAX_CELLS:
        raise _grid_too_large(scan.longest, scan.widest)
    return scan.merges


_ODS_CELLS = ("table:table-cell", "table:covered-table-cell")


class _OdsScan:
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
        if tag in _ODS_CELLS:
            self._start_cell(tag, attributes)
        elif tag == "table:table-row":
            self._row_repeat = _repeat(attributes, "table:number-rows-repeated")
            self._column = self._row_end = 0
        elif tag == "table:table":
            self._table = attributes.get("table:name", "")
            self._row = self._rows_end = self._table_width = 0

    def end(self, tag: str) -> None:
        if tag == "table:table-row":
            self._end_row()
        elif tag == "table:table":
            _check_grid(self._rows_end, self._table_width)
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


# -- old Excel (.xls, BIFF in an OLE container) ----------------------------------------------
# calamine parses every sheet of an .xls on opening and sizes its buffers from counts the
# file declares, so each count is checked against what the file could really hold.

_BIFF_BOF = 0x0809
_BIFF_FILEPASS = 0x002F
_BIFF_DIMENSIONS = 0x0200
_BIFF_SST = 0x00FC
_BIFF_CELLS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
_BIFF_CELL_RUNS = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: last column at the end
_RECORD = struct.Struct("<HH")
_OLE_COUNTS = struct.Struct("<II16xI4xI")  # at 0x28: directory, FAT, mini FAT, DIFAT sectors
_U32 = 1 << 32


def _guard_ole_workbook(data: bytes, fmt: str) -> str:
    """Check an old-style workbook: a sane container, not encrypted, sheets of sane size."""
    try:
        _check_ole_header(data)
        with olefile.OleFileIO(io.BytesIO(data)) as container:
            if any(entry and entry.size > len(data) for entry in container.direntries):
                raise ValueError("a stream is declared larger than the file")
            if container.exists("EncryptedPackage"):
                raise _password_protected()
            stream = next((s for s in ("Workbook", "Book") if container.exists(s)), None)
            if stream is None:
                raise ValueError("no Workbook stream")
            workbook = container.openstream(stream).read()
        _check_biff(workbook)
    except (OSError, ValueError, struct.error, IndexError) as error:
        raise _not_excel(fmt) from error
    return "xls"


def _check_ole_header(data: bytes) -> None:
    """Every sector count in the header must fit in the file."""
    (shift,) = struct.unpack_from("<H", data, 0x1E)
    if shift not in (9, 12):
        raise ValueError(f"sector shift {shift}")
    if max(_OLE_COUNTS.unpack_from(data, 0x28)) << shift > len(data):
        raise ValueError("the header declares more sectors than the file has")


def _check_biff(stream: bytes) -> None:
    """Refuse sheets whose cells or declared dimensions make too large a grid, and a
    shared-string count larger than the stream could hold."""
    extents = _biff_sheet_extents(stream)
    for rows, columns in extents:
        _check_grid(rows, columns)
    if sum(rows * columns for rows, columns in extents) > MAX_CELLS:
        raise _grid_too_large(max(rows for rows, _ in extents), max(c for _, c in extents))


def _biff_sheet_extents(stream: bytes) -> list[tuple[int, int]]:
    """For each substream, the larger of the grid its cells span and the one its
    DIMENSIONS record declares (calamine reserves room for the latter)."""
    extents: list[tuple[int, int]] = []
    rows = columns = 0
    for kind, body in _biff_records(stream):
        if kind == _BIFF_BOF:
            extents.append((rows, columns))
            rows = columns = 0
        elif kind == _BIFF_FILEPASS:
            raise _password_protected()
        elif kind in _BIFF_CELLS and len(body) >= 4:
            row, column = _RECORD.unpack_from(body)
            rows, columns = max(rows, row + 1), max(columns, column + 1)
        elif kind in _BIFF_CELL_RUNS and len(body) >= 6:
            row, _ = _RECORD.unpack_from(body)
            (last_column,) = struct.unpack_from("<H", body, len(body) - 2)
            rows, columns = max(rows, row + 1), max(columns, last_column + 1)
        elif kind == _BIFF_DIMENSIONS:
            declared_rows, declared_columns = _declared_dimensions(body)
            _check_grid(declared_rows, declared_columns)
        elif kind == _BIFF_SST and len(body) >= 8:
            (unique,) = struct.unpack_from("<i", body, 4)
            if not 0 <= unique <= len(stream):
                raise ValueError(f"{unique} shared strings declared")
    extents.append((rows, columns))
    return extents


def _biff_records(stream: bytes) -> Iterator[tuple[int, bytes]]:
    position, end = 0, len(stream)
    while position + _RECORD.size <= end:
        kind, length = _RECORD.unpack_from(stream, position)
        body = position + _RECORD.size
        yield kind, stream[body : body + length]
        position = body + length


def _declared_dimensions(body: bytes) -> tuple[int, int]:
    """Rows and columns of a DIMENSIONS record, computed the way calamine does (in 32-bit
    arithmetic, so a first row after the last wraps round to a huge count)."""
    if len(body) == 14:
        first_row, last_row, first_column, last_column = struct.unpack_from("<IIHH", body)
    elif len(body) == 10:
        first_row, last_row, first_column, last_column = struct.unpack_from("<HHHH", body)
    else:
        return 0, 0
    if last_row >= 1 and last_column >= 1:
        last_row, last_column = last_row - 1, last_column - 1
    else:
        last_row, last_column = first_row, first_column
    return (last_row - first_row + 1) % _U32, (last_column - first_column + 1) % _U32
