"""Station lists uploaded through the web and the API: previewed and kept, then applied.

A clerk uploads a list (:func:`preview_upload`): it is read by the same readers, within
the same size limits, as ``stationmap import``, planned as a dry run, and kept with its
report and the digest of its plan (:func:`~.plan.plan_digest`). Rows in counties outside
the clerk's jurisdiction are rejected row by row, never planned. Applying it
(:func:`apply_upload`) plans the kept file again inside the one transaction that
writes, with every other station writer held off, and writes only when the plan is the
previewed one: otherwise nothing is written and the clerk previews again.

Every function takes the :class:`Principal` asking; anyone of a union may read the
uploads of its union and the unions below it, editors and admins upload, and an upload
is applied by its own union or by an admin above it.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import PureWindowsPath
from typing import Any

from ..accounts import Principal
from ..coordinates import CRS_NAMES
from ..errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    OutsideJurisdiction,
    PayloadTooLarge,
)
from ..store import BoundStore, Store, Writer, lock_station_writes, uploads
from ..store.uploads import Upload
from .apply import apply_import
from .coordinate_systems import ASK_ON_UPLOAD, CrsRequired
from .pipeline import ImportOptions, plan_sheet
from .plan import ImportPlan, plan_digest
from .readers import read_sheet_bytes
from .readers.guards import sizes
from .report import ImportReport, write_rejected_xlsx

__all__ = [
    "Upload",
    "apply_upload",
    "get_upload",
    "list_uploads",
    "preview_again",
    "preview_upload",
    "to_fix_workbook",
    "upload_json",
]

MAX_FILE_NAME = 200
"""The longest file name kept (characters)."""
LISTED = 100
"""How many uploads :func:`list_uploads` returns, newest first."""


class _PlanChanged(Exception):
    """The kept file no longer plans as previewed (raised inside the applying transaction,
    so that it rolls back)."""


class _NotPreviewed(Exception):
    """The upload was applied or refused already (raised inside the applying transaction)."""


def preview_upload(
    store: Store, principal: Principal, content: bytes, file_name: str, crs: str | None
) -> Upload:
    """Read and plan an uploaded list as a dry run; keep it, its report and its plan digest.

    Writes nothing but the upload itself (state ``previewed``). Refused whole, with
    nothing kept: a viewer (:class:`Forbidden`); a file over the importer's size limit
    (:class:`PayloadTooLarge`); an empty, unreadable or unknown file, a bad ``crs``, or
    a file that does not say its coordinate system when ``crs`` is not given
    (400, ``crs_required``, naming the choices).
    """
    _check_may_upload(principal)
    name = _checked_file_name(file_name)
    _check_crs(crs)
    _check_size(content)
    plan, report = _plan(store, content, name, crs, principal.jurisdiction, principal)
    with store.transaction() as conn:
        upload_id = uploads.add(
            conn,
            union_id=principal.union_id,
            user_id=principal.user_id,
            file_name=name,
            content=content,
            crs=crs,
            report=report.to_stored(),
            plan_digest=plan_digest(plan),
        )
    return _read(store, upload_id)


def apply_upload(store: Store, principal: Principal, upload_id: str) -> Upload:
    """Write exactly the previewed plan of an upload, in one transaction; returns it applied.

    Only a writer of the uploading union, or an admin above it, applies. An upload that
    is not ``previewed`` (applied already, refused) is a :class:`Conflict` and nothing is
    written; so is one whose file no longer plans as previewed (a station it touches
    changed): that upload becomes ``refused`` and the clerk previews again. Of two
    requests applying one upload, exactly one writes.
    """
    upload = _readable(store, principal, upload_id)
    _check_may_apply(principal, upload)
    try:
        _apply_as_previewed(store, principal, upload)
    except _NotPreviewed:
        raise _not_previewed(store, upload.id) from None
    except _PlanChanged:
        _refuse(store, upload.id)
        raise Conflict(
            "预览之后驿站数据有了变化，本次未导入任何数据，请重新上传预览"
            " / the stations changed since the preview: nothing was written; preview again",
            upload=upload.id,
        ) from None
    return _read(store, upload.id)


def preview_again(store: Store, principal: Principal, upload_id: str) -> Upload:
    """Preview the kept file of an upload anew (after a refused apply): a new upload of the
    same file, name and coordinate system against the stations as they are now."""
    upload = _readable(store, principal, upload_id)
    _check_may_upload(principal)
    with store.reading() as conn:
        content = uploads.content(conn, upload.id)
    return preview_upload(store, principal, content, upload.file_name, upload.crs)


def list_uploads(store: Store, principal: Principal) -> list[Upload]:
    """The uploads of the principal's union and the unions below it, newest first."""
    with store.reading() as conn:
        return uploads.within(conn, principal.jurisdiction, LISTED)


def get_upload(store: Store, principal: Principal, upload_id: str) -> Upload:
    """One upload: :class:`NotFound` if there is none, :class:`OutsideJurisdiction` if it
    belongs to a union outside the principal's."""
    return _readable(store, principal, upload_id)


def to_fix_workbook(store: Store, principal: Principal, upload_id: str) -> bytes:
    """The upload's rejected rows (those outside the jurisdiction too) as the importer's
    to-fix .xlsx: the rows as they were, with their row numbers and reasons in front."""
    upload = _readable(store, principal, upload_id)
    buffer = io.BytesIO()
    write_rejected_xlsx(ImportReport.from_stored(upload.report), buffer)
    return buffer.getvalue()


def upload_json(upload: Upload, *, with_report: bool = True) -> dict[str, Any]:
    """An upload as the API shows it: who, when, the file, its state and counts, and
    (unless listed) the whole import report."""
    shown: dict[str, Any] = {
        "id": upload.id,
        "state": upload.state,
        "file_name": upload.file_name,
        "user": upload.username,
        "union": {"id": upload.union_id, "name": upload.union_name},
        "created_at": upload.created_at.isoformat(timespec="seconds"),
        "finished_at": upload.finished_at and upload.finished_at.isoformat(timespec="seconds"),
        "crs": upload.crs,
        "sha256": upload.sha256,
        "batch_id": upload.batch_id,
        "counts": upload.report["counts"],
    }
    if with_report:
        shown["report"] = ImportReport.from_stored(upload.report).to_dict()
    return shown


def _plan(
    store: Store,
    content: bytes,
    file_name: str,
    crs: str | None,
    jurisdiction: str,
    principal: Principal,
) -> tuple[ImportPlan, ImportReport]:
    """The dry-run plan of an uploaded file, its rows limited to ``jurisdiction``."""
    options = ImportOptions(
        crs=crs,
        dry_run=True,
        jurisdiction=jurisdiction,
        actor=Writer(principal.username, principal.union_name),
    )
    sheet = read_sheet_bytes(content, file_name, max_bytes=sizes.MAX_BYTES)
    try:
        return plan_sheet(store, sheet, file_name, options)
    except CrsRequired as refusal:
        raise CrsRequired(refusal.fit, ASK_ON_UPLOAD) from None


def _apply_as_previewed(store: Store, principal: Principal, upload: Upload) -> None:
    """Claim the upload, hold other writers off, plan its file again and write the plan,
    all in one transaction; :class:`_PlanChanged` (rolling it back) if the plan differs."""
    with store.transaction() as conn:
        if not uploads.claim(conn, upload.id):  # first: SQLite then holds its write lock
            raise _NotPreviewed
        lock_station_writes(conn)
        bound = BoundStore(store, conn)
        content = uploads.content(conn, upload.id)
        plan, report = _plan(
            bound, content, upload.file_name, upload.crs, upload.jurisdiction, principal
        )
        if plan_digest(plan) != upload.plan_digest:
            raise _PlanChanged
        batch = apply_import(bound, plan)
        report.dry_run, report.batch_id = False, batch.id
        uploads.link_batch(conn, upload.id, batch.id, report.to_stored())
    store.after_bulk_write(bound.written)


def _not_previewed(store: Store, upload_id: str) -> Conflict:
    """The refusal to apply an upload that has been applied or refused already."""
    state = _read(store, upload_id).state
    done = {"applied": "已经导入过", "refused": "已被拒绝（预览后数据有变化）"}.get(state, state)
    return Conflict(
        f"这次上传{done}，不能再次导入；如需导入请重新上传预览"
        f" / this upload is {state}, not previewed: it cannot be applied again; upload it "
        "again to preview it anew",
        upload=upload_id,
        state=state,
    )


def _refuse(store: Store, upload_id: str) -> None:
    with store.transaction() as conn:
        uploads.refuse(conn, upload_id)


def _read(store: Store, upload_id: str) -> Upload:
    with store.reading() as conn:
        found = uploads.get(conn, upload_id)
    if found is None:
        raise NotFound(
            f"没有编号为 {upload_id} 的导入 / no upload with id {upload_id!r}", upload=upload_id
        )
    return found


def _readable(store: Store, principal: Principal, upload_id: str) -> Upload:
    """The upload, if the principal's union is its union or one above it."""
    upload = _read(store, upload_id)
    if not upload.jurisdiction.startswith(principal.jurisdiction):
        raise OutsideJurisdiction(
            f"这次导入属于{upload.union_name}，不在本单位管辖范围内"
            f" / upload {upload.id} belongs to {upload.union_name}, outside the jurisdiction "
            f"of {principal.union_name}"
        )
    return upload


def _check_may_upload(principal: Principal) -> None:
    if not principal.can_write:
        raise Forbidden(
            "只读账号可以查看导入报告，但不能上传名单"
            f" / role {principal.role!r} may read import reports but not upload lists: "
            "expected an editor or an admin",
            role=principal.role,
        )


def _check_may_apply(principal: Principal, upload: Upload) -> None:
    """A writer of the uploading union, or an admin of a union above it, may apply."""
    _check_may_upload(principal)
    if principal.union_id == upload.union_id or principal.may_manage(upload.jurisdiction):
        return
    raise Forbidden(
        f"只有{upload.union_name}的编辑或其上级单位的管理员可以确认这次导入"
        f" / only an editor of {upload.union_name} or an admin above it may apply this "
        f"upload; got {principal.role} of {principal.union_name}",
        role=principal.role,
    )


def _checked_file_name(file_name: str) -> str:
    """The file's own name (no folders), or a 400 naming what was expected."""
    name = unicodedata.normalize("NFC", PureWindowsPath(file_name or "").name).strip()
    if not name or len(name) > MAX_FILE_NAME or any(_is_control(c) for c in name):
        raise BadRequest(
            f"文件名无效，请使用不超过{MAX_FILE_NAME}个字符的文件名，如 玄武区驿站.xlsx"
            f" / file name: got {file_name!r}, expected a name of 1 to {MAX_FILE_NAME} "
            "printable characters such as 玄武区驿站.xlsx",
            code="invalid_file_name",
            field="file",
        )
    return name


def _is_control(character: str) -> bool:
    return unicodedata.category(character) in ("Cc", "Cf")


def _check_crs(crs: str | None) -> None:
    if crs is not None and crs not in CRS_NAMES:
        raise BadRequest(
            f"坐标系只能是 {'、'.join(CRS_NAMES)} 之一 / crs: got {crs!r}, expected one of "
            f"{', '.join(CRS_NAMES)}",
            code="invalid_parameter",
            field="crs",
            choices=list(CRS_NAMES),
        )


def _check_size(content: bytes) -> None:
    """Refuse a file over the importer's limit as 413 (an empty one is the readers' 400)."""
    if len(content) > sizes.MAX_BYTES:
        raise PayloadTooLarge(too_large_message(len(content)), limit=sizes.MAX_BYTES)


def too_large_message(size: int) -> str:
    """What a clerk is told about a file of ``size`` bytes over the limit."""
    limit = sizes.MAX_BYTES
    return (
        f"文件太大（{size / 1e6:.1f} MB，上限 {limit / 1e6:.0f} MB），请按区县拆分后分别上传"
        f" / the file is too large ({size / 1e6:.1f} MB, limit {limit / 1e6:.0f} MB): split "
        "it by county and upload the parts"
    )
