"""Coverage answers as tables planners open in Excel: CSV (UTF-8 with a BOM) and xlsx.

Each table has Chinese headers with the API's field names in brackets, one row per area
(or hour, or proposed site), and a last column carrying the note that the population is
modelled wherever it is, so a copied sheet keeps its warning.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

AREA_COLUMNS = (
    ("adcode", "行政区划代码"),
    ("name", "名称"),
    ("level", "级别"),
    ("population", "人口"),
    ("covered_population", "覆盖人口"),
    ("uncovered_population", "未覆盖人口"),
    ("covered_share", "覆盖率"),
    ("stations", "驿站数"),
    ("stations_open", "该时刻开放驿站数"),
    ("stations_unknown_hours", "开放时间未知驿站数"),
    ("stations_per_10k", "每万人驿站数"),
    ("median_distance_m", "距最近开放驿站中位数（米）"),
    ("p90_distance_m", "距最近开放驿站90分位数（米）"),
    ("population_source", "人口来源"),
)
HOUR_COLUMNS = (("hour", "小时"), ("at", "时刻"), *AREA_COLUMNS[3:])
SITE_COLUMNS = (
    ("rank", "序号"),
    ("lon", "经度"),
    ("lat", "纬度"),
    ("newly_covered", "新增覆盖人口"),
    ("name", "候选点名称"),
)
NOTE_HEADER = "说明"
CSV_MEDIA = "text/csv; charset=utf-8"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def coverage_rows(answer: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The areas of a coverage answer, then its total."""
    rows = [_pick(area, AREA_COLUMNS) for area in [*answer["areas"], answer["total"]]]
    return _headers(AREA_COLUMNS), _noted(rows, answer)


def day_rows(answer: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """One row per hour of a day profile."""
    rows = [
        _pick({**h["total"], "hour": h["hour"], "at": h["at"]}, HOUR_COLUMNS)
        for h in answer["hours"]
    ]
    return _headers(HOUR_COLUMNS), _noted(rows, answer)


def site_rows(answer: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """One row per proposed site, in the order chosen."""
    rows = [
        _pick({**site, "rank": rank}, SITE_COLUMNS)
        for rank, site in enumerate(answer["sites"], start=1)
    ]
    return _headers(SITE_COLUMNS), _noted(rows, answer)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """CSV with a byte-order mark, so Excel on Chinese Windows reads it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_safe(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str) -> bytes:
    """One worksheet, headers bold and frozen, numbers as numbers."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    page = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    page.write_row(0, 0, headers, bold)
    for number, row in enumerate(rows, start=1):
        page.write_row(number, 0, ["" if value is None else value for value in row])
    page.freeze_panes(1, 0)
    page.set_column(0, len(headers) - 1, 14)
    book.close()
    return out.getvalue()


def _headers(columns: Sequence[tuple[str, str]]) -> list[str]:
    return [f"{zh} [{key}]" for key, zh in columns] + [NOTE_HEADER]


def _pick(record: dict[str, Any], columns: Sequence[tuple[str, str]]) -> list[Any]:
    return [record.get(key) for key, _ in columns]


def _noted(rows: list[list[Any]], answer: dict[str, Any]) -> list[list[Any]]:
    note = answer.get("population_note") or ""
    return [[*row, note] for row in rows]


def _safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value
