"""Guard against oversized files and tables: the limits every reader enforces.

Stops a denial of service by sheer size: a 200 MB upload, a million-row "station list",
a text line of 20,000 cells, a sheet whose used range would make calamine allocate a
grid of billions of cells. The file's size is checked before its bytes are read or
decompressed; rows and columns are checked as they are counted, and a workbook's grid
is checked by the extent guards before calamine is allowed to build it.

The limits are read from this module when a check runs, so a test may lower one.
"""

from __future__ import annotations

from ..errors import ImportFileError

MAX_BYTES = 20_000_000
"""Default limit on the size of an uploaded file."""
MAX_ROWS = 1_000_000
"""A file with more rows than this is refused (China has about 173,000 stations)."""
MAX_CELLS = 10_000_000
"""Largest grid (rows x columns of the used range) a workbook may make calamine build."""
MAX_COLUMNS = 10_000
"""A text row with more cells than this is not a station list."""


def check_size(size: int, max_bytes: int) -> None:
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


def check_row_count(count: int) -> None:
    """Refuse a table of more than :data:`MAX_ROWS` rows."""
    if count > MAX_ROWS:
        raise ImportFileError(
            f"行数超过 {MAX_ROWS:,} 行，不像是驿站清单，请按区县拆分后上传"
            f" / more than {MAX_ROWS:,} rows, which is no station list: split it by county"
        )


def check_width(row: list[str], line: int) -> None:
    """Refuse a text row of more than :data:`MAX_COLUMNS` cells."""
    if len(row) > MAX_COLUMNS:
        raise ImportFileError(
            f"第 {line} 行有 {len(row):,} 列，这不像驿站清单"
            f" / line {line} has {len(row):,} columns: this is not a station list"
        )


def check_grid(rows: int, columns: int) -> None:
    """Refuse a grid calamine should not build."""
    check_row_count(rows)
    if rows * columns > MAX_CELLS:
        raise grid_too_large(rows, columns)


def grid_too_large(rows: int, columns: int) -> ImportFileError:
    """The refusal of a sheet (or workbook) spanning more than :data:`MAX_CELLS` cells."""
    return ImportFileError(
        f"表格范围过大（约 {rows:,} 行 × {columns:,} 列），远处可能有零散的内容；"
        "请删除表格下方和右侧多余的行列后另存"
        f" / the sheet spans about {rows:,} rows x {columns:,} columns: delete stray cells"
        " far below or right of the table and save again"
    )
