"""A multipart/form-data body read into its fields and files (Flask-free: Werkzeug's parser).

An endpoint names the fields and files it takes; any other part, a missing file, or a
body that is not multipart is a 400 naming what was got and what was expected.
"""

from __future__ import annotations

import io
from collections.abc import Collection
from dataclasses import dataclass

from werkzeug.exceptions import HTTPException
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header

from ..errors import BadRequest
from .answers import Request

MULTIPART = "multipart/form-data"
MAX_FIELD_BYTES = 1_000_000
"""The longest text field read. Werkzeug's decoder also holds each read of the body (64 KiB)
to this limit, files included, so it must be well above that: at 10,000 every list over
10 KB was refused as too large (found by ``scripts/bench_writes.py``)."""
MAX_PARTS = 20
"""More parts than this is no upload form."""


@dataclass(frozen=True)
class UploadedFile:
    """One file of a form: the name the browser sent and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Form:
    """A multipart body's text fields and files, by field name."""

    fields: dict[str, str]
    files: dict[str, UploadedFile]


def multipart_form(request: Request, fields: Collection[str], files: Collection[str]) -> Form:
    """The request's multipart body; 400 when it is none, has a part not in ``fields`` or
    ``files``, or lacks one of ``files``."""
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    if mimetype != MULTIPART:
        raise BadRequest(
            f"请以表单（{MULTIPART}）上传文件 / Content-Type: got {mimetype or 'none'!r}, "
            f"expected {MULTIPART} with the list in the field {_names(files)}",
            code="bad_request",
        )
    form = _parse(request.body, mimetype, options)
    _check_names(form, fields, files)
    return form


def _parse(body: bytes, mimetype: str, options: dict[str, str]) -> Form:
    parser = FormDataParser(
        stream_factory=_in_memory,
        max_form_memory_size=MAX_FIELD_BYTES,
        max_content_length=len(body),
        max_form_parts=MAX_PARTS,
        silent=False,
    )
    try:
        _, fields, files = parser.parse(io.BytesIO(body), mimetype, len(body), options)
    except (HTTPException, ValueError) as error:
        raise BadRequest(
            "无法读取上传的表单，请重新选择文件上传"
            f" / the multipart body could not be read ({type(error).__name__}): send it as "
            "a browser's file upload form does",
            code="bad_request",
        ) from None
    return Form(
        dict(fields.items()),
        {key: UploadedFile(part.filename or "", part.read()) for key, part in files.items()},
    )


def _in_memory(*_: object, **__: object) -> io.BytesIO:
    """Where a file part goes: memory, as the body it comes from is there already (and
    within the endpoint's limit); no temporary file is left to close."""
    return io.BytesIO()


def _check_names(form: Form, fields: Collection[str], files: Collection[str]) -> None:
    unknown = sorted((set(form.fields) - set(fields)) | (set(form.files) - set(files)))
    if unknown:
        raise BadRequest(
            f"表单中有无法识别的字段“{unknown[0]}” / {unknown[0]}: unknown form field; "
            f"expected {_names([*files, *fields])}",
            code="bad_request",
            field=unknown[0],
        )
    for name in files:
        if name not in form.files or not form.files[name].name:
            raise BadRequest(
                f"请选择要上传的文件 / {name}: missing, expected a file in the form field {name!r}",
                code="bad_request",
                field=name,
            )


def _names(names: Collection[str]) -> str:
    return ", ".join(repr(n) for n in names)
