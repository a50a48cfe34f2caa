"""Which column of a county's list holds which of our fields.

Headers vary (驿站名称 / 站点名称 / 名称, 经度 / JD, 坐标 as "116.40,39.90", English
names); :data:`SYNONYMS` maps them onto our fields after :func:`normalize_header`
folds width, case, spaces and bracketed notes such as "（WGS84）". A mapping file
or CLI option can name columns the table does not know (or say ``ignore``). A column
whose name is unknown is then recognised by what its cells hold
(:mod:`.column_contents`): coordinate pairs, services, hours, phones. Columns that
match no field are reported, never silently dropped.

A stationmap export (its header has ``id``, ``source_key`` and ``union_id``) maps by
the export's own names: ``id`` is then the station's public id (``station_id``), not a
source key, and the columns stationmap fills in itself (``province``, ``city``,
``union_id``, ``updated_at``, ``notice``) are ignored without a warning. So are a closed
station's ``status_reason`` and ``reopen_on`` (in CSV and GeoJSON exports alike): unions
set them on the web, and imports do not compare them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BadRequest
from .column_contents import recognise_columns

FIELDS = (
    "name",
    "address",
    "lon",
    "lat",
    "point",
    "phone",
    "hours",
    "amenities",
    "kind",
    "source_key",
    "status",
    "adcode",
    "county",
    "station_id",
    "hours_raw",
    "ignore",
)
"""The fields a column can hold; ``point`` is a combined "lon,lat" (or "lat,lng") cell,
``station_id`` a stationmap public id (from an export), ``hours_raw`` the hours as first
written (from an export), ``ignore`` a column deliberately not imported."""

_SYNONYM_LISTS: dict[str, tuple[str, ...]] = {
    "name": (
        "驿站名称",
        "站点名称",
        "名称",
        "驿站名",
        "站点名",
        "服务站名称",
        "网点名称",
        "阵地名称",
        "name",
        "stationname",
        "station",
        "mc",
        "zdmc",
    ),
    "address": (
        "详细地址",
        "地址",
        "驿站地址",
        "站点地址",
        "具体位置",
        "位置",
        "所在位置",
        "address",
        "addr",
        "dz",
        "xxdz",
    ),
    "lon": ("经度", "东经", "longitude", "lon", "lng", "long", "x", "jd", "x坐标"),
    "lat": ("纬度", "北纬", "latitude", "lat", "y", "wd", "y坐标"),
    "point": (
        "坐标",
        "经纬度",
        "经纬度坐标",
        "位置坐标",
        "地理坐标",
        "坐标经纬度",
        "coordinates",
        "coordinate",
        "coords",
        "location",
        "lnglat",
        "latlng",
        "zb",
        "jwd",
    ),
    "phone": (
        "联系电话",
        "电话",
        "手机号码",
        "手机",
        "联系方式",
        "电话号码",
        "联系人电话",
        "服务电话",
        "phone",
        "tel",
        "telephone",
        "mobile",
        "dh",
        "lxdh",
    ),
    "hours": (
        "开放时间",
        "营业时间",
        "服务时间",
        "开放时段",
        "开放时长",
        "hours",
        "openinghours",
        "opening_hours",
        "kfsj",
    ),
    "amenities": (
        "服务内容",
        "服务项目",
        "服务功能",
        "配套设施",
        "设施",
        "设施设备",
        "功能",
        "services",
        "service",
        "amenities",
        "facilities",
        "fwnr",
        "fwxm",
    ),
    "kind": (
        "类型",
        "驿站类型",
        "站点类型",
        "依托类型",
        "载体类型",
        "建设类型",
        "kind",
        "type",
        "lx",
    ),
    "source_key": (
        "编号",
        "站点编号",
        "驿站编号",
        "编码",
        "站点编码",
        "id",
        "code",
        "stationid",
        "bh",
        "source_key",
    ),
    "status": ("状态", "运行状态", "开放状态", "status"),
    "adcode": ("区划代码", "行政区划代码", "区县代码", "adcode"),
    "county": ("所属区县", "区县", "县区", "所在区县", "所属区", "区", "district", "county"),
    "hours_raw": ("opening_hours_raw", "开放时间原文"),
    "station_id": ("feature id", "要素id"),
    "ignore": (
        "province",
        "city",
        "省",
        "省份",
        "所属省份",
        "市",
        "城市",
        "所属城市",
        "地市",
        "updated_at",
        "更新时间",
        "status_reason",
        "reopen_on",
    ),
}

SERIAL_HEADERS = ("序号", "no", "no.", "#", "xh")
"""Row counters: recognised as header cells but never a station's key (they shift)."""

EXPORT_MARKERS = frozenset({"id", "source_key", "union_id"})
"""Header cells that together mark a stationmap export."""

EXPORT_COLUMNS = {
    "id": "station_id",
    "source_key": "source_key",
    "opening_hours_raw": "hours_raw",
    "union_id": "ignore",
    "updated_at": "ignore",
    "notice": "ignore",
}
"""How an export's own column names map, where they differ from a clerk's list."""


def normalize_header(text: str) -> str:
    """A header cell folded for matching: width, case, spaces and bracketed notes removed."""
    folded = unicodedata.normalize("NFKC", str(text)).strip().lower()
    folded = re.sub(r"[(\[【].*?[)\]】]", "", folded)
    return re.sub(r"[\s_\-:：*]+", "", folded)


SYNONYMS: dict[str, str] = {
    normalize_header(word): field_name
    for field_name, words in _SYNONYM_LISTS.items()
    for word in words
}


def is_known_header(text: str) -> bool:
    """Whether a cell looks like a column name we know (used to find the header row)."""
    key = normalize_header(text)
    return key in SYNONYMS or key in SERIAL_HEADERS


@dataclass(frozen=True)
class Recognised:
    """How one column came to be read as one field (the import report lists them)."""

    column: str
    """The header cell as written."""
    field: str
    """A name of :data:`FIELDS` (``ignore`` for a column deliberately left out)."""
    by: str
    """``name`` (the synonym table), ``mapping`` (the clerk's --column / mapping file),
    ``export`` (a stationmap export's own names) or ``content`` (what its cells hold)."""
    how: str
    """In words, e.g. ``28 of 30 cells read as coordinate pairs (lon,lat)``."""


@dataclass(frozen=True)
class ColumnMap:
    """Where each field is in the table, and what was left over."""

    positions: dict[str, int]
    """Field name → column index."""
    unknown: list[str] = field(default_factory=list)
    """Header cells that match no field (reported as warnings)."""
    duplicates: list[str] = field(default_factory=list)
    """Header cells naming a field an earlier column already holds (reported)."""
    recognised: list[Recognised] = field(default_factory=list)
    """Every column read as a field (or deliberately ignored), and how it was recognised."""
    unused: list[tuple[str, str, str]] = field(default_factory=list)
    """(header, field, how) of columns whose cells look like a field another column already
    holds: not imported, and reported."""

    def has_coordinates(self) -> bool:
        """Whether the table says where stations are: a lon and lat pair, or a point column."""
        return "point" in self.positions or {"lon", "lat"} <= set(self.positions)


def is_export_header(header: list[str]) -> bool:
    """Whether ``header`` is a stationmap export's (see :data:`EXPORT_MARKERS`)."""
    return {cell.strip() for cell in header} >= EXPORT_MARKERS


def map_columns(
    header: list[str],
    overrides: Mapping[str, str] | None = None,
    rows: Sequence[Sequence[str]] = (),
) -> ColumnMap:
    """Assign header cells to fields: ``overrides`` (header text → field) first, then the
    synonym table, then, for columns still unknown, what their cells in ``rows`` hold."""
    fixed = {normalize_header(k): _check_field(v) for k, v in (overrides or {}).items()}
    export = is_export_header(header)
    positions: dict[str, int] = {}
    recognised: list[Recognised] = []
    unknown_at, duplicates = [], []
    for index, cell in enumerate(header):
        key = normalize_header(cell)
        if not key or key in SERIAL_HEADERS:
            continue
        field_name, by = _named_field(cell, key, fixed, export)
        if field_name is None:
            unknown_at.append(index)
        elif field_name == "ignore":
            recognised.append(Recognised(cell, "ignore", by, _IGNORED_HOW[by]))
        elif field_name in positions:
            duplicates.append(cell)
        else:
            positions[field_name] = index
            recognised.append(Recognised(cell, field_name, by, _NAMED_HOW[by]))
    found = recognise_columns(header, rows, unknown_at, set(positions))
    for index, field_name, how in found.chosen:
        positions[field_name] = index
        recognised.append(Recognised(header[index], field_name, "content", how))
    _require(positions, header)
    recognised.sort(key=lambda r: header.index(r.column))
    unknown = [header[i] for i in found.left]
    return ColumnMap(positions, unknown, duplicates, recognised, found.unused)


_NAMED_HOW = {
    "mapping": "mapped by the clerk",
    "export": "a stationmap export's column",
    "name": "its header",
}
_IGNORED_HOW = {
    "mapping": "ignored as the clerk asked",
    "export": "filled in by stationmap: not imported",
    "name": "filled in from the station's county: not imported",
}


def _named_field(
    cell: str, key: str, fixed: dict[str, str], export: bool
) -> tuple[str | None, str]:
    """The field a header names, and by what: the clerk's mapping, an export, the table."""
    if key in fixed:
        return fixed[key], "mapping"
    if export and cell.strip() in EXPORT_COLUMNS:
        return EXPORT_COLUMNS[cell.strip()], "export"
    return SYNONYMS.get(key), "name"


def read_mapping_file(path: Path) -> dict[str, str]:
    """A JSON object of header text → field, e.g. ``{"驿站全称": "name"}``."""
    try:
        mapping = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise BadRequest(
            f"mapping file {path}: cannot read it as JSON ({exc})", code="bad_mapping"
        ) from None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise BadRequest(
            f'mapping file {path}: expected a JSON object such as {{"驿站全称": "name"}}',
            code="bad_mapping",
        )
    return {str(k): _check_field(v) for k, v in mapping.items()}


def _check_field(name: str) -> str:
    if name not in FIELDS:
        raise BadRequest(
            f"column mapping: got field {name!r}, expected one of {', '.join(FIELDS)}",
            code="bad_mapping",
        )
    return name


def _require(positions: dict[str, int], header: list[str]) -> None:
    if "name" not in positions:
        raise BadRequest(
            f"找不到驿站名称列 / no station-name column among {header!r}: name it 驿站名称, or "
            "map it with --column 你的列名=name",
            code="missing_column",
        )
    if not ("point" in positions or {"lon", "lat"} <= set(positions)):
        raise BadRequest(
            f"找不到经纬度列 / no coordinate columns among {header!r}: expected 经度 and 纬度, "
            "or one 坐标 column; map them with --column 列名=lon (lat, point)",
            code="missing_column",
        )
