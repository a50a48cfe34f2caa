"""The guards a zipped workbook (xlsx or ods) passes before calamine may open it.

In order: the zip bomb check on declared sizes, the refusal of binary .xlsb (which
calamine would read through a different, unguarded path), then the extent guard of
what the archive really holds, whatever its name says. Anything that breaks on the way
(a corrupt zip, malformed XML, a lying count) is a file that is not the workbook it
claims to be.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Any

from ..errors import ImportFileError, not_excel
from .ods_extent import check_ods_content
from .xlsx_extent import check_xlsx_sheets
from .zip_bomb import check_unzipped_sizes


def check_zip_workbook(data: bytes, fmt: str) -> tuple[str, dict[str, list[Any]]]:
    """Check a zipped workbook (xlsx or ods) is no bomb and its sheets are of sane size;
    returns what it really is and, for ods, its merged areas by sheet name."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            check_unzipped_sizes(archive)
            if "xl/workbook.bin" in names:
                raise ImportFileError(
                    "不支持 .xlsb 格式，请另存为 .xlsx / .xlsb workbooks are not supported:"
                    " save it as .xlsx"
                )
            if "xl/workbook.xml" in names:
                check_xlsx_sheets(archive, names)
                return "xlsx", {}
            if "content.xml" in names:
                return "ods", check_ods_content(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError,
            RuntimeError, EOFError, OSError, ValueError) as error:  # fmt: skip
        raise not_excel(fmt) from error
    raise not_excel(fmt)
