"""导入: a clerk uploads a station list, reads its preview, downloads the rows to fix,
and confirms it (the web side of :mod:`stationmap.importing.uploads`).

``POST /manage/imports`` previews and keeps the file, then sends the clerk to the
upload's page (303): its counts and the rows of each outcome with their row numbers
and messages, and 确认导入 while it is previewed. A file refused whole (empty, of an
unknown kind, too large, without its coordinate system) shows the form again with the
reason, and nothing is kept. Applying after the stations changed shows the page of the
refused upload with 重新预览, which previews the kept file again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask import Response, make_response, redirect, render_template, request, send_file
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from ..accounts import Principal
from ..errors import BadRequest, Conflict, PayloadTooLarge
from ..importing.uploads import (
    Upload,
    apply_upload,
    get_upload,
    list_uploads,
    preview_again,
    preview_upload,
    to_fix_workbook,
    too_large_message,
)
from ..station_fields import FIELD_LABELS
from . import context
from .auth import current_principal
from .endpoints import MAX_UPLOAD_BODY
from .errors import render_error
from .manage import blueprint, signed_in_page
from .manage_text import chinese, local_time

CRS_CHOICES = (
    ("", "未注明"),
    ("wgs84", "WGS-84（GPS、天地图）"),
    ("gcj02", "GCJ-02（高德、腾讯地图）"),
    ("bd09", "BD-09（百度地图）"),
)
"""The coordinate system picker: (value, label)."""
STATES = {"previewed": "待确认", "applied": "已导入", "refused": "未导入（数据有变动）"}
PAGE_ROWS = 50
"""Rows shown per page of a long outcome (rejected or updated rows)."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.url_value_preprocessor
def _limit_upload_body(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """An upload's body is read no further than the importer's size limit allows (the
    CSRF check reads the form before the view does, so the limit is set first)."""
    if endpoint == "manage.upload":
        request.max_content_length = MAX_UPLOAD_BODY


@blueprint.errorhandler(RequestEntityTooLarge)
def _body_too_large(error: RequestEntityTooLarge) -> BaseResponse:
    """A body over the limit: the upload form again, saying so (any other page: the error)."""
    refusal = PayloadTooLarge(too_large_message(request.content_length or 0))
    principal = current_principal()
    if request.endpoint != "manage.upload" or principal is None:
        return render_error(refusal)
    return _imports_page(principal, refusal)


@blueprint.get("/imports")
@signed_in_page
def imports(principal: Principal) -> Response:
    """The uploads of the clerk's union and the unions below it, and the upload form."""
    return _imports_page(principal)


@blueprint.post("/imports")
@signed_in_page
def upload(principal: Principal) -> BaseResponse:
    """Preview an uploaded list and keep it; its page next (the form again if refused)."""
    crs = request.form.get("crs") or None
    file = request.files.get("file")
    try:
        if file is None or not file.filename:
            raise BadRequest("请选择要上传的名单文件 / choose a file to upload", field="file")
        content = file.read()
        uploaded = preview_upload(context.service().store, principal, content, file.filename, crs)
    except BadRequest as refusal:
        return _imports_page(principal, refusal, crs)
    return redirect(f"/manage/imports/{uploaded.id}", code=303)


@blueprint.get("/imports/<upload_id>")
@signed_in_page
def upload_page(principal: Principal, upload_id: str) -> Response:
    """One upload: its preview, or what applying it did."""
    return _upload_page(principal, get_upload(context.service().store, principal, upload_id))


@blueprint.post("/imports/<upload_id>/apply")
@signed_in_page
def apply(principal: Principal, upload_id: str) -> BaseResponse:
    """确认导入: write the previewed plan; the page of the refused upload when the stations
    changed since the preview, or of the applied one when it was applied already."""
    store = context.service().store
    try:
        apply_upload(store, principal, upload_id)
    except Conflict as refusal:
        return _upload_page(principal, get_upload(store, principal, upload_id), refusal)
    return redirect(f"/manage/imports/{upload_id}", code=303)


@blueprint.post("/imports/<upload_id>/preview-again")
@signed_in_page
def again(principal: Principal, upload_id: str) -> BaseResponse:
    """重新预览: the kept file previewed anew, as a new upload."""
    uploaded = preview_again(context.service().store, principal, upload_id)
    return redirect(f"/manage/imports/{uploaded.id}", code=303)


@blueprint.get("/imports/<upload_id>/to-fix.xlsx")
@signed_in_page
def to_fix(principal: Principal, upload_id: str) -> Response:
    """下载待修改表: the rejected rows with their row numbers and reasons."""
    store = context.service().store
    found = get_upload(store, principal, upload_id)
    stem = found.file_name.rsplit(".", 1)[0]
    response = send_file(
        io.BytesIO(to_fix_workbook(store, principal, upload_id)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{stem}-待修改.xlsx",  # send_file adds filename* for the Chinese
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _imports_page(
    principal: Principal, refusal: BadRequest | None = None, crs: str | None = None
) -> Response:
    listed = list_uploads(context.service().store, principal)
    page = render_template(
        "manage/imports.html",
        uploads=[_listed(upload) for upload in listed],
        crs_choices=CRS_CHOICES,
        chosen_crs=crs or "",
        error=chinese(refusal.message) if refusal else None,
        asks_crs=refusal is not None and refusal.code == "crs_required",
    )
    return make_response(page, refusal.status if refusal else 200)


def _upload_page(principal: Principal, upload: Upload, refusal: Conflict | None = None) -> Response:
    page = render_template(
        "manage/import.html",
        upload=_listed(upload),
        preview=Preview.of(upload.report, request.args),
        may_apply=_may_apply(principal, upload),
        may_upload=principal.can_write,
        refusal=chinese(refusal.message) if refusal else None,
    )
    response = make_response(page, refusal.status if refusal else 200)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _may_apply(principal: Principal, upload: Upload) -> bool:
    """Whether to offer 确认导入 (the use case checks again when it is pressed)."""
    mine = principal.union_id == upload.union_id or principal.may_manage(upload.jurisdiction)
    return upload.state == "previewed" and principal.can_write and mine


def _listed(upload: Upload) -> dict[str, Any]:
    """An upload as the pages show it."""
    return {
        "id": upload.id,
        "file_name": upload.file_name,
        "user": upload.username,
        "union": upload.union_name,
        "created_at": local_time(upload.created_at),
        "finished_at": local_time(upload.finished_at) if upload.finished_at else "",
        "state": upload.state,
        "state_label": STATES.get(upload.state, upload.state),
        "crs": upload.crs or "未注明",
        "counts": upload.report["counts"],
    }


@dataclass(frozen=True)
class RowPage:
    """One page of a long list of rows, and where the others are."""

    items: list[Any]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class Preview:
    """A report as the preview table shows it: the rows of each outcome."""

    counts: dict[str, int]
    rejected: RowPage
    """(row, [(column, value, message)]) by row, the whole-file reasons first."""
    updated: RowPage
    """(row, [(label, before, after)])."""
    added: str
    unchanged: str
    duplicates: str
    """Row numbers as ranges: 3–40、42."""
    warnings: list[tuple[str, str]]
    """(row, message)."""
    has_rejected_rows: bool

    @classmethod
    def of(cls, report: dict[str, Any], args: Any) -> Preview:
        """The preview of a stored ``report``, on the pages ``args`` ask for (``rejected_page``)."""
        rows = report.get("rows", {})
        return cls(
            counts=report["counts"],
            rejected=_paged(_rejected_rows(report["rejected"]), args.get("rejected_page")),
            updated=_paged(_updated_rows(report.get("changes", {})), args.get("updated_page")),
            added=row_ranges(rows.get("added", [])),
            unchanged=row_ranges(rows.get("unchanged", [])),
            duplicates=row_ranges(rows.get("duplicates", [])),
            warnings=[(_row_label(w["row"]), w["message"]) for w in report["warnings"]],
            has_rejected_rows=any(issue["row"] is not None for issue in report["rejected"]),
        )


def _rejected_rows(issues: list[dict[str, Any]]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    by_row: dict[int | None, list[tuple[str, str, str]]] = {}
    for issue in issues:
        by_row.setdefault(issue["row"], []).append(
            (issue["column"], issue["value"], issue["message"])
        )
    ordered = sorted(by_row, key=lambda row: -1 if row is None else row)
    return [(_row_label(row), by_row[row]) for row in ordered]


def _updated_rows(changes: dict[str, dict[str, list[Any]]]) -> list[tuple[str, list[tuple]]]:
    return [
        (
            _row_label(int(row)),
            [
                (FIELD_LABELS.get(field, field), _shown(before), _shown(after))
                for field, (before, after) in sorted(change.items())
            ],
        )
        for row, change in sorted(changes.items(), key=lambda item: int(item[0]))
    ]


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def _row_label(row: int | None) -> str:
    return "整个文件" if row is None else f"第 {row} 行"


def _paged(items: list[Any], asked: str | None) -> RowPage:
    pages = max(1, -(-len(items) // PAGE_ROWS))
    page = min(max(int(asked), 1), pages) if asked and asked.isdigit() else 1
    start = (page - 1) * PAGE_ROWS
    return RowPage(items[start : start + PAGE_ROWS], page, pages, len(items))


def row_ranges(numbers: list[int]) -> str:
    """Row numbers as a clerk reads them: ``[3, 4, 5, 9]`` → ``3–5、9``."""
    ranges: list[list[int]] = []
    for number in sorted(numbers):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in ranges)
