"""What the clerks' station pages are rendered from and what their forms mean (Flask-free).

The views in :mod:`.manage` hand request values to these functions and their results to
the templates: the 工作台's list (read from the live index, paged here), a posted form
as the body the ``editing`` use cases take, a refusal as the Chinese words shown next to
its field, a history entry as a readable diff.
"""

from __future__ import annotations

import math
import re
import secrets
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from werkzeug.datastructures import MultiDict

from ..accounts import Principal
from ..coordinates import CRS_NAMES, point_from_wgs84
from ..editing.bodies import wgs84_point
from ..editing.create import county_at
from ..editing.history import HistoryEntry
from ..errors import InvalidStation, OutsideJurisdiction
from ..finder import StationIndex
from ..finder.index import KIND_KEYS, STATUS_KEYS, SUPERSEDED
from ..finder.places import rows_containing
from ..hours import describe_hours, in_china_time
from ..hours_text import parse_hours
from ..regions import RegionIndex
from ..station_fields import AUDITED_FIELDS, FIELD_LABELS
from ..store.validation import FORMULA_EXPECTED, TEXT_LIMITS
from ..types import MAX_REASON_LENGTH, Station
from ..vocabulary import AMENITIES, KINDS, STATUSES, amenity_mask

PAGE_SIZE = 50
"""Stations per page of the 工作台's list."""
CRS_CHOICES = {
    "gcj02": "GCJ-02（高德、腾讯地图，高德坐标拾取器）",
    "wgs84": "WGS-84（GPS、天地图、奥维）",
    "bd09": "BD-09（百度地图）",
}
"""The coordinate systems a clerk may type a point in, as the picker words them."""
FORM_FIELDS = ("name", "kind", "address", "lon", "lat", "crs", "amenities", "hours_text", "phone")
"""The station form's fields, as the ``editing`` bodies name them."""
FIELD_GROUPS = {
    "lon": "location",
    "lat": "location",
    "crs": "location",
    "adcode": "location",
    "opening_hours": "hours_text",
    "opening_hours_raw": "hours_text",
    "status_reason": "reason",
}
"""Where a refusal of a field is shown on the form (the point's parts at the point)."""
ACTIONS = {"create": "新增", "update": "修改", "delete": "删除", "bulk_load": "批量导入"}
UPLOAD_STATES = {"previewed": "已预览，待确认", "applied": "已导入", "refused": "未导入"}
STALE = "该驿站已被他人修改，请刷新后再改"
NATIONAL_CENTRE = (116.4074, 39.9042)
"""Where a national union's map starts: Beijing."""
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$", re.I)


# -- the 工作台 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StationQuery:
    """What the 工作台's list is asked for: words, a status, a kind, an amenity, a page."""

    q: str = ""
    status: str = ""
    kind: str = ""
    amenity: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> StationQuery:
        """The query of a request's arguments; unknown choices are ignored, not refused."""
        return cls(
            q=args.get("q", "").strip()[:100],
            status=_choice(args.get("status", ""), STATUSES),
            kind=_choice(args.get("kind", ""), KINDS),
            amenity=_choice(args.get("amenity", ""), AMENITIES),
            page=_page_number(args.get("page", "1")),
        )

    def args(self, **changed: Any) -> dict[str, Any]:
        """The query as link arguments (empty ones left out), with ``changed`` applied."""
        values = {"q": self.q, "status": self.status, "kind": self.kind, "amenity": self.amenity}
        values |= {"page": self.page} | changed
        return {k: v for k, v in values.items() if v not in ("", None, 1)}


@dataclass(frozen=True)
class StationList:
    """One page of a jurisdiction's stations, and the figures around it."""

    stations: list[Station]
    matched: int
    """How many stations match the query (all pages)."""
    total: int
    """How many stations the jurisdiction has."""
    by_status: dict[str, int]
    """The jurisdiction's stations by status (every status, zeros included)."""
    page: int
    pages: int


def station_list(index: StationIndex, jurisdiction: str, query: StationQuery) -> StationList:
    """The stations of the counties in ``jurisdiction`` matching ``query``, by name, one
    page of :data:`PAGE_SIZE` (the last page when ``query.page`` is past it).

    Columns of the live index, not the database: a province's ten thousand stations are
    filtered and ordered in numpy, and only the page's stations are read out.
    """
    rows = jurisdiction_rows(index, jurisdiction)
    counts = np.bincount(index.status[rows], minlength=len(STATUS_KEYS))
    matched = _by_name(index, _matching(index, rows, query))
    pages = max(1, math.ceil(len(matched) / PAGE_SIZE))
    page = min(query.page, pages)
    shown = matched[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return StationList(
        stations=[index.stations[r] for r in shown.tolist()],
        matched=len(matched),
        total=len(rows),
        by_status=dict(zip(STATUS_KEYS, counts.tolist(), strict=True)),
        page=page,
        pages=pages,
    )


def jurisdiction_rows(index: StationIndex, jurisdiction: str) -> np.ndarray:
    """The index rows of the current stations in every county ``jurisdiction`` prefixes."""
    groups = [rows for code, rows in index.rows_by_adcode.items() if code.startswith(jurisdiction)]
    rows = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
    return rows[index.status[rows] != SUPERSEDED]


def _matching(index: StationIndex, rows: np.ndarray, query: StationQuery) -> np.ndarray:
    """The ``rows`` passing the query's status, kind, amenity and words (name or address
    holding every word)."""
    keep = np.ones(len(rows), dtype=bool)
    if query.status:
        keep &= index.status[rows] == STATUS_KEYS.index(query.status)
    if query.kind:
        keep &= index.kind[rows] == KIND_KEYS.index(query.kind)
    if query.amenity:
        keep &= (index.mask[rows] & amenity_mask([query.amenity])) != 0
    rows = rows[keep]
    for word in query.q.split():
        rows = np.intersect1d(rows, rows_containing(index, word))
    return rows


def _by_name(index: StationIndex, rows: np.ndarray) -> np.ndarray:
    """``rows`` ordered by station name (then row)."""
    return rows[np.lexsort((rows, _name_keys(index, rows)))]


def _name_keys(index: StationIndex, rows: np.ndarray) -> np.ndarray:
    """A sort key per row that orders rows by name: the name's place among the names of
    the index's base (kept per base, which only a compaction replaces), and for a row
    added since, the place it would take there."""
    names, places = _base_name_order(index.base)
    keys = np.zeros(len(rows), dtype=float)
    in_base = rows < len(places)
    keys[in_base] = places[rows[in_base]]
    added = rows[~in_base]
    if len(added):
        typed = np.array([index.stations[r].name for r in added.tolist()], dtype=object)
        keys[~in_base] = np.searchsorted(names, typed) - 0.5
    return keys


_NAME_ORDERS: weakref.WeakKeyDictionary[StationIndex, tuple[np.ndarray, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)
_NAME_ORDERS_LOCK = threading.Lock()


def _base_name_order(base: StationIndex) -> tuple[np.ndarray, np.ndarray]:
    """The base's names sorted, and each base row's place in that order."""
    with _NAME_ORDERS_LOCK:
        known = _NAME_ORDERS.get(base)
        if known is None:
            names = np.array([s.name for s in base.stations], dtype=object)
            order = np.argsort(names, kind="stable")
            places = np.empty(len(order), dtype=np.int64)
            places[order] = np.arange(len(order))
            known = _NAME_ORDERS[base] = (names[order], places)
        return known


def _choice(value: str, choices: Mapping[str, str]) -> str:
    return value if value in choices else ""


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and 0 < len(text) < 7 and int(text) > 0 else 1


# -- the station form ----------------------------------------------------------------------


@dataclass
class StationForm:
    """A station form as the clerk sees it: the typed text of each field, the errors by
    field group, the version it edits and its one-time key."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    version: int | None = None
    key: str = field(default_factory=lambda: secrets.token_urlsafe(18))


def empty_form() -> StationForm:
    """The form of a new station: nothing typed yet, hours unknown, a shop by default."""
    return StationForm(values=_blank() | {"kind": "other", "crs": "gcj02"})


def form_of(station: Station) -> StationForm:
    """The form of a stored station, as the clerk would type it (the point in WGS-84, the
    hours as first written when they were written in words)."""
    values = {
        "name": station.name,
        "kind": station.kind,
        "address": station.address,
        "lon": repr(station.lon),
        "lat": repr(station.lat),
        "crs": "wgs84",
        "amenities": list(station.amenities),
        "hours_text": station.opening_hours_raw or station.opening_hours or "",
        "phone": station.phone,
    }
    return StationForm(values=values, version=station.version)


def posted_form(form: MultiDict[str, str]) -> StationForm:
    """The form as posted: its text kept as typed (to show again on a refusal)."""
    values = _blank() | {name: form.get(name, "") for name in FORM_FIELDS if name != "amenities"}
    values["amenities"] = form.getlist("amenities")
    lon, lat = values["lon"].strip(), values["lat"].strip()
    if "," in lon and not lat:  # a pasted "lng,lat" pair, as 坐标拾取器 gives it
        values["lon"], _, values["lat"] = (part.strip() for part in lon.partition(","))
    version = form.get("version", "")
    key = form.get("idempotency_key", "").strip()
    return StationForm(
        values=values,
        version=int(version) if version.isdigit() and len(version) < 10 else None,
        key=key or secrets.token_urlsafe(18),
    )


def new_station_body(form: StationForm) -> dict[str, Any]:
    """The body ``editing.create_station`` takes for a new station's form."""
    return {name: _body_value(name, form.values[name]) for name in FORM_FIELDS}


def changes_body(form: StationForm, stored: StationForm) -> dict[str, Any]:
    """What an edit changes: the fields typed differently from the ``stored`` form (the
    point as a whole, with its system); untouched fields are not sent, so a field kept as
    imported is not checked again."""
    changed = {
        name: _body_value(name, form.values[name])
        for name in FORM_FIELDS
        if name not in ("lon", "lat", "crs") and _typed(form, name) != _typed(stored, name)
    }
    if any(_typed(form, n) != _typed(stored, n) for n in ("lon", "lat", "crs")):
        changed |= {n: _body_value(n, form.values[n]) for n in ("lon", "lat", "crs")}
    return changed


def _blank() -> dict[str, Any]:
    return dict.fromkeys(FORM_FIELDS, "") | {"amenities": []}


def _typed(form: StationForm, name: str) -> Any:
    value = form.values[name]
    return sorted(value) if name == "amenities" else value.strip()


def _body_value(name: str, text: Any) -> Any:
    """A field's typed text as the body gives it: numbers for the point (text that is
    none stays text, for the use case to refuse by name), None for unknown hours."""
    if name == "amenities":
        return list(text)
    text = text.strip()
    if name in ("lon", "lat"):
        return number_or_text(text)
    if name == "hours_text":
        return text or None
    return text


def number_or_text(text: str) -> Any:
    """``text`` as a float when it is written as a number (NaN and infinity too, for the
    point check to refuse by name), None when empty, else the text itself."""
    if not text:
        return None
    return float(text) if _NUMBER.match(text) else text


# -- refusals in words -----------------------------------------------------------------------


def field_errors(error: InvalidStation) -> dict[str, str]:
    """The refusal as the form shows it: the Chinese words, at the field's place."""
    group = FIELD_GROUPS.get(error.field, error.field)
    label = FIELD_LABELS.get(error.field, error.label)
    if "mainland" in error.expected:  # the point as a whole, not one of its numbers
        label = FIELD_LABELS["location"]
    return {group: f"{label}：{refusal_words(error)}"}


def outside_errors(error: OutsideJurisdiction, principal: Principal) -> dict[str, str]:
    """A point in a county outside the clerk's jurisdiction, said at the point."""
    county = error.message.split("不在")[0]
    return {"location": f"位置：{county}不在你的辖区（{principal.union_name}），不能保存"}


def refusal_words(error: InvalidStation) -> str:
    """What was wrong with the value, in Chinese, from what the field expected."""
    expected = error.expected
    if error.field == "hours_text" and isinstance(error.value, str):
        problem = parse_hours(error.value).problem
        return problem.message_zh if problem else "请用“周一至周五 8:30-17:30”这样的写法"
    if expected == FORMULA_EXPECTED:
        return "不能以 =、+、-、@ 开头（表格软件会当作公式运行）"
    if limit := re.match(r"(?:text of )?at most (\d+) characters", expected):
        return f"最多 {limit.group(1)} 个字，现在是 {len(str(error.value or '').strip())} 个字"
    for pattern, words in _REFUSAL_WORDS:
        if re.search(pattern, expected):
            return words
    return error.message.split(": got")[0] + "的值不对"


_REFUSAL_WORDS = (
    (r"^a number$", "请填写数字，如 118.80"),
    (r"from -180 to 180", "经度应是 -180 到 180 之间的数字"),
    (r"from -90 to 90", "纬度应是 -90 到 90 之间的数字"),
    (r"mainland China", "这个位置不在中国大陆的区县内，请检查经纬度和坐标系"),
    (r"^a non-empty text$", "必填"),
    (r"^a value", "必填"),
    (r"^text$", "请填写文字"),
    (r"amenity keys|list of amenity", "请从列表中勾选"),
    (r"^one of ", "请从列表中选择"),
    (r"a reason", f"暂停或关闭须写明原因（最多 {MAX_REASON_LENGTH} 字）"),
    (r"YYYY-MM-DD", "日期写成 2026-05-01 这样"),
    (r"or a later day", "恢复开放日期不能早于今天"),
    (r"it is cleared", "正常开放的驿站不填原因和恢复日期"),
    (r"6-digit mainland county", "这个位置不在中国大陆的区县内"),
)
"""What a field expected (the store boundary's English) → what the clerk reads."""


# -- what the form asks as the clerk types ------------------------------------------------------


def hours_preview(text: str) -> dict[str, Any]:
    """Typed hours as riders will read them, the OpenStreetMap value, or why not read."""
    result = parse_hours(text[: TEXT_LIMITS["opening_hours_raw"] + 1])
    if result.problem is not None:
        return {"ok": False, "osm": None, "rider_text": None, "message": result.problem.message_zh}
    rider = describe_hours(result.osm) if result.osm else None
    return {"ok": True, "osm": result.osm, "rider_text": rider or "开放时间未知", "message": None}


def county_check(
    regions: RegionIndex, principal: Principal, point: tuple[Any, Any, str], map_crs: str
) -> dict[str, Any]:
    """The county of a typed point (lon, lat, crs), whether the clerk may save a station
    there, and the point in the map's system (to move the pin). Raises
    :class:`InvalidStation` for a point that is not one, or lies outside China."""
    lon, lat = wgs84_point(*point, regions)
    adcode = county_at(regions, lon, lat)
    county = regions.county(adcode)
    assert county is not None  # wgs84_point found a county there
    return {
        "adcode": adcode,
        "county": county.name,
        "place": "".join(dict.fromkeys((county.province, county.city, county.name))),
        "inside": principal.covers(adcode),
        "union": principal.union_name,
        "wgs84": [lon, lat],
        "map_point": list(point_from_wgs84(lon, lat, map_crs)),
    }


def map_start(regions: RegionIndex, principal: Principal) -> tuple[float, float]:
    """Where a new station's pin starts: inside the clerk's jurisdiction (WGS-84)."""
    if not principal.jurisdiction:
        return NATIONAL_CENTRE
    codes = [c for c in regions.adcodes() if c.startswith(principal.jurisdiction)]
    return regions.centre(sorted(codes)[0]) if codes else NATIONAL_CENTRE


# -- history ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadableChange:
    """One history entry as the page shows it."""

    at: str
    """Beijing time, ``2026-05-01 14:03``."""
    who: str
    action: str
    fields: list[tuple[str, str, str]]
    """(label, before, after) for each changed field, in the station's field order."""


def readable_history(entries: list[HistoryEntry]) -> list[ReadableChange]:
    """Each entry as who, when, what: every changed field before → after, in words."""
    return [readable_change(entry) for entry in entries]


def readable_change(entry: HistoryEntry) -> ReadableChange:
    """One entry in words (amenities and kinds by name, hours as riders read them)."""
    names = [n for n in AUDITED_FIELDS if n in entry.changes and n not in _UNSHOWN]
    shown = [(FIELD_LABELS[n], *(shown_value(n, v) for v in entry.changes[n])) for n in names]
    fields = [(label, before, after) for label, before, after in shown if before != after]
    return ReadableChange(
        at=beijing_time(entry.at),
        who=f"{entry.actor}（{entry.union}）" if entry.union else f"{entry.actor}（服务器命令）",
        action=ACTIONS.get(entry.action, entry.action),
        fields=fields,
    )


_UNSHOWN = frozenset({"province", "city", "adcode"})
"""Fields a change of county already says (the county is shown)."""


def shown_value(name: str, value: Any) -> str:
    """A field's stored value in the words of the page."""
    if value is None or value == "" or value == []:
        return "（空）"
    if name == "amenities":
        return "、".join(AMENITIES.get(k, k) for k in value)
    if name == "kind":
        return KINDS.get(value, value)
    if name == "status":
        return STATUSES.get(value, value)
    if name == "opening_hours":
        return describe_hours(value) or value
    if name in ("lon", "lat") and isinstance(value, int | float):
        return f"{value:.6f}"
    return str(value)


def beijing_time(moment: datetime) -> str:
    """``moment`` on a Beijing clock, to the minute."""
    return in_china_time(moment).strftime("%Y-%m-%d %H:%M")


def known_crs(text: str) -> str:
    """``text`` if it names a coordinate system, else WGS-84's name (for re-showing)."""
    return text if text in CRS_NAMES else "wgs84"
