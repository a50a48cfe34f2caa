"""Importing a county union's station list: the whole pipeline, step by step.

:func:`import_file` (the CLI) and :func:`import_upload` read the file and hand it
to :func:`import_sheet`, which reads like its table of contents: find the table,
parse each row, convert coordinates to WGS-84, place rows in counties (rejecting
those outside the uploader's jurisdiction), drop repeats within the file, match
against the store, then write the plan in one transaction (or, for a dry run, only
report it). :func:`plan_sheet` is every step but the writing: the web's previewed
uploads (:mod:`.uploads`) keep its plan to write later.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from ..coordinates import CRS_NAMES, to_wgs84
from ..errors import BadRequest
from ..regions import RegionIndex
from ..store import Actor, Store
from .apply import apply_import
from .changes import plan_changes
from .column_contents import header_above_locations
from .columns import ColumnMap, is_known_header, map_columns
from .coordinate_systems import choose_crs, compare_systems, fit_by_system, overridden_warning
from .plan import Closure, ImportPlan
from .readers import ImportFileError, Sheet, find_header_row, read_sheet, read_sheet_bytes
from .report import ImportReport, RowIssue
from .rows import ParsedRow, parse_row

log = logging.getLogger(__name__)

STEPS = ("parsing rows", "converting coordinates", "matching against the store", "writing")
"""The steps :func:`import_sheet` reports to its ``progress`` callback, in order."""

LOCAL_FILE_MAX_BYTES = 200_000_000
"""Files named on the command line: a 173,000-row national CSV is about 22 MB."""

SMALL_FILE_SHARE = 0.5
"""--close-missing is refused when the file has fewer rows than this share of the list's
open stations: a truncated export must not close half a county."""


@dataclass(frozen=True)
class ImportOptions:
    """How to read and apply one file."""

    crs: str | None = None
    """The coordinate system the file's coordinates are in (``wgs84``, ``gcj02``, ``bd09``).
    None: the file must declare it (GeoJSON, a note in its coordinate headers, a stationmap
    export), else the import is refused with ``CrsRequired``
    (:mod:`.coordinate_systems`)."""
    dry_run: bool = False
    strict: bool = False
    """All or nothing: any rejected row means nothing is written."""
    close_missing: bool = False
    """Close this source's stations that the file no longer lists."""
    union_id: str | None = None
    """The union that owns the stations (default: each station's county union)."""
    county: str | None = None
    """The county (adcode) the list is declared to cover; stations outside are flagged."""
    source_name: str | None = None
    """Names the list across imports (default: the file name)."""
    columns: dict[str, str] = field(default_factory=dict)
    """Header text → field, for columns the synonym table does not know."""
    actor: Actor = "import"
    jurisdiction: str | None = None
    """The counties the uploader may write (an adcode prefix, ``""`` for all); rows in any
    other county are rejected row by row. None: no limit (the server's shell)."""


@dataclass
class Table:
    """The part of a sheet that is the station table."""

    header: list[str]
    columns: ColumnMap
    rows: list[tuple[int, list[str]]]
    header_row: int

    def coordinate_headers(self) -> list[str]:
        """The header cells of the columns the coordinates come from."""
        fields = ("point",) if "point" in self.columns.positions else ("lon", "lat")
        return [self.header[self.columns.positions[f]] for f in fields]


def import_file(
    store: Store, path: Path, options: ImportOptions, progress: Callable[[str], None] | None = None
) -> ImportReport:
    """Import a station list file (xlsx, xls, ods, csv, txt, geojson).

    A local file may be as large as a national list (:data:`LOCAL_FILE_MAX_BYTES`);
    uploads keep the reader's smaller limit.
    """
    sheet = read_sheet(path, max_bytes=LOCAL_FILE_MAX_BYTES)
    return import_sheet(store, sheet, path.name, options, progress)


def import_upload(store: Store, data: bytes, filename: str, options: ImportOptions) -> ImportReport:
    """Import an uploaded file's bytes (what the web upload calls)."""
    return import_sheet(store, read_sheet_bytes(data, filename), filename, options)


def import_sheet(
    store: Store,
    sheet: Sheet,
    filename: str,
    options: ImportOptions,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Run every step on a sheet already read; returns the report."""
    say = progress or (lambda step: None)
    plan, report = plan_sheet(store, sheet, filename, options, say)
    return _finish(store, plan, options, report, say)


def plan_sheet(
    store: Store,
    sheet: Sheet,
    filename: str,
    options: ImportOptions,
    say: Callable[[str], None] = lambda step: None,
) -> tuple[ImportPlan, ImportReport]:
    """Every step but writing: the plan and its report. Reads the store, writes nothing."""
    _check_options(options)
    table = locate_table(sheet, options)
    say("parsing rows")
    parsed = [parse_row(number, cells, table.columns, table.header) for number, cells in table.rows]
    choice = choose_crs(
        options.crs,
        sheet.source_format,
        table.header,
        table.coordinate_headers(),
        lambda: fit_by_system(parsed, store.regions, options.county),
    )
    options = replace(options, crs=choice.crs)
    say("converting coordinates")
    doubt = compare_systems(parsed, choice.crs, store.regions, options.county)
    convert_to_wgs84(parsed, choice.crs)
    place_in_counties(parsed, store, options)
    reject_outside_jurisdiction(parsed, options.jurisdiction, store.regions)
    report = _start_report(sheet, table, filename, options, parsed)
    report.source["crs_declared_by"] = choice.declared_by
    report.warnings[:0] = [w for w in (overridden_warning(choice), doubt) if w is not None]
    say("matching against the store")
    plan = plan_changes(
        store,
        _accepted(parsed),
        options,
        report,
        source_name=options.source_name or filename,
        source_format=sheet.source_format,
    )
    _maybe_close_missing(store, plan, options, report)
    return plan, report


def locate_table(sheet: Sheet, options: ImportOptions) -> Table:
    """The header row and the rows below it, with their columns mapped to fields.

    The header is the row naming most known columns; when no row names two, it is the
    row above the first that holds a location (:func:`header_above_locations`). Columns
    are mapped by the clerk's mapping, their names, then their content.
    """
    at = _header_row(sheet, {k.lower() for k in options.columns})
    header = sheet.rows[at]
    columns = map_columns(header, options.columns, sheet.rows[at + 1 :])
    rows = list(zip(sheet.row_numbers[at + 1 :], sheet.rows[at + 1 :], strict=True))
    return Table(header, columns, rows, sheet.row_numbers[at])


def _header_row(sheet: Sheet, overrides: set[str]) -> int:
    """By names (:func:`find_header_row`), else by content (:func:`header_above_locations`)."""
    try:
        return find_header_row(sheet, lambda c: is_known_header(c) or c.lower() in overrides)
    except ImportFileError:
        found = header_above_locations(sheet)
        if found is None:
            raise
        return found


def convert_to_wgs84(parsed: list[ParsedRow], crs: str) -> None:
    """Coordinates from the declared system to WGS-84; rows outside China are rejected."""
    located = [p for p in parsed if not p.rejected and "lon" in p.values]
    if not located:
        return
    lon = np.array([p.values["lon"] for p in located])
    lat = np.array([p.values["lat"] for p in located])
    wgs_lon, wgs_lat = to_wgs84(lon, lat, crs, on_outside="nan")
    for row, x, y in zip(located, wgs_lon.tolist(), wgs_lat.tolist(), strict=True):
        if math.isnan(x) or math.isnan(y):
            row.rejected.append(
                RowIssue(
                    row.row,
                    "坐标",
                    f"{row.values['lon']},{row.values['lat']}",
                    "outside_china",
                    "坐标不在中国大陆境内，请检查经纬度和坐标系",
                    "the point is outside mainland China: check the coordinates and their system",
                )
            )
        else:
            row.values["lon"], row.values["lat"] = x, y


def place_in_counties(parsed: list[ParsedRow], store: Store, options: ImportOptions) -> None:
    """Each accepted row's county from its point; rows outside the declared county flagged."""
    rows = _accepted(parsed)
    if not rows:
        return
    regions = store.regions
    found = regions.in_china(
        np.array([r.values["lon"] for r in rows]), np.array([r.values["lat"] for r in rows])
    )
    adcodes = regions.locate(
        np.array([r.values["lon"] for r in rows]), np.array([r.values["lat"] for r in rows])
    )
    for row, inside, adcode in zip(rows, found, adcodes, strict=True):
        if not inside or not adcode:
            row.rejected.append(
                RowIssue(
                    row.row,
                    "坐标",
                    f"{row.values['lon']:.6f},{row.values['lat']:.6f}",
                    "outside_china",
                    "坐标不在中国大陆境内",
                    "the point is outside mainland China",
                )
            )
            continue
        row.values["adcode"] = adcode
        _flag_outside_declared(row, adcode, options, regions)


def reject_outside_jurisdiction(
    parsed: list[ParsedRow], jurisdiction: str | None, regions: RegionIndex
) -> None:
    """Reject each accepted row whose county the uploader may not write (never planned)."""
    if jurisdiction is None:
        return
    for row in _accepted(parsed):
        adcode = row.values["adcode"]
        if not adcode.startswith(jurisdiction):
            row.rejected.append(_outside_jurisdiction(row, adcode, regions))


def _outside_jurisdiction(row: ParsedRow, adcode: str, regions: RegionIndex) -> RowIssue:
    county = regions.county(adcode)
    where = f"{county.province}{county.city}{county.name}" if county else adcode
    return RowIssue(
        row.row,
        "坐标",
        f"{row.values['lon']:.6f},{row.values['lat']:.6f}",
        "outside_jurisdiction",
        f"驿站位于{where}（{adcode}），不在本单位管辖范围内，未导入；请由该区县的工会导入",
        f"the station lies in {where} ({adcode}), outside your union's jurisdiction: "
        "not imported; that county's union may import it",
    )


def _flag_outside_declared(row: ParsedRow, adcode: str, options: ImportOptions, regions) -> None:
    declared = options.county or row.values.get("declared_adcode")
    county_name = row.values.get("declared_county")
    county = regions.county(adcode)
    outside = (declared and declared != adcode) or (
        county_name and county is not None and county_name not in (county.name, county.name[:-1])
    )
    if outside:
        row.warnings.append(
            RowIssue(
                row.row,
                "坐标",
                f"{row.values['lon']:.6f},{row.values['lat']:.6f}",
                "outside_declared_county",
                f"坐标位于{county.province}{county.city}{county.name}，不在本表所属区县",
                f"the point lies in {county.name} ({adcode}), not in the declared county",
            )
        )


def _accepted(parsed: list[ParsedRow]) -> list[ParsedRow]:
    return [p for p in parsed if not p.rejected]


def _check_options(options: ImportOptions) -> None:
    if options.crs is not None and options.crs not in CRS_NAMES:
        raise BadRequest(
            f"crs: got {options.crs!r}, expected one of {', '.join(CRS_NAMES)}",
            code="invalid_parameter",
        )
    if options.county is not None and not (len(options.county) == 6 and options.county.isdigit()):
        raise BadRequest(
            f"county: got {options.county!r}, expected a 6-digit county code such as 320102",
            code="invalid_parameter",
        )


def _start_report(
    sheet: Sheet, table: Table, filename: str, options: ImportOptions, parsed: list[ParsedRow]
) -> ImportReport:
    report = ImportReport(dry_run=options.dry_run)
    report.source = {
        "file": filename,
        "format": sheet.source_format,
        "encoding": sheet.encoding,
        "sheet": sheet.sheet_name,
        "header_row": table.header_row,
        "crs": options.crs,
        "columns": {f: table.header[i] for f, i in table.columns.positions.items()},
        "recognised": [asdict(r) for r in table.columns.recognised],
    }
    report.header = table.header
    report.warnings += _unused_column_warnings(table)
    report.warnings += [
        RowIssue(
            None,
            cell,
            "",
            "unknown_column",
            f"未识别的列“{cell}”，未导入",
            f"column {cell!r} matches no field and was not imported",
        )
        for cell in table.columns.unknown
    ]
    report.warnings += [
        RowIssue(
            None,
            cell,
            "",
            "repeated_column",
            f"列“{cell}”与前面的列重复，未导入",
            f"column {cell!r} repeats an earlier one and was not imported",
        )
        for cell in table.columns.duplicates
    ]
    report.warnings += [RowIssue(None, "", "", "file", w, w) for w in sheet.warnings]
    cells = dict(table.rows)
    for row in parsed:
        report.rejected += row.rejected
        report.warnings += row.warnings
        if row.rejected:
            report.rejected_cells[row.row] = cells[row.row]
    report.counts["rows"] = len(parsed)
    report.counts["rejected"] = sum(1 for p in parsed if p.rejected)
    return report


FIELD_WORDS = {
    "point": "坐标",
    "lon": "经度",
    "lat": "纬度",
    "amenities": "服务内容",
    "hours": "开放时间",
    "phone": "电话",
    "name": "驿站名称",
}
"""What the content-recognised fields are called in the clerk's messages."""


def _unused_column_warnings(table: Table) -> list[RowIssue]:
    """A warning for each column whose content looks like a field another column holds."""
    return [
        RowIssue(
            None,
            cell,
            "",
            "unused_column",
            f"列“{cell}”看起来是{FIELD_WORDS[name]}，但已从“{_column_of(table, name)}”列读取，"
            f"此列未导入；如要改用此列，请用 --column {cell}={name}",
            f"column {cell!r} looks like {name} ({how}), but {name} is read from column "
            f"{_column_of(table, name)!r}: not imported; to use it instead, map it with "
            f"--column {cell}={name}",
        )
        for cell, name, how in table.columns.unused
    ]


def _column_of(table: Table, name: str) -> str:
    """The header of the column ``name`` is read from (a coordinate field: its columns)."""
    if name in ("point", "lon", "lat"):
        return "、".join(table.coordinate_headers())
    return table.header[table.columns.positions[name]]


def _maybe_close_missing(
    store: Store, plan: ImportPlan, options: ImportOptions, report: ImportReport
) -> None:
    if not options.close_missing:
        return
    stations = [s for s in store.source_stations(plan.source_name) if s.status != "closed"]
    rows_now = report.counts["rows"]
    if rows_now < SMALL_FILE_SHARE * len(stations):
        report.warnings.append(
            RowIssue(
                None,
                "",
                "",
                "close_missing_refused",
                f"本次文件只有{rows_now}行，远少于该名单现有的{len(stations)}个驿站，未关闭任何驿站",
                f"the file has {rows_now} rows against {len(stations)} open stations from this "
                "list: nothing was closed",
            )
        )
        return
    seen = set(plan.matched_ids)
    plan.closures = [Closure(s.id, s.version, s.status) for s in stations if s.id not in seen]
    plan.counts["closed"] = len(plan.closures)
    report.counts["closed"] = len(plan.closures)


def _finish(
    store: Store,
    plan: ImportPlan,
    options: ImportOptions,
    report: ImportReport,
    say: Callable[[str], None],
) -> ImportReport:
    if options.strict and report.rejected:
        report.warnings.append(
            RowIssue(
                None,
                "",
                "",
                "strict",
                "有被拒绝的行，按 --strict 要求未写入任何数据",
                "rows were rejected and --strict asks for all or nothing: nothing was written",
            )
        )
        report.dry_run = True
        return report
    if options.dry_run:
        return report
    say("writing")
    log.info(
        "writing %d new and %d changed stations in one transaction",
        len(plan.additions),
        len(plan.updates),
    )
    started = time.perf_counter()
    batch = apply_import(store, plan)
    log.info("import batch %s written in %.1f s", batch.id, time.perf_counter() - started)
    report.batch_id = batch.id
    return report
