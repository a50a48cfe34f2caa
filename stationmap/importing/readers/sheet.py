"""The table every reader produces, and finding its header row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import ImportFileError
from .guards.sizes import check_grid


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


def tabulate(rows: list[list[str]], numbers: list[int], source_format: str, **meta: Any) -> Sheet:
    """The ``Sheet`` of these rows: blank rows dropped, the rest padded to one width
    (refused first if that would make a grid of more than ``MAX_CELLS``: one wide row in a
    long text file would otherwise pad every row to its width)."""
    kept = [
        (row, number) for row, number in zip(rows, numbers, strict=True) if "".join(row).strip()
    ]
    if not kept:
        raise ImportFileError(
            "文件为空：没有任何有内容的行 / the file is empty: it has no filled rows"
        )
    width = max(len(row) for row, _ in kept)
    check_grid(len(kept), width)
    for row, _ in kept:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    return Sheet(
        rows=[row for row, _ in kept],
        row_numbers=[number for _, number in kept],
        source_format=source_format,
        **meta,
    )
