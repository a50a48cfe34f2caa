"""Workbooks (xlsx, old xls, ods) read with python-calamine, once the guards let them through.

calamine aborts the process, rather than raising, when a hostile workbook makes it
allocate too much; so :func:`read_workbook` runs the guards of :mod:`.guards` on the
bytes first, and only then opens them.
"""

from __future__ import annotations

import io
from typing import Any, cast

import python_calamine

from .containers import container_of
from .delimited import read_delimited
from .errors import ImportFileError, not_excel, password_protected
from .guards.sizes import check_row_count
from .guards.xls_counts import check_ole_workbook
from .guards.zip_workbook import check_zip_workbook
from .merged_cells import fill_merged_down
from .sheet import Sheet, tabulate
from .value_text import value_text


def read_workbook(data: bytes, fmt: str) -> Sheet:
    """A workbook's first filled sheet, after checking calamine can open it safely."""
    container = container_of(data)
    if container == "zip":
        actual, ods_merges = check_zip_workbook(data, fmt)
    elif container == "ole":
        actual, ods_merges = check_ole_workbook(data, fmt), {}
    elif container == "markup":
        raise _web_page_table()
    else:
        return _read_text_named_as_workbook(data, fmt)
    book = _open_workbook(data, fmt)
    sheet, others = _first_filled_sheet(book, fmt)
    merges = ods_merges.get(sheet.name, []) if actual == "ods" else sheet.merged_cell_ranges
    rows, numbers, warnings = _sheet_rows(sheet, merges or [], fmt)
    if others:
        warnings.append(_other_sheets_warning(sheet.name, others))
    return tabulate(rows, numbers, actual, sheet_name=sheet.name, warnings=warnings)


def _web_page_table() -> ImportFileError:
    return ImportFileError(
        "这是网页（HTML/XML）格式的表格，只是扩展名为 Excel；"
        "请用 Excel 或 WPS 打开后另存为 .xlsx"
        " / this is a web-page (HTML/XML) table with an Excel name: open it in Excel or"
        " WPS and save it as .xlsx"
    )


def _read_text_named_as_workbook(data: bytes, fmt: str) -> Sheet:
    """Many systems export tab-separated text named .xls; read it as such, and say so."""
    try:
        return read_delimited(
            data,
            "text",
            note=f"文件扩展名是 .{fmt}，内容却是文本表格，已按 CSV 读取"
            f" / the .{fmt} file is really delimited text and was read as CSV",
        )
    except ImportFileError:
        raise not_excel(fmt) from None


def _open_workbook(data: bytes, fmt: str) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.load_workbook(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise password_protected() from None
    except BaseException as error:  # calamine reports a malformed file in many ways
        if not _is_calamine_failure(error):
            raise
        raise not_excel(fmt) from error


def _is_calamine_failure(error: BaseException) -> bool:
    """Exceptions, and the panics pyo3 raises as BaseException when calamine trips."""
    return isinstance(error, Exception) or type(error).__name__ == "PanicException"


def _first_filled_sheet(
    book: python_calamine.CalamineWorkbook, fmt: str
) -> tuple[python_calamine.CalamineSheet, list[str]]:
    """The first visible worksheet with cells (else the first hidden one), and the names
    of the other visible ones with cells, which are not read."""
    visible, hidden = _worksheet_indexes(book)
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


def _worksheet_indexes(book: python_calamine.CalamineWorkbook) -> tuple[list[int], list[int]]:
    """Indexes of the visible worksheets and of the hidden ones (chart sheets left out)."""
    worksheets = [
        (index, meta)
        for index, meta in enumerate(book.sheets_metadata)
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    visible = [
        i for i, meta in worksheets if meta.visible == python_calamine.SheetVisibleEnum.Visible
    ]
    hidden = [i for i, _ in worksheets if i not in visible]
    return visible, hidden


def _load_sheet(
    book: python_calamine.CalamineWorkbook, index: int, fmt: str
) -> python_calamine.CalamineSheet:
    try:
        sheet = book.get_sheet_by_index(index)
    except BaseException as error:
        if not _is_calamine_failure(error):
            raise
        raise not_excel(fmt) from error
    check_row_count(sheet.height)
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
        raise not_excel(fmt) from error
    top, left = sheet.start or (0, 0)
    warnings = fill_merged_down(grid, merges, top, left)
    for i, row in enumerate(grid):
        grid[i] = [cell if cell.__class__ is str else value_text(cell) for cell in row]
    numbers = list(range(top + 1, top + len(grid) + 1))
    return cast(list[list[str]], grid), numbers, warnings


def _other_sheets_warning(name: str, others: list[str]) -> str:
    listed = "、".join(f"“{other}”" for other in others[:5]) + ("等" if len(others) > 5 else "")
    names = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
    return (
        f"只读取了第一张有内容的工作表“{name}”，{listed} 未读取；如需导入请分别另存后上传"
        f" / only the first filled sheet {name!r} was read, not {names}: save those"
        " separately to import them"
    )
