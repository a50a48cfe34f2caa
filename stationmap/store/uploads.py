"""Uploaded station lists: the file as sent, its previewed report, and what became of it.

An upload is ``previewed`` (its dry-run report and plan digest kept), then ``applied``
(its batch linked) or ``refused`` (the stations changed since the preview). The move
out of ``previewed`` is one guarded UPDATE (:func:`claim`, :func:`refuse`), so of two
requests applying one upload exactly one moves it: the other finds it moved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ..identifiers import new_public_id
from .schema import import_batches, import_uploads, now, unions, users

PREVIEWED, APPLIED, REFUSED = "previewed", "applied", "refused"


@dataclass(frozen=True)
class Upload:
    """One uploaded list as readers see it (without the file's bytes: :func:`content`)."""

    id: str
    """The upload's public id."""
    union_id: str
    """The uploading union's public id."""
    union_name: str
    jurisdiction: str
    """The uploading union's jurisdiction (an adcode prefix): who may read the upload."""
    user_id: str
    """The uploader's public id."""
    username: str
    file_name: str
    sha256: str
    """SHA-256 (hex) of the file's bytes."""
    crs: str | None
    """The coordinate system the uploader chose, if any."""
    state: str
    """``previewed``, ``applied`` or ``refused``."""
    report: dict[str, Any]
    """The import report as stored (``ImportReport.to_stored()``)."""
    plan_digest: str
    """What applying must write (``importing.plan.plan_digest``)."""
    batch_id: str | None
    """The import batch it became, once applied."""
    created_at: datetime
    finished_at: datetime | None
    """When it was applied or refused."""


def add(
    conn: Connection,
    *,
    union_id: str,
    user_id: str,
    file_name: str,
    content: bytes,
    crs: str | None,
    report: dict[str, Any],
    plan_digest: str,
) -> str:
    """Keep a previewed upload (union and user by public id); returns its public id."""
    public_id = new_public_id()
    conn.execute(
        insert(import_uploads).values(
            public_id=public_id,
            union_id=select(unions.c.id).where(unions.c.public_id == union_id).scalar_subquery(),
            user_id=select(users.c.id).where(users.c.public_id == user_id).scalar_subquery(),
            file_name=file_name,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            crs=crs,
            state=PREVIEWED,
            report=report,
            plan_digest=plan_digest,
            created_at=now(),
        )
    )
    return public_id


def get(conn: Connection, public_id: str) -> Upload | None:
    """One upload by public id, or None."""
    row = conn.execute(_upload_select().where(import_uploads.c.public_id == public_id)).first()
    return None if row is None else Upload(**row._mapping)


def content(conn: Connection, public_id: str) -> bytes:
    """The uploaded file's bytes, as they were sent."""
    query = select(import_uploads.c.content).where(import_uploads.c.public_id == public_id)
    return bytes(conn.execute(query).scalar_one())


def within(conn: Connection, jurisdiction: str, limit: int) -> list[Upload]:
    """Uploads of the unions whose jurisdiction lies within ``jurisdiction``, newest first."""
    query = (
        _upload_select()
        .where(unions.c.jurisdiction.startswith(jurisdiction, autoescape=True))
        .order_by(import_uploads.c.created_at.desc(), import_uploads.c.id.desc())
        .limit(limit)
    )
    return [Upload(**row._mapping) for row in conn.execute(query)]


def claim(conn: Connection, public_id: str) -> bool:
    """Move a previewed upload to ``applied``; False when it is not (or no longer) previewed.

    Run it first in the applying transaction: the row stays locked until that commits,
    so a second claim waits and then finds the upload applied (or, rolled back, previewed).
    """
    return _move(conn, public_id, APPLIED)


def refuse(conn: Connection, public_id: str) -> bool:
    """Move a previewed upload to ``refused`` (its plan no longer matches the stations)."""
    return _move(conn, public_id, REFUSED)


def link_batch(conn: Connection, public_id: str, batch_id: str, report: dict[str, Any]) -> None:
    """Name the batch an applied upload became, and keep the report of applying it."""
    batch_pk = select(import_batches.c.id).where(import_batches.c.public_id == batch_id)
    conn.execute(
        update(import_uploads)
        .where(import_uploads.c.public_id == public_id)
        .values(batch_id=batch_pk.scalar_subquery(), report=report)
    )


def _move(conn: Connection, public_id: str, state: str) -> bool:
    moved = conn.execute(
        update(import_uploads)
        .where(import_uploads.c.public_id == public_id, import_uploads.c.state == PREVIEWED)
        .values(state=state, finished_at=now())
    )
    return moved.rowcount == 1


def _upload_select() -> Any:
    """SELECT of every :class:`Upload` field, joined to its union, user and batch."""
    u = import_uploads.c
    return select(
        u.public_id.label("id"),
        unions.c.public_id.label("union_id"),
        unions.c.name.label("union_name"),
        unions.c.jurisdiction,
        users.c.public_id.label("user_id"),
        users.c.username,
        u.file_name,
        u.sha256,
        u.crs,
        u.state,
        u.report,
        u.plan_digest,
        import_batches.c.public_id.label("batch_id"),
        u.created_at,
        u.finished_at,
    ).select_from(
        import_uploads.join(unions, u.union_id == unions.c.id)
        .join(users, u.user_id == users.c.id)
        .outerjoin(import_batches, u.batch_id == import_batches.c.id)
    )
