"""Each hostile-file guard called directly: a hostile input refused, a benign one let through.

The end-to-end refusals (through ``read_sheet``) are in ``test_import_readers.py``; these
tests pin each guard to the attack its module names, without calamine ever running.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

import pytest
from workbook_files import (
    HOSTILE,
    ODS_MIMETYPE,
    SAMPLES,
    ods_bytes,
    ods_text,
    patched_xls,
    replace_member,
    understate_member,
    write_xlsx,
)

from stationmap.importing.readers import ImportFileError, read_sheet_bytes
from stationmap.importing.readers.guards import (
    ods_extent,
    sizes,
    xls_counts,
    xlsx_extent,
    xml_entities,
    zip_bomb,
    zip_workbook,
)

SHEET = "xl/worksheets/sheet1.xml"


def sheet_xml(rows: str) -> bytes:
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def opened(data: bytes) -> zipfile.ZipFile:
    """A zip archive over bytes, nothing to close."""
    return zipfile.ZipFile(io.BytesIO(data))


def zip_of(**members: bytes) -> zipfile.ZipFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name.replace("__", "/"), body)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


# -- sizes ----------------------------------------------------------------------------------


def test_sizes_refuse_empty_and_oversized_files_and_pass_the_rest():
    with pytest.raises(ImportFileError, match="the file is empty"):
        sizes.check_size(0, 100)
    with pytest.raises(ImportFileError, match="too large"):
        sizes.check_size(101, 100)
    sizes.check_size(100, 100)


def test_sizes_refuse_long_wide_and_huge_tables_and_pass_the_rest():
    with pytest.raises(ImportFileError, match="more than 1,000,000 rows"):
        sizes.check_row_count(1_000_001)
    with pytest.raises(ImportFileError, match="10,001 columns"):
        sizes.check_width([""] * 10_001, 1)
    with pytest.raises(ImportFileError, match="10,000 rows x 1,001 columns"):
        sizes.check_grid(10_000, 1_001)
    sizes.check_row_count(1_000_000)
    sizes.check_width([""] * 10_000, 1)
    sizes.check_grid(10_000, 1_000)


# -- zip bombs ------------------------------------------------------------------------------


def test_zip_bomb_is_refused_on_declared_sizes():
    archive = opened((HOSTILE / "zip_bomb.xlsx").read_bytes())
    with pytest.raises(ImportFileError, match="zip bomb"):
        zip_bomb.check_unzipped_sizes(archive)


def test_a_highly_compressed_member_is_a_bomb_even_under_the_total():
    archive = zip_of(big=b"\x00" * 2_000_000)
    assert archive.getinfo("big").file_size > 1_000 * archive.getinfo("big").compress_size
    with pytest.raises(ImportFileError, match="zip bomb"):
        zip_bomb.check_unzipped_sizes(archive)


def test_a_real_workbook_is_no_bomb():
    with zipfile.ZipFile(SAMPLES / "nanjing_xuanwu_2025.xlsx") as archive:
        zip_bomb.check_unzipped_sizes(archive)


def test_a_member_inflating_past_its_declared_size_shows_calamine_no_more_than_the_guards(
    tmp_path,
):
    end = b"</sheetData></worksheet>"
    harmless = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>').removesuffix(end)
    hidden = b'<row r="40"><c r="C40"><v>1</v></c></row>' + end
    data = replace_member(write_xlsx(tmp_path / "x.xlsx", {"A1": "x"}), SHEET, harmless + hidden)
    lying = understate_member(data, SHEET, harmless)
    assert opened(lying).read(SHEET) == harmless
    assert zip_workbook.check_zip_workbook(lying, "xlsx") == ("xlsx", {})
    with pytest.raises(ImportFileError, match="not a valid xlsx file") as caught:
        read_sheet_bytes(lying, "x.xlsx")
    assert "larger than its declared" in str(caught.value.__cause__)


# -- xlsx extent ----------------------------------------------------------------------------


def test_xlsx_far_cell_is_refused_and_a_real_sheet_passes(tmp_path):
    far = write_xlsx(tmp_path / "far.xlsx", {"A1": "名称", "XFD1048576": "x"})
    archive = opened(far.read_bytes())
    with pytest.raises(ImportFileError, match="right of column XFD"):
        xlsx_extent.check_xlsx_sheets(archive, set(archive.namelist()))
    with zipfile.ZipFile(SAMPLES / "wuhou_chengdu_bd09.xlsx") as archive:
        xlsx_extent.check_xlsx_sheets(archive, set(archive.namelist()))


def test_xlsx_part_measured_by_regex_and_by_parsing_alike():
    rows = '<row r="5000"><c r="AB5000"><v>1</v></c></row>'
    plain = zip_of(sheet=sheet_xml(rows))
    positional = zip_of(sheet=sheet_xml('<row r="5000">' + "<c><v>1</v></c>" * 28 + "</row>"))
    assert xlsx_extent.xlsx_extent_by_parsing(plain, "sheet") == (5000, 28)
    assert xlsx_extent.xlsx_extent_by_parsing(positional, "sheet") == (5000, 28)
    for archive in (plain, positional):
        xlsx_extent.check_xlsx_part(archive, "sheet")
    big = zip_of(sheet=sheet_xml('<row r="400000"><c r="AB400000"><v>1</v></c></row>'))
    with pytest.raises(ImportFileError, match="400,000 rows x 28 columns"):
        xlsx_extent.check_xlsx_part(big, "sheet")


def test_xlsx_cell_references_in_lower_case_are_measured_too():
    # calamine reads r="xfd1048576" as XFD1048576: a 5 kB file asking for 17 billion cells.
    far = zip_of(
        sheet=sheet_xml('<row r="1"><c r="A1"><v>1</v></c><c r="xfd1048576"><v>1</v></c></row>')
    )
    with pytest.raises(ImportFileError, match="more than 1,000,000 rows"):
        xlsx_extent.check_xlsx_part(far, "sheet")
    mixed = zip_of(sheet=sheet_xml('<row r="1"><c r="Zz99999"><v>1</v></c></row>'))
    assert xlsx_extent.xlsx_extent_by_parsing(mixed, "sheet") == (99_999, 702)
    with pytest.raises(ImportFileError, match="99,999 rows x 702 columns"):
        xlsx_extent.check_xlsx_part(mixed, "sheet")
    long = zip_of(
        sheet=sheet_xml('<row r="1"><c r="a1"/><c r="A12345678901234"><v>1</v></c></row>')
    )
    with pytest.raises(ImportFileError, match="rows"):
        xlsx_extent.check_xlsx_part(long, "sheet")


def test_xlsx_shared_string_count_larger_than_its_part_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "strings.xlsx", {"A1": "名称", "B1": "地址"})
    with zipfile.ZipFile(path) as archive:
        table = archive.read("xl/sharedStrings.xml")
    xlsx_extent.check_string_count(table, len(table))
    lying = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', table)
    with pytest.raises(ValueError, match="more strings than it holds"):
        xlsx_extent.check_string_count(lying, len(lying))


def test_xlsx_parts_include_sheets_the_workbook_points_to_by_any_name():
    rels = b'<Relationships><Relationship Target="worksheets/one.dat"/><Relationship Target="/xl/two.dat"/></Relationships>'  # noqa: E501
    members = {"xl/_rels/workbook.xml.rels": rels, "xl/workbook.xml": b"<workbook/>"}
    members |= {"xl/worksheets/one.dat": b"", "xl/two.dat": b"", "xl/media/logo.png": b""}
    archive = zip_of(**{name.replace("/", "__"): body for name, body in members.items()})
    assert xlsx_extent.xlsx_sheet_parts(archive, set(archive.namelist())) == [
        "xl/_rels/workbook.xml.rels",
        "xl/two.dat",
        "xl/workbook.xml",
        "xl/worksheets/one.dat",
    ]


# -- ods extent -----------------------------------------------------------------------------


def test_ods_repeating_a_filled_row_past_the_row_limit_is_refused():
    row = f'<table:table-row table:number-rows-repeated="1000001">{ods_text("x")}</table:table-row>'
    data = ods_bytes(f'<table:table table:name="s">{row}</table:table>')
    with pytest.raises(ImportFileError, match="more than 1,000,000 rows"):
        ods_extent.check_ods_content(opened(data))


def test_ods_empty_repeats_after_the_last_filled_cell_cost_nothing_and_merges_are_found():
    empty = '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'  # noqa: E501
    merged = ods_text("大智街", ' table:number-rows-spanned="2"')
    table = (
        f'<table:table table:name="站点"><table:table-row>{merged}</table:table-row>'
        f"<table:table-row><table:covered-table-cell/></table:table-row>{empty}</table:table>"
    )
    with zipfile.ZipFile(io.BytesIO(ods_bytes(table))) as archive:
        assert ods_extent.check_ods_content(archive) == {"站点": [((0, 0), (1, 0))]}


# -- old xls --------------------------------------------------------------------------------


def test_xls_wrapping_dimensions_are_refused_and_the_sample_passes(tmp_path):
    wrapped = patched_xls(tmp_path, 0x0200, 0, struct.pack("<I", 60_000))
    with pytest.raises(ImportFileError, match="more than 1,000,000 rows"):
        xls_counts.check_ole_workbook(wrapped, "xls")
    sample = (SAMPLES / "jiangan_wuhan_2012.xls").read_bytes()
    assert xls_counts.check_ole_workbook(sample, "xls") == "xls"


def test_xls_header_declaring_more_sectors_than_the_file_has_is_refused():
    sample = bytearray((SAMPLES / "jiangan_wuhan_2012.xls").read_bytes())
    struct.pack_into("<I", sample, 0x2C, 1_000_000)  # FAT sectors
    with pytest.raises(ImportFileError, match="not a valid xls file") as caught:
        xls_counts.check_ole_workbook(bytes(sample), "xls")
    assert "more sectors" in str(caught.value.__cause__)


def test_xls_declared_dimensions_wrap_as_calamine_computes_them():
    assert xls_counts.declared_dimensions(struct.pack("<IIHHH", 0, 10, 0, 3, 0)) == (10, 3)
    rows, _ = xls_counts.declared_dimensions(struct.pack("<IIHHH", 60_000, 10, 0, 3, 0))
    assert rows > 4_000_000_000


# -- XML entities ---------------------------------------------------------------------------


def test_xml_with_a_dtd_is_refused_and_plain_xml_parsed():
    doctype = '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><x>&a;</x>'
    seen: list[str] = []
    with pytest.raises(ValueError, match="DTD"):
        xml_entities.parse_xml(zip_of(part=doctype.encode()), "part", seen.append)
    assert seen == []
    xml_entities.parse_xml(zip_of(part=b"<x><y/></x>"), "part", lambda tag, _: seen.append(tag))
    assert seen == ["x", "y"]


def test_parts_are_read_in_chunks_that_never_split_a_tag(monkeypatch):
    monkeypatch.setattr(xml_entities, "CHUNK_BYTES", 64)
    body = b'<row r="1"><c r="A1"><v>12345</v></c></row>' * 20
    chunks = list(xml_entities.part_chunks(zip_of(part=body), "part"))
    assert b"".join(chunks) == body and len(chunks) > 10
    assert all(chunk.count(b"<") == chunk.count(b">") for chunk in chunks)
    assert all(chunk.startswith(b"<") for chunk in chunks)


# -- the zipped-workbook sequence -----------------------------------------------------------


def test_zip_workbook_says_what_it_really_is_and_refuses_what_it_is_not(tmp_path):
    assert zip_workbook.check_zip_workbook((HOSTILE / "formula.xlsx").read_bytes(), "ods") == (
        "xlsx",
        {},
    )
    with pytest.raises(ImportFileError, match="not a valid xlsx file"):
        zip_workbook.check_zip_workbook((HOSTILE / "not_excel.xlsx").read_bytes(), "xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", ODS_MIMETYPE)
    with pytest.raises(ImportFileError, match="not a valid ods file"):
        zip_workbook.check_zip_workbook(out.getvalue(), "ods")
