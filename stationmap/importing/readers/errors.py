"""The one error a reader raises, and the refusals several readers and guards share."""

from __future__ import annotations

from ...errors import BadRequest


class ImportFileError(BadRequest):
    """The file as a whole cannot be read; the message says why and what to do, 中文 / English."""

    code = "unreadable_file"


def not_excel(fmt: str) -> ImportFileError:
    """The refusal of a file named as a workbook of ``fmt`` that is not one."""
    return ImportFileError(
        f"不是有效的 {fmt} 文件（可能是改了扩展名的其他文件），请用 Excel 或 WPS 打开后另存为 .xlsx"
        f" / not a valid {fmt} file (a different file renamed?): open it in Excel or WPS"
        " and save it as .xlsx"
    )


def password_protected() -> ImportFileError:
    """The refusal of an encrypted workbook."""
    return ImportFileError(
        "文件设置了密码，请去掉密码后再上传 / the file is password-protected: remove the"
        " password and upload it again"
    )
