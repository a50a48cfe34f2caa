"""Candidate sites for new stations: the area's gap cells, or a list a planner uploads.

An uploaded list (addresses of willing hosts: restaurants, banks, shops) is read the way
an import reads a station list (xlsx/xls/ods/csv/txt/GeoJSON, GBK or UTF-8, messy
headers, coordinates in one column or two, WGS-84/GCJ-02/BD-09) and converted to WGS-84.
Nothing is written anywhere: only the points and their names are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import BadRequest
from ..importing.coordinate_systems import choose_crs, fit_by_system
from ..importing.pipeline import ImportOptions, convert_to_wgs84, locate_table
from ..importing.readers import read_sheet_bytes
from ..importing.report import RowIssue
from ..importing.rows import parse_row
from ..regions import load_regions

MAX_CANDIDATES = 20_000


@dataclass(frozen=True)
class Candidates:
    """Candidate sites: WGS-84 points, with names when a list gave them."""

    lon: np.ndarray
    lat: np.ndarray
    names: tuple[str, ...] = ()
    source: str = "gap cells"
    skipped: list[dict[str, Any]] = field(default_factory=list)
    """Rows of an uploaded list that gave no usable point, and why."""

    def __len__(self) -> int:
        return len(self.lon)


def read_candidates(data: bytes, filename: str, crs: str | None) -> Candidates:
    """The points of an uploaded candidate list; a 400 naming ``file`` when none is readable."""
    try:
        sheet = read_sheet_bytes(data, filename)
        table = locate_table(sheet, ImportOptions(crs=crs))
    except BadRequest as error:  # unreadable, or no name and location columns
        raise BadRequest(f"file: {error.message}", code=error.code, **error.details) from None
    parsed = [parse_row(number, cells, table.columns, table.header) for number, cells in table.rows]
    for row in parsed:  # a host without a name is still a place to consider
        row.rejected = [issue for issue in row.rejected if issue.code != "missing_name"]
        row.values["name"] = row.values.get("name") or f"候选点 {row.row}"
    regions = load_regions()
    choice = choose_crs(
        crs,
        sheet.source_format,
        table.header,
        table.coordinate_headers(),
        lambda: fit_by_system(parsed, regions, None),
    )
    convert_to_wgs84(parsed, choice.crs)
    usable = [row for row in parsed if not row.rejected and "lon" in row.values]
    skipped = [
        {"row": issue.row, "problem": issue.message, "problem_en": issue.message_en}
        for row in parsed
        if row.rejected or "lon" not in row.values
        for issue in (row.rejected or [_no_point(row.row)])
    ]
    if not usable:
        raise BadRequest(
            f"file: no row of {filename} gives a readable point (longitude and latitude, or "
            "one coordinate column); expected a list with coordinates such as 经度/纬度",
            code="no_candidates",
            skipped=skipped[:20],
        )
    if len(usable) > MAX_CANDIDATES:
        raise BadRequest(
            f"file: {len(usable):,} candidate sites, expected at most {MAX_CANDIDATES:,}",
            code="too_many_candidates",
        )
    return Candidates(
        lon=np.array([row.values["lon"] for row in usable], dtype=float),
        lat=np.array([row.values["lat"] for row in usable], dtype=float),
        names=tuple(str(row.values["name"]) for row in usable),
        source=f"uploaded list {filename} ({choice.crs})",
        skipped=skipped,
    )


def _no_point(row: int) -> RowIssue:
    return RowIssue(row, "坐标", "", "missing_location", "没有坐标", "no coordinates")
