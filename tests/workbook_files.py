"""Small workbooks, and hostile variants of real ones, built for the reader tests."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from pathlib import Path

import olefile
import xlsxwriter

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
HOSTILE = SAMPLES / "hostile"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def write_xlsx(path: Path, cells: dict[str, object], **sheets: dict[str, object]) -> Path:
    """An xlsx with ``cells`` ({"B3": value}) on its first sheet and more named sheets."""
    workbook = xlsxwriter.Workbook(str(path))
    for name, content in {"Sheet1": cells, **sheets}.items():
        sheet = workbook.add_worksheet(name)
        for ref, value in content.items():
            if isinstance(value, dt.datetime | dt.date | dt.time):
                sheet.write_datetime(ref, value, workbook.add_format({"num_format": "yyyy-mm-dd"}))
            else:
                sheet.write(ref, value)
    workbook.close()
    return path


def replace_member(xlsx: Path, name: str, body: bytes) -> bytes:
    """The workbook's bytes with one zip member replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(xlsx) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            data = body if member.filename == name else source.read(member)
            target.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def ods_bytes(tables_xml: str) -> bytes:
    """A minimal OpenDocument spreadsheet holding these <table:table> elements."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables_xml}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
        archive.writestr("content.xml", content)
    return out.getvalue()


def ods_text(text: str, extra: str = "") -> str:
    return (
        f'<table:table-cell office:value-type="string"{extra}><text:p>{text}</text:p>'
        "</table:table-cell>"
    )


def patched_xls(tmp_path: Path, record: int, offset: int, value: bytes) -> bytes:
    """The .xls sample with bytes of its first record of this type overwritten."""
    path = tmp_path / "patched.xls"
    path.write_bytes((SAMPLES / "jiangan_wuhan_2012.xls").read_bytes())
    with olefile.OleFileIO(str(path), write_mode=True) as container:
        stream = bytearray(container.openstream("Workbook").read())
        at = 0
        while struct.unpack_from("<H", stream, at)[0] != record:
            at += 4 + struct.unpack_from("<H", stream, at + 2)[0]
        stream[at + 4 + offset : at + 4 + offset + len(value)] = value
        container.write_stream("Workbook", bytes(stream))
    return path.read_bytes()


def understate_member(data: bytes, name: str, declared: bytes) -> bytes:
    """The zip with one member's size and CRC patched to describe only ``declared``, the
    first part of what the member really inflates to."""
    patched = bytearray(data)
    headers = ((b"PK\x03\x04", 14, 26, 30), (b"PK\x01\x02", 16, 28, 46))
    for signature, crc_at, name_length_at, name_at in headers:
        start = 0
        while (start := patched.find(signature, start)) >= 0:
            (length,) = struct.unpack_from("<H", patched, start + name_length_at)
            if patched[start + name_at : start + name_at + length] == name.encode():
                struct.pack_into("<I", patched, start + crc_at, zlib.crc32(declared))
                struct.pack_into("<I", patched, start + crc_at + 8, len(declared))  # inflated
            start += 4
    return bytes(patched)
