"""The union clerks' pages (工作台 and what hangs off it), behind sign-in.

Every page here is for a signed-in user of a union: :func:`signed_in_page` sends anyone
else to ``/login`` and back. The pages call the use cases (``editing``,
``importing.uploads``, ``accounts``) with the signed-in :class:`Principal`, which
check the role and the jurisdiction themselves; a page never writes by another path.
Forms post here with Flask-WTF's CSRF field (checked for every state-changing request
in :mod:`.auth`); the map pickers and previews read the public API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from ..accounts import Principal
from ..coordinates import point_from_wgs84
from ..editing import change_station, create_station, latest_changes, station_history
from ..errors import (
    BadRequest,
    Forbidden,
    InvalidStation,
    NotFound,
    OutsideJurisdiction,
    VersionMismatch,
    VersionRequired,
)
from ..hours import describe_hours
from ..identifiers import is_public_id
from ..importing.uploads import list_uploads
from ..station_fields import EDITABLE_FIELDS, FIELD_LABELS
from ..types import Station
from ..vocabulary import AMENITIES, KINDS, STATUSES
from . import context
from .auth import current_principal
from .manage_contents import (
    ACTIONS,
    CRS_CHOICES,
    STALE,
    UPLOAD_STATES,
    StationForm,
    StationQuery,
    beijing_time,
    changes_body,
    county_check,
    empty_form,
    field_errors,
    form_of,
    hours_preview,
    known_crs,
    map_start,
    new_station_body,
    number_or_text,
    outside_errors,
    posted_form,
    readable_history,
    station_list,
)
from .page_contents import page_config

blueprint = Blueprint("manage", __name__, url_prefix="/manage")


def signed_in_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """``view`` for signed-in users, called with the :class:`Principal` first; anyone
    else is sent to the sign-in page, which comes back here afterwards."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        principal = current_principal()
        if principal is None:
            return redirect(f"/login?next={quote(request.full_path.rstrip('?'))}", code=303)
        return view(principal, *args, **kwargs)

    return guarded


def nav_for(principal: Principal) -> list[tuple[str, str]]:
    """The clerk's menu: (label, path), 新增驿站 for writers, the users page for admins."""
    items = [("工作台", "/manage")]
    if principal.can_write:  # a viewer reads, and would only meet a refusal there
        items.append(("新增驿站", "/manage/stations/new"))
    items.append(("导入", "/manage/imports"))
    if principal.role == "admin":
        items.append(("用户管理", "/manage/users"))
    return items


@blueprint.context_processor
def _menu() -> dict[str, Any]:
    """Every clerk's page knows who is signed in and shows the menu for that role."""
    principal = current_principal()
    return {"principal": principal, "nav": nav_for(principal) if principal else []}


LATEST = 8
"""How many imports and changes the 工作台 lists."""
STATUS_CHANGES = ("temporarily_closed", "closed", "active")
"""What the status form sets: 暂停开放, 关闭, 恢复开放."""


@blueprint.get("")
@signed_in_page
def workbench(principal: Principal) -> str:
    """The union's 工作台: its stations (searched, filtered, paged), counts by status, the
    latest imports and changes."""
    service = context.service()
    query = StationQuery.from_args(request.args)
    return render_template(
        "manage/workbench.html",
        listing=station_list(service.index(), principal.jurisdiction, query),
        query=query,
        uploads=list_uploads(service.store, principal)[:LATEST],
        changes=latest_changes(service.store, principal, LATEST),
        **_vocabulary(),
    )


@blueprint.route("/stations/new", methods=["GET", "POST"])
@signed_in_page
def new_station(principal: Principal) -> Response | BaseResponse:
    """新增驿站: the form, and its saving (one station per form, however often posted)."""
    _check_writer(principal)
    if request.method == "GET":
        return _form_page(principal, empty_form(), None)
    form = posted_form(request.form)
    store = context.service().store
    try:
        station, _ = create_station(store, principal, new_station_body(form), form.key)
    except (InvalidStation, OutsideJurisdiction, BadRequest) as refused:
        return _refused_form(principal, form, None, refused)
    return redirect(f"/manage/stations/{station.id}", code=303)


@blueprint.route("/stations/<station_id>/edit", methods=["GET", "POST"])
@signed_in_page
def edit_station(principal: Principal, station_id: str) -> Response | BaseResponse:
    """编辑: the stored station's form; saving changes what was typed differently, at the
    version the form was loaded at (a stale one is refused, never overwritten)."""
    station = _readable_station(principal, station_id)
    _check_writer(principal)
    stored = form_of(station)
    if request.method == "GET":
        return _form_page(principal, stored, station)
    form = posted_form(request.form)
    store = context.service().store
    try:
        change_station(store, principal, station.id, form.version, changes_body(form, stored))
    except (InvalidStation, OutsideJurisdiction, BadRequest) as refused:
        return _refused_form(principal, form, station, refused)
    except (VersionMismatch, VersionRequired) as stale:
        form.errors = {"stale": STALE}
        return _form_page(principal, form, station, status=stale.status)
    return redirect(f"/manage/stations/{station.id}", code=303)


@blueprint.get("/stations/<station_id>")
@signed_in_page
def station_page(principal: Principal, station_id: str) -> str:
    """One station as its union keeps it: every field, its status, 编辑, 暂停/关闭/恢复, 历史."""
    station = _readable_station(principal, station_id)
    return render_template(
        "manage/station.html",
        station=station,
        may_edit=principal.may_edit(station.adcode),
        hours_text=describe_hours(station.opening_hours),
        **_vocabulary(),
    )


@blueprint.route("/stations/<station_id>/status", methods=["GET", "POST"])
@signed_in_page
def station_status(principal: Principal, station_id: str) -> Response | BaseResponse:
    """暂停开放 / 关闭 / 恢复开放 with a reason and an optional reopening day."""
    station = _readable_station(principal, station_id)
    _check_writer(principal)
    if request.method == "GET":
        wanted = request.args.get("to", "temporarily_closed")
        return _status_page(station, {"status": wanted}, {}, station.version)
    typed = {k: request.form.get(k, "").strip() for k in ("status", "reason", "reopen_on")}
    version = _version(request.form.get("version", ""))
    try:
        change_station(context.service().store, principal, station.id, version, _status_body(typed))
    except InvalidStation as refused:
        return _status_page(station, typed, field_errors(refused), version, refused.status)
    except (VersionMismatch, VersionRequired) as stale:
        return _status_page(station, typed, {"stale": STALE}, version, stale.status)
    return redirect(f"/manage/stations/{station.id}", code=303)


@blueprint.get("/stations/<station_id>/history")
@signed_in_page
def history_page(principal: Principal, station_id: str) -> str:
    """历史: who changed what and when, each field before → after."""
    station = _readable_station(principal, station_id)
    entries = station_history(context.service().store, principal, station.id)
    return render_template(
        "manage/history.html", station=station, changes=readable_history(entries)
    )


@blueprint.get("/hours-preview")
def hours_preview_json() -> Response:
    """Hours as typed → what riders will read and the OpenStreetMap value (JSON)."""
    if current_principal() is None:
        return _json_refusal(401, "请先登录")
    return jsonify(hours_preview(request.args.get("text", "")))


@blueprint.get("/county-at")
def county_at_json() -> Response:
    """The county of a typed point and whether it is the clerk's to save (JSON)."""
    principal = current_principal()
    if principal is None:
        return _json_refusal(401, "请先登录")
    service = context.service()
    args = request.args
    point = (number_or_text(args.get("lon", "")), number_or_text(args.get("lat", "")))
    crs = args.get("crs", "wgs84")
    try:
        found = county_check(service.store.regions, principal, (*point, crs), _map_crs())
    except InvalidStation as refused:
        return _json_refusal(422, field_errors(refused).popitem()[1])
    return jsonify(found)


# -- the pages' parts -------------------------------------------------------------------------


def _readable_station(principal: Principal, station_id: str) -> Station:
    """The stored station, if the clerk's jurisdiction covers it: else 404 or 403."""
    try:
        station = (
            context.service().store.get_station(station_id) if is_public_id(station_id) else None
        )
    except NotFound:
        station = None
    if station is None:
        raise NotFound("没有这个驿站：链接可能输错了，或者它已被删除。")
    if not principal.covers(station.adcode):
        raise OutsideJurisdiction(
            f"{station.province}{station.city}{station.county}的驿站不在你的辖区"
            f"（{principal.union_name}），不能查看。"
        )
    return station


def _check_writer(principal: Principal) -> None:
    if not principal.can_write:
        raise Forbidden(
            "你的账号是只读账号，可以查看，不能新增或修改驿站。需要时请联系本级工会的管理员。"
        )


def _form_page(
    principal: Principal, form: StationForm, station: Station | None, status: int = 200
) -> Response:
    """The station form (new when ``station`` is None) with its map and pickers."""
    service = context.service()
    config = page_config(service.settings)
    start = (station.lon, station.lat) if station else map_start(service.store.regions, principal)
    page = render_template(
        "manage/station_form.html",
        form=form,
        station=station,
        config=config
        | {"start": point_from_wgs84(*start, config["crs"]), "zoom": _zoom(principal, station)},
        crs_choices=CRS_CHOICES,
        typed_crs=known_crs(form.values["crs"]),
        **_vocabulary(),
    )
    return Response(page, status=status, mimetype="text/html")


def _refused_form(
    principal: Principal,
    form: StationForm,
    station: Station | None,
    refused: InvalidStation | OutsideJurisdiction | BadRequest,
) -> Response:
    """The form again, as typed, with the refusal at its field."""
    if isinstance(refused, InvalidStation):
        form.errors = field_errors(refused)
    elif isinstance(refused, OutsideJurisdiction):
        form.errors = outside_errors(refused, principal)
    else:  # a form tampered with (its one-time key)
        form.errors = {"form": "表单已失效，请重新填写后保存"}
        form.key = empty_form().key
    return _form_page(principal, form, station, status=refused.status)


def _status_page(
    station: Station,
    typed: dict[str, str],
    errors: dict[str, str],
    version: int | None,
    status: int = 200,
) -> Response:
    wanted = typed.get("status", "")
    page = render_template(
        "manage/status_form.html",
        station=station,
        typed=typed,
        wanted=wanted if wanted in STATUS_CHANGES else "temporarily_closed",
        errors=errors,
        version=version,
        **_vocabulary(),
    )
    return Response(page, status=status, mimetype="text/html")


def _status_body(typed: dict[str, str]) -> dict[str, object]:
    """The change a status form asks: a reason and a day only for closing or pausing."""
    if typed["status"] not in ("closed", "temporarily_closed"):
        return {"status": typed["status"]}
    return {
        "status": typed["status"],
        "reason": typed["reason"] or None,
        "reopen_on": typed["reopen_on"] or None,
    }


def _zoom(principal: Principal, station: Station | None) -> int:
    """How near the form's map starts: at the station, else over the jurisdiction."""
    return 16 if station else {6: 12, 4: 10, 2: 7}.get(len(principal.jurisdiction), 5)


def _version(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _map_crs() -> str:
    return str(page_config(context.service().settings)["crs"])


def _json_refusal(status: int, message: str) -> Response:
    response = jsonify(error={"message": message})
    response.status_code = status
    return response


def _vocabulary() -> dict[str, object]:
    return {
        "kinds": KINDS,
        "statuses": STATUSES,
        "amenities": AMENITIES,
        "actions": ACTIONS,
        "upload_states": UPLOAD_STATES,
    }


@blueprint.app_template_filter("beijing")
def _beijing(moment: datetime) -> str:
    """A moment on a Beijing clock, to the minute."""
    return beijing_time(moment)


@blueprint.app_template_filter("field_labels")
def _field_labels(changes: dict[str, object]) -> str:
    """The Chinese names of a change's fields: 开放时间、电话."""
    return "、".join(FIELD_LABELS.get(name, name) for name in changes if name in EDITABLE_FIELDS)
