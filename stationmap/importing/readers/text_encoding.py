"""Telling a text file's encoding: byte-order mark, else strict UTF-8, else GB18030.

Excel on a Chinese Windows saves CSV in GBK (GB18030 is its superset), "Unicode text" in
UTF-16 with a byte-order mark, and newer versions UTF-8 with or without one. Decoding is
strict, so a file in some other encoding is refused rather than read as mojibake.
"""

from __future__ import annotations

import codecs

from .errors import ImportFileError

_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding, or a refusal saying how to save the file."""
    text, encoding = _decode(data)
    if "\x00" in text:
        raise _binary_text()
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    """By byte-order mark, else strict UTF-8, else strict GB18030 (which covers GBK)."""
    for mark, codec, name in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data[len(mark) :].decode(codec), name
            except UnicodeDecodeError:
                raise _unknown_encoding() from None
    if b"\x00" in data:
        raise _binary_text()
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise _unknown_encoding()


def _binary_text() -> ImportFileError:
    return ImportFileError(
        "文件里有二进制内容，不是文本表格；请用 Excel 打开后另存为 CSV（UTF-8 或 GBK）"
        " / the file holds binary data, not a text table: save it from Excel as CSV"
        " (UTF-8 or GBK)"
    )


def _unknown_encoding() -> ImportFileError:
    return ImportFileError(
        "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV"
        " / cannot tell the text encoding: save it as UTF-8 or GBK CSV"
    )
