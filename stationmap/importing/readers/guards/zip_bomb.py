"""Guard against zip bombs: a small xlsx or ods whose members decompress to gigabytes.

Checked on the zip's central directory, before any member is decompressed, so a
700-byte bomb is refused in microseconds. The declared sizes bound what is read later:
Python's ``zipfile`` (which the extent guards read through) never hands back more than a
member declares, and calamine's zip reader fails a member that inflates past its declared
size ("File is larger than its declared uncompressed size"), so a member whose sizes and
CRC were patched to describe only a harmless first part cannot show the guards one thing
and calamine another.
"""

from __future__ import annotations

import zipfile

from ..errors import ImportFileError

MAX_UNZIPPED_BYTES = 200_000_000
"""Largest total a workbook's zip members may decompress to."""
MAX_ZIP_RATIO = 1_000
"""Largest compression ratio of a zip member of more than a megabyte; more is a bomb."""


def check_unzipped_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb by its declared sizes (members are read with those as a cap)."""
    members = archive.infolist()
    total = sum(member.file_size for member in members)
    bomb = any(
        member.file_size > 1_000_000
        and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if total > MAX_UNZIPPED_BYTES or bomb:
        raise ImportFileError(
            f"压缩包解压后过大（{total / 1e6:,.0f} MB），疑似压缩炸弹，已拒绝"
            f" / the workbook would unzip to {total / 1e6:,.0f} MB (a zip bomb?): refused"
        )
