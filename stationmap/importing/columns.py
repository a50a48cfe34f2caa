"""Which column of a county's list holds which of our fields.

Headers vary (驿站名称 / 站点名称 / 名称, 经度 / JD, 坐标 as "116.40,39.90", English
names); :data:`SYNONYMS` maps them onto our fields after :func:`normalize_header`
folds width, case, spaces and bracketed notes such as "（WGS84）". A mapping file
or CLI option can name columns the table does not know. Columns that match no
field are reported, never silently dropped.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BadRequest

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
)
"""The fields a column can hold; ``point`` is a combined "lon,lat" (or "lat,lng") cell."""

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
    ),
    "status": ("状态", "运行状态", "开放状态", "status"),
    "adcode": ("区划代码", "行政区划代码", "区县代码", "adcode"),
    "county": ("所属区县", "区县", "县区", "所在区县", "所属区", "区", "district", "county"),
}

SERIAL_HEADERS = ("序号", "no", "no.", "#", "xh")
"""Row counters: recognised as header cells but never a station's key (they shift)."""


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
class ColumnMap:
    """Where each field is in the table, and what was left over."""

    positions: dict[str, int]
    """Field name → column index."""
    unknown: list[str] = field(default_factory=list)
    """Header cells that match no field (reported as warnings)."""
    duplicates: list[str] = field(default_factory=list)
    """Header cells naming a field an earlier column already holds (reported)."""

    def has_coordinates(self) -> bool:
        """Whether the table says where stations are: a lon and lat pair, or a point column."""
        return "point" in self.positions or {"lon", "lat"} <= set(self.positions)


def map_columns(header: list[str], overrides: Mapping[str, str] | None = None) -> ColumnMap:
    """Assign header cells to fields; ``overrides`` maps a header text to a field first."""
    fixed = {normalize_header(k): _check_field(v) for k, v in (overrides or {}).items()}
    positions: dict[str, int] = {}
    unknown, duplicates = [], []
    for index, cell in enumerate(header):
        key = normalize_header(cell)
        if not key or key in SERIAL_HEADERS:
            continue
        field_name = fixed.get(key) or SYNONYMS.get(key)
        if field_name is None:
            unknown.append(cell)
        elif field_name in positions:
            duplicates.append(cell)
        else:
            positions[field_name] = index
    _require(positions, header)
    return ColumnMap(positions, unknown, duplicates)


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
