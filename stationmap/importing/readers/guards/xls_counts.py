"""Guard against an old .xls (BIFF in an OLE container) that declares counts it cannot hold.

calamine parses every sheet of an .xls on opening and sizes its buffers from counts the
file declares: the container's sector counts and stream sizes, each sheet's DIMENSIONS
record (in 32-bit arithmetic, so a first row after the last wraps round to four billion
rows), the shared-string count. A few patched bytes in a small file can so ask for
gigabytes inside Rust, which aborts the process. Each count is checked here, with
olefile in Python, against what the file could really hold, before calamine sees it.
Encrypted files are refused with their own message.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator

import olefile

from ..errors import not_excel, password_protected
from . import sizes
from .sizes import check_grid, grid_too_large

_BIFF_BOF = 0x0809
_BIFF_FILEPASS = 0x002F
_BIFF_DIMENSIONS = 0x0200
_BIFF_SST = 0x00FC
_BIFF_CELLS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
_BIFF_CELL_RUNS = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: last column at the end
_RECORD = struct.Struct("<HH")
_OLE_COUNTS = struct.Struct("<II16xI4xI")  # at 0x28: directory, FAT, mini FAT, DIFAT sectors
_U32 = 1 << 32


def check_ole_workbook(data: bytes, fmt: str) -> str:
    """Check an old-style workbook: a sane container, not encrypted, sheets of sane size."""
    try:
        check_ole_header(data)
        check_biff(_workbook_stream(data))
    except (OSError, ValueError, struct.error, IndexError) as error:
        raise not_excel(fmt) from error
    return "xls"


def _workbook_stream(data: bytes) -> bytes:
    """The BIFF stream of an OLE container whose streams all fit in the file."""
    with olefile.OleFileIO(io.BytesIO(data)) as container:
        if any(entry and entry.size > len(data) for entry in container.direntries):  # type: ignore[attr-defined]  # stubs omit it
            raise ValueError("a stream is declared larger than the file")
        if container.exists("EncryptedPackage"):
            raise password_protected()
        stream = next((s for s in ("Workbook", "Book") if container.exists(s)), None)
        if stream is None:
            raise ValueError("no Workbook stream")
        return container.openstream(stream).read()


def check_ole_header(data: bytes) -> None:
    """Every sector count in the header must fit in the file."""
    (shift,) = struct.unpack_from("<H", data, 0x1E)
    if shift not in (9, 12):
        raise ValueError(f"sector shift {shift}")
    if max(_OLE_COUNTS.unpack_from(data, 0x28)) << shift > len(data):
        raise ValueError("the header declares more sectors than the file has")


def check_biff(stream: bytes) -> None:
    """Refuse sheets whose cells or declared dimensions make too large a grid, and a
    shared-string count larger than the stream could hold."""
    extents = biff_sheet_extents(stream)
    for rows, columns in extents:
        check_grid(rows, columns)
    if sum(rows * columns for rows, columns in extents) > sizes.MAX_CELLS:
        raise grid_too_large(max(rows for rows, _ in extents), max(c for _, c in extents))


def biff_sheet_extents(stream: bytes) -> list[tuple[int, int]]:
    """For each substream, the larger of the grid its cells span and the one its
    DIMENSIONS record declares (calamine reserves room for the latter)."""
    extents: list[tuple[int, int]] = []
    rows = columns = 0
    for kind, body in _biff_records(stream):
        if kind == _BIFF_BOF:
            extents.append((rows, columns))
            rows = columns = 0
        elif kind == _BIFF_FILEPASS:
            raise password_protected()
        elif kind in _BIFF_CELLS and len(body) >= 4:
            row, column = _RECORD.unpack_from(body)
            rows, columns = max(rows, row + 1), max(columns, column + 1)
        elif kind in _BIFF_CELL_RUNS and len(body) >= 6:
            row, _ = _RECORD.unpack_from(body)
            (last_column,) = struct.unpack_from("<H", body, len(body) - 2)
            rows, columns = max(rows, row + 1), max(columns, last_column + 1)
        elif kind == _BIFF_DIMENSIONS:
            check_grid(*declared_dimensions(body))
        elif kind == _BIFF_SST and len(body) >= 8:
            (unique,) = struct.unpack_from("<i", body, 4)
            if not 0 <= unique <= len(stream):
                raise ValueError(f"{unique} shared strings declared")
    extents.append((rows, columns))
    return extents


def _biff_records(stream: bytes) -> Iterator[tuple[int, bytes]]:
    position, end = 0, len(stream)
    while position + _RECORD.size <= end:
        kind, length = _RECORD.unpack_from(stream, position)
        body = position + _RECORD.size
        yield kind, stream[body : body + length]
        position = body + length


def declared_dimensions(body: bytes) -> tuple[int, int]:
    """Rows and columns of a DIMENSIONS record, computed the way calamine does (in 32-bit
    arithmetic, so a first row after the last wraps round to a huge count)."""
    if len(body) == 14:
        first_row, last_row, first_column, last_column = struct.unpack_from("<IIHH", body)
    elif len(body) == 10:
        first_row, last_row, first_column, last_column = struct.unpack_from("<HHHH", body)
    else:
        return 0, 0
    if last_row >= 1 and last_column >= 1:
        last_row, last_column = last_row - 1, last_column - 1
    else:
        last_row, last_column = first_row, first_column
    return (last_row - first_row + 1) % _U32, (last_column - first_column + 1) % _U32
