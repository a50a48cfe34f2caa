"""Which coordinate system a list's coordinates are in: declared, never guessed.

WGS-84, GCJ-02 and BD-09 numbers look alike (DATA.md, "Coordinates in China"), and most
lists made with Chinese map tools are GCJ-02, so an import never assumes a system. A file's
system is *declared* when one of these says it, first match wins:

1. the clerk (``--crs`` on the command line, the upload form's choice on the web);
2. the file format: GeoJSON is WGS-84 by RFC 7946;
3. a note on the coordinate columns' headers, such as ``经度（GCJ02）``, ``坐标(高德)``,
   ``lon (WGS-84)`` or ``百度坐标`` (all of them must agree);
4. the file is a stationmap export (its ``id``, ``source_key`` and ``union_id`` columns),
   which is WGS-84 as stored.

Otherwise the import is refused with :class:`CrsRequired`, naming the three choices and
where each usually comes from. A declared system can still be wrong (a GCJ-02 list in
GeoJSON, a clerk's slip): :func:`compare_systems` counts the rows that fall outside the
county they state under each system, and warns with the figures when another system fits
far better.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..coordinates import CRS_NAMES, to_wgs84
from ..errors import BadRequest
from ..regions import RegionIndex
from .columns import is_export_header
from .report import RowIssue
from .rows import ParsedRow

CRS_SOURCES = {
    "wgs84": ("GPS、手机定位、天地图", "GPS, phones, Tianditu (天地图), OpenStreetMap"),
    "gcj02": (
        "高德、腾讯地图及大多数国内坐标拾取器",
        "Amap (高德), Tencent (腾讯) and most Chinese coordinate pickers",
    ),
    "bd09": ("百度地图", "Baidu (百度)"),
}
"""Where lists in each system usually come from (Chinese, English)."""

_HEADER_HINTS = (
    ("bd09", re.compile(r"bd-?09|百度|baidu", re.IGNORECASE)),
    ("gcj02", re.compile(r"gcj-?02|火星|高德|amap|gaode|腾讯|tencent", re.IGNORECASE)),
    ("wgs84", re.compile(r"wgs-?\s?84|gps|天地图|tianditu|cgcs\s?2000|国家2000", re.IGNORECASE)),
)
"""Words in a coordinate column's header that name its system."""

FAR_BETTER_ROWS = 3
"""Another system must put at least this many more rows inside their stated county ..."""
FAR_BETTER_SHARE = 0.1
"""... and at least this share of the rows checked, for the declared one to be doubted."""
MAX_CHECKED_ROWS = 5_000
"""A longer list is checked on this many rows, evenly spread (a national list's three
conversions and county lookups would otherwise cost seconds)."""


ASK_ON_COMMAND_LINE = ("请指定", "say it with --crs")
"""How :class:`CrsRequired` asks for the system on the server's shell (Chinese, English)."""
ASK_ON_UPLOAD = ("请在上传时选择坐标系（crs）", "choose one in the upload's crs field")
"""How it asks on the web and the API."""


class CrsRequired(BadRequest):
    """The file does not say which coordinate system it is in, and nobody said it."""

    code = "crs_required"

    def __init__(self, fit: Fit | None = None, ask: tuple[str, str] = ASK_ON_COMMAND_LINE) -> None:
        zh = "；".join(f"{name}（{CRS_SOURCES[name][0]}）" for name in CRS_NAMES)
        en = "; ".join(f"{name} ({CRS_SOURCES[name][1]})" for name in CRS_NAMES)
        hint_zh, hint_en = fit.hint() if fit is not None else ("", "")
        super().__init__(
            f"文件没有说明坐标系，{ask[0]}：{zh}。国内工具导出的名单大多是 gcj02。{hint_zh}"
            f" / the file does not say which coordinate system its coordinates are in: "
            f"{ask[1]}: {en}. Most lists from Chinese tools are gcj02.{hint_en}",
            field="crs",
            choices=list(CRS_NAMES),
        )
        self.fit = fit


@dataclass(frozen=True)
class Fit:
    """How many of the rows that state their county fall outside it, under each system."""

    outside: dict[str, int]
    """System name → rows outside their stated county when read in that system."""
    total: int
    """Rows counted (those stating a county; at most :data:`MAX_CHECKED_ROWS`)."""
    place: str
    """The stated county's name when all rows state the same one, else ``""``."""

    def hint(self) -> tuple[str, str]:
        """The figures for each system, as a sentence to append (Chinese, English)."""
        where_zh, where_en = self.place or "所填区县", self.place or "their stated county"
        zh = "、".join(f"按 {n} 有 {self.outside[n]}/{self.total} 行" for n in CRS_NAMES)
        en = ", ".join(f"as {n} {self.outside[n]} of {self.total}" for n in CRS_NAMES)
        return f"（{zh}不在{where_zh}内）", f" (rows outside {where_en}: {en})"


@dataclass(frozen=True)
class CrsChoice:
    """The system an import converts from, and what declared it."""

    crs: str
    declared_by: str
    """``"--crs"`` (the clerk), ``"geojson"``, ``"header"`` or ``"stationmap export"``."""
    file_says: str | None = None
    """What the file itself declares, when the clerk's choice overrides it."""


def choose_crs(
    given: str | None,
    source_format: str,
    header: list[str],
    coordinate_headers: list[str],
    fit: Callable[[], Fit | None] = lambda: None,
) -> CrsChoice:
    """The declared system (see the module docstring), or :class:`CrsRequired` (with the
    figures ``fit`` gives, when the rows state their county, to help the clerk choose)."""
    file_crs, by = _file_declaration(source_format, header, coordinate_headers)
    if given is not None:
        return CrsChoice(given, "--crs", file_crs if file_crs not in (None, given) else None)
    if file_crs is None:
        raise CrsRequired(fit())
    return CrsChoice(file_crs, by)


def header_crs(text: str) -> str | None:
    """The system a header cell's words name (``经度（GCJ02）`` → gcj02), or None."""
    for crs, pattern in _HEADER_HINTS:
        if pattern.search(text):
            return crs
    return None


def _file_declaration(
    source_format: str, header: list[str], coordinate_headers: list[str]
) -> tuple[str | None, str]:
    if source_format == "geojson":
        return "wgs84", "geojson"
    named = {header_crs(cell) for cell in coordinate_headers} - {None}
    if len(named) == 1 and all(header_crs(cell) for cell in coordinate_headers):
        return named.pop(), "header"
    if is_export_header(header):
        return "wgs84", "stationmap export"
    return None, ""


def overridden_warning(choice: CrsChoice) -> RowIssue | None:
    """A note when the clerk's ``--crs`` overrides what the file itself declares."""
    if choice.file_says is None:
        return None
    return RowIssue(
        None,
        "坐标",
        choice.file_says,
        "crs_overridden",
        f"文件本身标明坐标系为 {choice.file_says}，按指定的 {choice.crs} 导入",
        f"the file says its coordinates are {choice.file_says}; imported as {choice.crs} as asked",
    )


def compare_systems(
    parsed: list[ParsedRow], crs: str, regions: RegionIndex, county: str | None
) -> RowIssue | None:
    """A warning when rows fall outside their stated county far more often under ``crs``
    than under another system, with the figures; None when ``crs`` fits as well as any.

    Rows stating no county are not counted (:func:`fit_by_system`).
    """
    fit = fit_by_system(parsed, regions, county)
    if fit is None:
        return None
    best = min(CRS_NAMES, key=lambda name: (fit.outside[name], name != crs))
    gain = fit.outside[crs] - fit.outside[best]
    if best == crs or gain < max(FAR_BETTER_ROWS, FAR_BETTER_SHARE * fit.total):
        return None
    return _mismatch_warning(crs, best, fit)


def fit_by_system(parsed: list[ParsedRow], regions: RegionIndex, county: str | None) -> Fit | None:
    """The rows outside their stated county under each system; None when no row states one.

    A row states its county by ``county`` (``--county``) or by its own 区划代码 / 区县
    cells. Coordinates are still in the file's system.
    """
    rows = [p for p in parsed if not p.rejected and "lon" in p.values and _stated(p, county)]
    if not rows:
        return None
    rows = rows[:: math.ceil(len(rows) / MAX_CHECKED_ROWS)]
    lon = np.array([p.values["lon"] for p in rows], dtype=float)
    lat = np.array([p.values["lat"] for p in rows], dtype=float)
    outside = {
        name: _outside_count(rows, county, regions, *to_wgs84(lon, lat, name, on_outside="nan"))
        for name in CRS_NAMES
    }
    return Fit(outside, len(rows), _stated_place(rows, county, regions))


def _stated(row: ParsedRow, county: str | None) -> bool:
    return bool(county or row.values.get("declared_adcode") or row.values.get("declared_county"))


def _outside_count(
    rows: list[ParsedRow], county: str | None, regions: RegionIndex, lon, lat
) -> int:
    found = np.isfinite(lon) & np.isfinite(lat)
    adcodes = np.full(len(rows), "", dtype=object)
    if found.any():
        adcodes[found] = regions.locate(lon[found], lat[found])
    return sum(
        1
        for row, adcode in zip(rows, adcodes, strict=True)
        if not _inside(row, adcode, county, regions)
    )


def _inside(row: ParsedRow, adcode: str, county: str | None, regions: RegionIndex) -> bool:
    """Whether ``adcode`` (where the point fell) is the county the row states."""
    code = county or row.values.get("declared_adcode")
    if code:
        return adcode == code
    place = regions.county(adcode) if adcode else None
    name = row.values.get("declared_county") or ""
    return place is not None and name in (place.name, place.name[:-1])


def _stated_place(rows: list[ParsedRow], county: str | None, regions: RegionIndex) -> str:
    """The stated county's name, when every counted row states the same one."""
    codes = {
        county or r.values.get("declared_adcode") or r.values.get("declared_county") for r in rows
    }
    if len(codes) != 1:
        return ""
    only = str(codes.pop())
    place = regions.county(only)
    return place.name if place else only


def _mismatch_warning(crs: str, best: str, fit: Fit) -> RowIssue:
    outside, total = fit.outside, fit.total
    where_zh = fit.place or "所填区县"
    where_en = fit.place or "their stated county"
    return RowIssue(
        None,
        "坐标",
        crs,
        "crs_mismatch",
        f"按 {crs} 有 {outside[crs]}/{total} 行不在{where_zh}内；按 {best} 只有 "
        f"{outside[best]}/{total} 行：坐标可能是 {best}（{CRS_SOURCES[best][0]}），"
        f"请核对后用 --crs {best} 重新导入",
        f"{outside[crs]} of {total} rows fall outside {where_en} as {crs}; as {best} "
        f"{outside[best]} of {total} would: the coordinates may be {best} "
        f"({CRS_SOURCES[best][1]}); check, and import again with --crs {best}",
    )
