"""Turning the cells of one spreadsheet row into a candidate station, with its problems.

Each row becomes a :class:`ParsedRow`: our fields (coordinates still in the file's
declared system), plus the reasons it must be rejected and the warnings a clerk
should see. Nothing here touches the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store.validation import FORMULA_LIKE, TEXT_LIMITS
from ..vocabulary import STATUSES
from .columns import ColumnMap
from .report import RowIssue
from .values import (
    CellProblem,
    infer_kind,
    normalize_text,
    order_lon_lat,
    parse_amenities,
    parse_coordinate,
    parse_hours,
    parse_phones,
    parse_point,
)

STATUS_WORDS = {
    "正常": "active",
    "开放": "active",
    "运行": "active",
    "在用": "active",
    "启用": "active",
    "暂停": "temporarily_closed",
    "暂停开放": "temporarily_closed",
    "维修": "temporarily_closed",
    "关闭": "closed",
    "撤销": "closed",
    "停用": "closed",
    "已关闭": "closed",
    "待审核": "pending",
    "筹建": "pending",
    "在建": "pending",
}

HEADER_NAMES = {
    "name": "驿站名称",
    "address": "地址",
    "lon": "经度",
    "lat": "纬度",
    "point": "坐标",
    "phone": "电话",
    "hours": "开放时间",
    "amenities": "服务内容",
    "kind": "类型",
    "source_key": "编号",
    "status": "状态",
    "adcode": "区划代码",
    "county": "区县",
    "station_id": "id",
    "hours_raw": "opening_hours_raw",
}


@dataclass
class ParsedRow:
    """One row's candidate station (coordinates in the declared system) and its issues."""

    row: int
    values: dict = field(default_factory=dict)
    rejected: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)


def parse_row(row: int, cells: list[str], columns: ColumnMap, header: list[str]) -> ParsedRow:
    """Every field the columns give, parsed; problems recorded against their column."""
    parsed = ParsedRow(row)
    cell = _Cells(parsed, cells, columns, header)
    _refuse_formulas(cell)
    name = normalize_text(cell.text("name"))
    if not name:
        cell.reject("name", "missing_name", "驿站名称为空", "the station name is empty")
    parsed.values["name"] = name
    _parse_location(cell)
    for field_name, parse in _PARSERS.items():
        if field_name in columns.positions:
            parse(cell)
    given_kind = cell.text("kind") if "kind" in columns.positions else None
    parsed.values["kind"], parsed.values["kind_inferred"] = infer_kind(name, given_kind or None)
    _refuse_over_long(cell)
    return parsed


class _Cells:
    """Access to one row's cells by field, and a place to record what is wrong."""

    def __init__(
        self, parsed: ParsedRow, cells: list[str], columns: ColumnMap, header: list[str]
    ) -> None:
        self.parsed, self.cells, self.columns, self.header = parsed, cells, columns, header

    def text(self, field_name: str) -> str:
        index = self.columns.positions.get(field_name)
        return self.cells[index].strip() if index is not None and index < len(self.cells) else ""

    def column(self, field_name: str) -> str:
        index = self.columns.positions.get(field_name)
        return self.header[index] if index is not None else HEADER_NAMES[field_name]

    def reject(self, field_name: str, code: str, zh: str, en: str) -> None:
        self.parsed.rejected.append(self._issue(field_name, code, zh, en))

    def warn(self, field_name: str, code: str, zh: str, en: str) -> None:
        self.parsed.warnings.append(self._issue(field_name, code, zh, en))

    def problem(self, field_name: str, problem: CellProblem, *, reject: bool) -> None:
        record = self.reject if reject else self.warn
        record(field_name, problem.code, problem.message_zh, problem.message_en)

    def _issue(self, field_name: str, code: str, zh: str, en: str) -> RowIssue:
        return RowIssue(
            self.parsed.row, self.column(field_name), self.text(field_name), code, zh, en
        )


_CHECKED_TEXT = {
    "name": "name",
    "address": "address",
    "phone": "phone",
    "hours": "opening_hours_raw",
}
"""Import column → the station field its text becomes, for the store boundary's text rules."""


def _refuse_formulas(cell: _Cells) -> None:
    for field_name in _CHECKED_TEXT:
        if FORMULA_LIKE.match(cell.text(field_name)):
            cell.reject(
                field_name,
                "formula_text",
                "单元格内容像公式（以 = + - @ 开头），为安全起见不导入，请改为普通文字",
                "the cell looks like a spreadsheet formula; refused for safety: write plain text",
            )


def _refuse_over_long(cell: _Cells) -> None:
    """Text longer than the store takes (:data:`TEXT_LIMITS`), rejected with its row rather
    than refusing the whole import when it is written."""
    for column, field_name in _CHECKED_TEXT.items():
        limit, value = TEXT_LIMITS[field_name], cell.parsed.values.get(field_name)
        if isinstance(value, str) and len(value.strip()) > limit:
            cell.reject(
                column,
                "text_too_long",
                f"内容过长（{len(value.strip())} 字），最多 {limit} 字",
                f"the text is {len(value.strip())} characters long, expected at most {limit}",
            )


def _parse_location(cell: _Cells) -> None:
    if "point" in cell.columns.positions and cell.text("point"):
        point = parse_point(cell.text("point"))
        if isinstance(point, CellProblem):
            return cell.problem("point", point, reject=True)
        lon, lat, swapped = point
        source = "point"
    else:
        first, second = (parse_coordinate(cell.text(f)) for f in ("lon", "lat"))
        if isinstance(first, CellProblem):
            return cell.problem("lon", first, reject=True)
        if isinstance(second, CellProblem):
            return cell.problem("lat", second, reject=True)
        ordered = order_lon_lat(first, second)
        if isinstance(ordered, CellProblem):
            return cell.problem("lon", ordered, reject=True)
        lon, lat, swapped = ordered
        source = "lon"
    if swapped:
        cell.warn(
            source,
            "swapped_coordinates",
            "经纬度填反了，已自动对调",
            "longitude and latitude were swapped; fixed",
        )
    cell.parsed.values["lon"], cell.parsed.values["lat"] = lon, lat


def _parse_address(cell: _Cells) -> None:
    cell.parsed.values["address"] = normalize_text(cell.text("address"))


def _parse_phone(cell: _Cells) -> None:
    result = parse_phones(cell.text("phone"))
    cell.parsed.values["phone"] = ";".join(result.phones) or normalize_text(cell.text("phone"))
    if result.problem:
        cell.problem("phone", result.problem, reject=False)


def _parse_hours(cell: _Cells) -> None:
    """OSM hours from the hours cell; the text as first written from the ``hours_raw`` column
    when the file has one (a stationmap export), else the hours cell itself."""
    raw = cell.text("hours")
    result = parse_hours(raw)
    cell.parsed.values["opening_hours"] = result.osm
    if "hours_raw" in cell.columns.positions:
        raw = cell.text("hours_raw")
    cell.parsed.values["opening_hours_raw"] = raw or None
    if result.problem and not (raw and "hours_raw" in cell.columns.positions):
        cell.problem("hours", result.problem, reject=False)


def _parse_amenities(cell: _Cells) -> None:
    result = parse_amenities(cell.text("amenities"))
    cell.parsed.values["amenities"] = tuple(result.keys)
    if result.unknown_words:
        words = "、".join(result.unknown_words)
        cell.warn(
            "amenities",
            "unknown_amenity",
            f"不认识的服务内容：{words}（未导入）",
            f"unknown services, not imported: {words}",
        )


def _parse_status(cell: _Cells) -> None:
    text = normalize_text(cell.text("status"))
    status = text if text in STATUSES else STATUS_WORDS.get(text)
    if text and status is None:
        cell.reject(
            "status",
            "bad_status",
            f"状态“{text}”无法识别，应为：正常、暂停、关闭、待审核",
            f"unknown status {text!r}: expected 正常, 暂停, 关闭 or 待审核",
        )
    cell.parsed.values["status"] = status or "active"


def _parse_source_key(cell: _Cells) -> None:
    cell.parsed.values["source_key"] = normalize_text(cell.text("source_key")) or None


def _parse_station_id(cell: _Cells) -> None:
    cell.parsed.values["station_id"] = normalize_text(cell.text("station_id")) or None


def _parse_region(cell: _Cells) -> None:
    cell.parsed.values["declared_adcode"] = normalize_text(cell.text("adcode")) or None


def _parse_county(cell: _Cells) -> None:
    cell.parsed.values["declared_county"] = normalize_text(cell.text("county")) or None


_PARSERS = {
    "address": _parse_address,
    "phone": _parse_phone,
    "hours": _parse_hours,
    "amenities": _parse_amenities,
    "status": _parse_status,
    "source_key": _parse_source_key,
    "station_id": _parse_station_id,
    "adcode": _parse_region,
    "county": _parse_county,
}
