"""Guard against XML tricks in workbook parts: entity expansion, and parts too big to hold.

The extent guards read a workbook's XML before calamine does, so their own reading
must not be the weak point. A part is read in bounded chunks (never whole into memory),
and when one is parsed, expat refuses any DTD: a document type declaration is how
entity-expansion bombs ("billion laughs") and external entities get in, and no xlsx or
ods written by a spreadsheet program has one.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from typing import Any
from xml.parsers import expat

CHUNK_BYTES = 4 << 20
"""How much of a part is decompressed and scanned at a time."""


def part_chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A member's bytes in chunks cut just before a ``<``, so no tag is split."""
    carry = b""
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            chunk = carry + chunk
            cut = chunk.rfind(b"<")
            cut = cut if cut > 0 else len(chunk)
            carry = chunk[cut:]
            yield chunk[:cut]
    if carry:
        yield carry


def parse_xml(archive: zipfile.ZipFile, name: str, start: Callable[..., None], **handlers) -> None:
    """Stream one member through expat; DTDs (and so entity tricks) are refused."""
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    for event, handler in handlers.items():
        setattr(parser, event, handler)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    try:
        for chunk in part_chunks(archive, name):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise ValueError(f"{name} is not well-formed XML") from error


def _refuse_doctype(*_: Any) -> None:
    raise ValueError("a workbook part declares a DTD")
