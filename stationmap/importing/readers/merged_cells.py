"""Merged cells in a workbook: a 区县 or 街道 column merged down many rows, filled down."""

from __future__ import annotations

from typing import Any


def fill_merged_down(grid: list[list[Any]], merges: list[Any], top: int, left: int) -> list[str]:
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
        f"{column_letters(first_column)}{first_row + 1}:{column_letters(last_column)}{last_row + 1}"
    )


def column_letters(index: int) -> str:
    """``0`` -> ``A``, ``26`` -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
