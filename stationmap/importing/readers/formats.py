"""The formats read, and the entry points that pick a reader by a file's name and content."""

from __future__ import annotations

from pathlib import Path

from .containers import container_of
from .delimited import read_delimited
from .errors import ImportFileError
from .geojson import read_geojson
from .guards.sizes import MAX_BYTES, check_size
from .sheet import Sheet
from .workbooks import read_workbook

FORMATS = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".geojson": "geojson",
    ".json": "geojson",
}
"""The file name endings read, and the reader each one selects."""


def read_sheet(path: Path, *, max_bytes: int = MAX_BYTES) -> Sheet:
    """Read a station list file; raises ``ImportFileError`` saying what is wrong with it."""
    path = Path(path)
    format_for(path.name)
    try:
        size = path.stat().st_size
        check_size(size, max_bytes)
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(
            f"无法打开文件：{error.strerror} / cannot open the file: {error.strerror}"
        ) from error
    return read_sheet_bytes(data, path.name, max_bytes=max_bytes)


def read_sheet_bytes(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> Sheet:
    """Read an uploaded station list; ``filename`` only chooses the reader by its ending."""
    fmt = format_for(filename)
    check_size(len(data), max_bytes)
    if fmt == "geojson":
        return read_geojson(data)
    if fmt == "csv":
        return read_delimited(data, container_of(data))
    return read_workbook(data, fmt)


def format_for(filename: str) -> str:
    """The reader for a file name, by its ending."""
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        endings = " ".join(FORMATS)
        raise ImportFileError(
            f"不支持的文件类型“{suffix or filename}”，请上传 {endings} 之一"
            f" / unsupported file type {suffix or filename!r}: upload one of {endings}"
        )
    return FORMATS[suffix]
