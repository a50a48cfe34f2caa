"""What a file's bytes really are, whatever its name says: zip, OLE, markup or text."""

from __future__ import annotations

import codecs

import olefile

_MARKUP_STARTS = (b"<!doctype html", b"<html", b"<table", b"<?xml")


def container_of(data: bytes) -> str:
    """What the bytes are, whatever the name says: zip, ole (old Office), html or text."""
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(olefile.MAGIC):
        return "ole"
    head = data[:1024].lstrip(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith(_MARKUP_STARTS):
        return "markup"
    return "text"
