"""Reading station lists: every format and encoding, the row numbers a clerk sees, and
hostile files refused cleanly and quickly."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import re
import struct
import time
import zipfile

import pytest
import xlsxwriter
from workbook_files import (
    HOSTILE,
    ODS_MIMETYPE,
    SAMPLES,
    ods_bytes,
    ods_text,
    patched_xls,
    replace_member,
    write_xlsx,
)

from stationmap.importing import readers
from stationmap.importing.readers import (
    ImportFileError,
    Sheet,
    find_header_row,
    read_sheet,
    read_sheet_bytes,
)
from stationmap.importing.readers.guards import sizes
from stationmap.importing.readers.value_text import value_text

KNOWN_HEADERS = {
    "驿站名称",
    "站点名称",
    "名称",
    "name",
    "地址",
    "详细地址",
    "经度",
    "纬度",
    "JD",
    "WD",
}


def is_known(cell: str) -> bool:
    return cell.strip() in KNOWN_HEADERS


def refused(data: bytes, filename: str, match: str, **kwargs: object) -> ImportFileError:
    with pytest.raises(ImportFileError, match=match) as caught:
        read_sheet_bytes(data, filename, **kwargs)
    assert caught.value.status == 400 and caught.value.code == "unreadable_file"
    return caught.value


# -- the committed samples --------------------------------------------------------------------


def test_xuanwu_title_blank_row_and_merged_street_column():
    sheet = read_sheet(SAMPLES / "nanjing_xuanwu_2025.xlsx")
    assert (sheet.source_format, sheet.sheet_name, sheet.encoding) == ("xlsx", "驿站清单", None)
    assert sheet.rows[0][0] == "玄武区总工会户外劳动者服务站点一览表"
    assert sheet.rows[0][1:] == [""] * 8, "a title merged across is not copied into every column"
    assert sheet.row_numbers[:3] == [1, 3, 4], "the blank row 2 is skipped but counted"
    header = find_header_row(sheet, is_known)
    assert header == 1 and sheet.rows[header][:4] == ["序号", "所属街道", "驿站名称", "详细地址"]
    data = sheet.rows[2:]
    assert len(data) == 42 and sheet.row_numbers[-1] == 45
    assert all(row[1].endswith("街道") for row in data), "every row gets its merged street"
    assert [row[1] for row in data[:7]] == ["玄武门街道"] * 6 + ["新街口街道"]
    assert any("7 merged cell area(s)" in warning for warning in sheet.warnings)
    lon, lat = float(data[0][4]), float(data[0][5])
    assert 118.77 < lon < 118.91 and 32.01 < lat < 32.11
    assert re.fullmatch(r"1\d{2}(0000|\*\*\*\*)\d{4}", data[0][6])


def test_chaoyang_gbk_csv_with_combined_coordinates():
    sheet = read_sheet(SAMPLES / "chaoyang_beijing_gbk.csv")
    assert (sheet.source_format, sheet.encoding) == ("csv", "gb18030")
    assert sheet.rows[0] == ["站点名称", "地址", "坐标", "手机号码", "开放时间", "服务项目"]
    assert len(sheet.rows) == 31 and sheet.row_numbers == list(range(1, 32))
    assert re.fullmatch(r"116\.\d{6},(39|40)\.\d{6}", sheet.rows[1][2])
    column = {name: [row[i] for row in sheet.rows[1:]] for i, name in enumerate(sheet.rows[0])}
    assert "1065001234" in column["手机号码"]
    assert any(";" in phones for phones in column["手机号码"])
    assert any("８：００" in hours for hours in column["开放时间"])


def test_wuhou_bd09_pinyin_headers_and_dms_text():
    sheet = read_sheet(SAMPLES / "wuhou_chengdu_bd09.xlsx")
    assert sheet.rows[0][3:5] == ["JD", "WD"] and find_header_row(sheet, is_known) == 0
    by_row = dict(zip(sheet.row_numbers, sheet.rows, strict=True))
    assert re.fullmatch(r"10[34]°\d\d'\d\d\.\d\"", by_row[10][3])
    assert re.fullmatch(r"30°\d\d'\d\d\.\d\"", by_row[10][4])
    assert float(by_row[6][3]) < 90 < float(by_row[6][4]), "row 6 has its pair swapped"
    assert by_row[22][3:5] == ["139.691706", "35.689487"]
    assert "按摩椅" in by_row[18][7]
    assert by_row[2][6] == "工作日 8:30-17:30（法定节假日除外）"


def test_nanshan_utf16_tab_text_with_duplicates():
    sheet = read_sheet(SAMPLES / "shenzhen_nanshan_utf16.txt")
    assert (sheet.source_format, sheet.encoding) == ("csv", "utf-16")
    assert sheet.rows[0] == [
        "name",
        "address",
        "longitude",
        "latitude",
        "phone",
        "hours",
        "services",
    ]
    assert len(sheet.rows) == 21 and sheet.row_numbers[-1] == 21
    assert sheet.rows[6] == sheet.rows[7], "line 8 repeats line 7"
    near, far = sheet.rows[13], sheet.rows[14]
    assert near[0] == far[0] and near[2] == far[2]
    assert 0.00015 < float(far[3]) - float(near[3]) < 0.0002, "about 20 m further north"
    assert not any(cell.endswith("\r") for row in sheet.rows for cell in row)


def test_siming_geojson_points_and_a_line():
    sheet = read_sheet(SAMPLES / "xiamen_siming.geojson")
    assert sheet.source_format == "geojson"
    assert sheet.rows[0] == ["名称", "地址", "电话", "开放时间", "服务", "经度", "纬度"]
    assert sheet.row_numbers == list(range(1, 17))
    assert sheet.rows[9][5:] == ["", ""] and sheet.rows[9][0]
    assert all(row[5] and row[6] for i, row in enumerate(sheet.rows[1:], 1) if i != 9)
    assert sheet.warnings == [
        "第 10 行的几何不是点，没有坐标 / row(s) 10: the geometry is not a Point,"
        " so there are no coordinates"
    ]


def test_jiangan_old_xls_with_merged_street_and_numeric_landlines():
    sheet = read_sheet(SAMPLES / "jiangan_wuhan_2012.xls")
    assert (sheet.source_format, sheet.sheet_name) == ("xls", "2012年驿站")
    assert find_header_row(sheet, is_known) == 2 and sheet.row_numbers[:4] == [1, 2, 3, 4]
    data = sheet.rows[3:]
    assert [row[1] for row in data] == ["大智街"] * 4 + ["二七街"] * 4 + ["后湖街"] * 4
    assert all(re.fullmatch(r"2782\d{6}", row[6]) for row in data), "no trailing .0"
    assert data[0][0] == "1"


def test_formula_cells_read_as_their_cached_values_and_text_stays_text():
    sheet = read_sheet(HOSTILE / "formula.xlsx")
    assert sheet.rows[1][3:] == ["32.0745", "查看详情", "2"]
    assert sheet.rows[2][0] == "=cmd|' /C calc'!A0"
    assert sheet.rows[2][5].startswith("@SUM(")
    assert sheet.warnings == []


# -- text files: encodings, delimiters, row numbers ----------------------------------------

TABLE = [["驿站名称", "地址", "经度", "纬度"], ["锁金村驿站", "龙蟠路88号", "118.8112", "32.0745"]]


@pytest.mark.parametrize(
    ("codec", "bom", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("gbk", b"", "gb18030"),
        ("gb18030", b"", "gb18030"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
    ],
)
@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_text_encodings_and_delimiters(codec, bom, expected, delimiter):
    text = "".join(delimiter.join(row) + "\r\n" for row in TABLE)
    sheet = read_sheet_bytes(bom + text.encode(codec), "list.csv")
    assert (sheet.rows, sheet.encoding, sheet.source_format) == (TABLE, expected, "csv")


def test_tab_file_whose_cells_hold_commas_is_split_on_tabs():
    lines = ["名称\t坐标\t电话", "甲驿站\t116.40,39.90\t13800001111", "乙驿站\t116.41,39.91\t-"]
    sheet = read_sheet_bytes("\n".join(lines).encode(), "list.txt")
    assert sheet.rows[1] == ["甲驿站", "116.40,39.90", "13800001111"]


def test_comma_file_whose_phones_hold_semicolons_is_split_on_commas():
    lines = ["名称,地址,电话", "甲,A路1号,138;139", "乙,B路2号,137", "丙,C路3号,136;135;134"]
    sheet = read_sheet_bytes("\n".join(lines).encode(), "list.csv")
    assert sheet.rows[3] == ["丙", "C路3号", "136;135;134"]


def test_text_row_numbers_count_title_blank_lines_and_start_multiline_cells():
    text = (
        "朝阳区驿站一览表,,\r\n"
        "\r\n"
        "名称,地址,备注\r\n"
        ",,\r\n"
        '甲,"朝阳路\r\n1号",\r\n'
        "乙,建国路2号,末行\r"
    )
    sheet = read_sheet_bytes(text.encode(), "list.csv")
    assert sheet.row_numbers == [1, 3, 5, 7]
    assert sheet.rows[2] == ["甲", "朝阳路\r\n1号", ""]
    assert sheet.rows[3] == ["乙", "建国路2号", "末行"]
    assert all(len(row) == 3 for row in sheet.rows)


def test_ragged_text_rows_are_padded_to_one_width():
    sheet = read_sheet_bytes("名称,地址,经度,纬度\n甲,路\n".encode(), "list.csv")
    assert sheet.rows[1] == ["甲", "路", "", ""]


def test_undecodable_text_is_refused_with_the_fix():
    refused(b"name,addr\n\xff\xfe,1\n", "x.csv", "UTF-8 or GBK")
    refused(codecs.BOM_UTF8 + "名称".encode("gbk"), "x.csv", "cannot tell the text encoding")


def test_binary_data_named_csv_is_refused():
    refused(b"name,addr\n\x00\x01\x02\x03", "x.csv", "binary data")
    refused((HOSTILE / "formula.xlsx").read_bytes(), "x.csv", "rename it .xlsx")


def test_text_named_xls_is_read_as_text_with_a_warning():
    sheet = read_sheet_bytes("名称\t地址\n甲\t路1号\n".encode("gbk"), "export.xls")
    assert sheet.rows == [["名称", "地址"], ["甲", "路1号"]] and sheet.source_format == "csv"
    assert "read as CSV" in sheet.warnings[0]


def test_html_table_named_xls_is_refused_with_the_fix():
    refused(b"<html><table><tr><td>1</td></tr></table></html>", "export.xls", "save it as .xlsx")


# -- workbooks: values, offsets, sheets -------------------------------------------------------


def test_workbook_values_read_the_way_excel_shows_them(tmp_path):
    cells = {
        "A1": "经度", "B1": "电话", "C1": "区号", "D1": "日期", "E1": "时刻", "F1": "真假",
        "A2": 116.4, "B2": 13800001111, "C2": "0101", "D2": dt.date(2025, 1, 2),
        "E2": dt.datetime(2025, 1, 2, 8, 30), "F2": True,
        "A3": 0.1 + 0.2, "B3": -3.0, "C3": 1e20, "D3": 116.404,
    }  # fmt: skip
    sheet = read_sheet(write_xlsx(tmp_path / "values.xlsx", cells))
    assert sheet.rows[1] == [
        "116.4",
        "13800001111",
        "0101",
        "2025-01-02",
        "2025-01-02 08:30",
        "TRUE",
    ]
    assert sheet.rows[2] == ["0.3", "-3", "1e+20", "116.404", "", ""]


def test_times_of_day_come_back_as_clock_text():
    assert value_text(dt.time(8, 29, 59, 999_999)) == "08:30"
    assert value_text(dt.time(17, 30, 15)) == "17:30:15"
    assert value_text(dt.timedelta(hours=26)) == "26:00"


def test_workbook_row_numbers_count_rows_above_the_used_range(tmp_path):
    path = write_xlsx(
        tmp_path / "offset.xlsx", {"C4": "驿站名称", "D4": "地址", "C7": "甲", "D7": "路"}
    )
    sheet = read_sheet(path)
    assert sheet.rows == [["驿站名称", "地址"], ["甲", "路"]]
    assert sheet.row_numbers == [4, 7]


def test_the_first_filled_visible_sheet_is_read_and_the_others_named(tmp_path):
    path = tmp_path / "sheets.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("说明")
    hidden = workbook.add_worksheet("字典")
    hidden.write("A1", "隐藏的内容")
    hidden.hide()
    workbook.add_worksheet("玄武").write_row(0, 0, ["名称", "地址"])
    workbook.add_worksheet("秦淮").write_row(0, 0, ["名称", "地址"])
    workbook.close()
    sheet = read_sheet(path)
    assert sheet.sheet_name == "玄武"
    assert len(sheet.warnings) == 1 and "not 秦淮" in sheet.warnings[0]


def test_a_workbook_with_no_cells_is_empty(tmp_path):
    refused(write_xlsx(tmp_path / "blank.xlsx", {}).read_bytes(), "blank.xlsx", "the file is empty")
    spaces = write_xlsx(tmp_path / "spaces.xlsx", {"A1": " ", "B2": "  "}).read_bytes()
    refused(spaces, "spaces.xlsx", "no filled rows")


def test_cells_written_without_references_are_placed_by_position(tmp_path):
    path = write_xlsx(tmp_path / "plain.xlsx", {"A1": "x"})
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet'
        ' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row><c t="inlineStr"><is><t>名称</t></is></c>'
        '<c t="inlineStr"><is><t>地址</t></is></c></row>'
        "<row/>"
        '<row><c t="inlineStr"><is><t>甲</t></is></c><c><v>12</v></c></row>'
        "</sheetData></worksheet>"
    )
    data = replace_member(path, "xl/worksheets/sheet1.xml", sheet_xml.encode())
    sheet = read_sheet_bytes(data, "plain.xlsx")
    assert sheet.rows == [["名称", "地址"], ["甲", "12"]] and sheet.row_numbers == [1, 3]


def test_cell_references_in_lower_case_are_placed_as_calamine_places_them(tmp_path):
    path = write_xlsx(tmp_path / "lower.xlsx", {"A1": "x"})
    sheet_xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="a1" t="inlineStr"><is><t>名称</t></is></c></row>'
        '<row r="40"><c r="c40"><v>12</v></c></row>'
        "</sheetData></worksheet>"
    )
    data = replace_member(path, "xl/worksheets/sheet1.xml", sheet_xml.encode())
    sheet = read_sheet_bytes(data, "lower.xlsx")
    assert sheet.rows == [["名称", "", ""], ["", "", "12"]] and sheet.row_numbers == [1, 40]


def test_ods_title_blank_rows_merged_cells_and_repeats():
    covered = '<table:covered-table-cell table:number-columns-repeated="2"/>'
    span = ' table:number-columns-spanned="3"'
    empty_rows = '<table:table-row table:number-rows-repeated="{}"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'  # noqa: E501
    table = (
        '<table:table table:name="站点">'
        + empty_rows.format(2)
        + f"<table:table-row>{ods_text('江岸区驿站', span)}{covered}</table:table-row>"
        + empty_rows.format(1)
        + "<table:table-row>"
        + "".join(ods_text(name) for name in ("街道", "名称", "经度"))
        + "</table:table-row>"
        + '<table:table-row><table:table-cell table:number-rows-spanned="2"'
        + ' office:value-type="string"><text:p>大智街</text:p></table:table-cell>'
        + ods_text("甲")
        + '<table:table-cell office:value-type="float" office:value="114.3"/></table:table-row>'
        + f"<table:table-row><table:covered-table-cell/>{ods_text('乙')}</table:table-row>"
        + empty_rows.format(1_048_000)
        + "</table:table>"
    )
    sheet = read_sheet_bytes(ods_bytes(table), "list.ods")
    assert (sheet.source_format, sheet.sheet_name) == ("ods", "站点")
    assert sheet.row_numbers == [3, 5, 6, 7]
    assert sheet.rows == [["江岸区驿站", "", ""], ["街道", "名称", "经度"],
                          ["大智街", "甲", "114.3"], ["大智街", "乙", ""]]  # fmt: skip
    assert "1 merged cell area(s)" in sheet.warnings[0]


# -- header detection -----------------------------------------------------------------------


def _sheet(rows: list[list[str]]) -> Sheet:
    return Sheet(rows=rows, row_numbers=list(range(1, len(rows) + 1)), source_format="csv")


def test_header_is_the_row_with_most_known_names():
    rows = [
        ["名称：驿站表", ""],
        ["名称", "备注"],
        ["名称", "地址"],
        ["甲", "路"],
        ["经度", "纬度"],
    ]
    sheet = _sheet([[*row, ""] for row in rows])
    assert find_header_row(sheet, lambda cell: cell in {"名称", "地址", "经度", "纬度"}) == 2


def test_header_needs_two_known_names_within_the_rows_looked_at():
    sheet = _sheet([["标题", ""]] * 5 + [["名称", "地址"]])
    known = {"名称", "地址"}.__contains__
    assert find_header_row(sheet, known) == 5
    with pytest.raises(ImportFileError, match="none of the first 5 rows"):
        find_header_row(sheet, known, look_at=5)
    with pytest.raises(ImportFileError, match="no header row"):
        find_header_row(_sheet([["名称", "x"], ["y", "z"]]), known)


# -- GeoJSON ----------------------------------------------------------------------------------


def _feature(geometry: object, **properties: object) -> dict[str, object]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def test_geojson_properties_union_and_values():
    features = [
        _feature({"type": "Point", "coordinates": [118.1, 24.5]}, 名称="甲", 服务=["休息", "饮水"]),
        _feature({"type": "Point", "coordinates": [118, 24]}, 名称="乙", 电话=13800001111, 经度=1),
        _feature(None, 名称="丙", 其他={"a": 1}),
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    sheet = read_sheet_bytes(data, "stations.json")
    assert sheet.rows == [
        ["名称", "服务", "电话", "其他", "经度", "纬度"],
        ["甲", "休息、饮水", "", "", "118.1", "24.5"],
        ["乙", "", "13800001111", "", "118", "24"],
        ["丙", "", "", '{"a": 1}', "", ""],
    ]
    assert len(sheet.warnings) == 2 and "row(s) 4" in sheet.warnings[1]


def test_geojson_properties_that_are_not_an_object_are_no_properties():
    features = [
        _feature({"type": "Point", "coordinates": [118.1, 24.5]}, 名称="甲"),
        {"type": "Feature", "geometry": None, "properties": "乙"},
        {"type": "Feature", "geometry": None, "properties": ["丙"]},
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    sheet = read_sheet_bytes(data, "stations.geojson")
    assert sheet.rows == [["名称", "经度", "纬度"], ["甲", "118.1", "24.5"]]
    assert sheet.row_numbers == [1, 2] and "row(s) 3, 4" in sheet.warnings[0]


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"{not json", "the JSON is malformed"),
        (b"[" * 100_000 + b"]" * 100_000, "the JSON is malformed"),
        (b'{"type": "Point", "coordinates": [1, 2]}', "not a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": [1]}', "list of Feature objects"),
        (b'{"type": "FeatureCollection", "features": []}', "no features"),
    ],
)
def test_malformed_geojson_is_refused(body, match):
    refused(body, "x.geojson", match)


# -- hostile files ------------------------------------------------------------------------------


def test_unknown_extension_names_the_supported_ones(tmp_path):
    error = refused(b"PK", "list.pdf", "unsupported file type '.pdf'")
    assert ".xlsx" in error.message and ".geojson" in error.message
    with pytest.raises(ImportFileError, match="unsupported"):
        read_sheet(tmp_path / "missing.docx")


def test_empty_files_are_refused():
    with pytest.raises(ImportFileError, match="文件为空 / the file is empty"):
        read_sheet(HOSTILE / "empty.csv")
    refused(b"\r\n\r\n , ,\r\n", "blank.csv", "no filled rows")


def test_a_renamed_picture_is_not_excel():
    with pytest.raises(ImportFileError, match="not a valid xlsx file"):
        read_sheet(HOSTILE / "not_excel.xlsx")
    refused(b"PK\x03\x04 this is no zip", "x.xlsx", "not a valid xlsx file")
    refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "x.xls", "not a valid xls file")


def test_zip_bomb_is_refused_before_decompressing():
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="zip bomb"):
        read_sheet(HOSTILE / "zip_bomb.xlsx")
    assert time.perf_counter() - started < 1


def test_files_over_the_size_limit_are_refused_unread(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * 1000)
    with pytest.raises(ImportFileError, match="limit 0 MB"):
        read_sheet(path, max_bytes=3999)
    assert read_sheet(path, max_bytes=4000).rows[0] == ["a", "b"]


@pytest.mark.timeout(30)
def test_a_50_mb_single_line_fails_fast(tmp_path):
    path = tmp_path / "long_line.csv"
    path.write_bytes(b"x" * 50_000_000)
    for max_bytes, match in ((readers.MAX_BYTES, "too large"), (60_000_000, "longer than")):
        started = time.perf_counter()
        with pytest.raises(ImportFileError, match=match):
            read_sheet(path, max_bytes=max_bytes)
        assert time.perf_counter() - started < 5


def test_a_row_of_too_many_columns_is_refused():
    refused(b"a," * 20_000, "wide.csv", "20,001 columns")


def test_more_rows_than_the_limit_are_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(sizes, "MAX_ROWS", 5)
    refused(b"a\n" * 6, "rows.csv", "more than 5 rows")
    assert len(read_sheet_bytes(b"a\n\n" * 5, "rows.csv").rows) == 5
    path = write_xlsx(tmp_path / "rows.xlsx", {f"A{i}": "x" for i in range(1, 7)})
    refused(path.read_bytes(), "rows.xlsx", "more than 5 rows")


def test_one_wide_line_cannot_pad_a_long_text_file_into_a_huge_grid():
    data = b"a," * 9_999 + b"a\n" + b"a\n" * 1_001
    assert len(data) < 25_000
    refused(data, "wide.csv", "1,002 rows x 10,000 columns")
    assert len(read_sheet_bytes(data[: -2 * 2], "wide.csv").rows) == 1_000


def test_one_feature_of_many_properties_cannot_make_geojson_a_huge_grid():
    wide = {"type": "Feature", "geometry": None, "properties": {f"k{i}": 1 for i in range(2_000)}}
    features = [wide] + [{"type": "Feature", "geometry": None}] * 5_000
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    refused(data, "wide.geojson", "5,002 rows x 2,002 columns")


def test_one_far_away_cell_cannot_make_calamine_build_a_huge_grid(tmp_path):
    path = write_xlsx(tmp_path / "far.xlsx", {"A1": "名称", "ALL100000": "x"})
    assert path.stat().st_size < 10_000
    refused(path.read_bytes(), "far.xlsx", "100,000 rows x 1,000 columns")
    path = write_xlsx(tmp_path / "farther.xlsx", {"A1": "名称", "XFD1048576": "x"})
    refused(path.read_bytes(), "farther.xlsx", "below row 1,000,000")


def test_styled_empty_cells_far_away_do_not_count(tmp_path):
    path = write_xlsx(tmp_path / "styled.xlsx", {"A1": "名称", "B1": "地址"})
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    far = b'<row r="900000"><c r="ZZ900000" s="0"/></row></sheetData>'
    data = replace_member(path, "xl/worksheets/sheet1.xml", xml.replace(b"</sheetData>", far))
    assert read_sheet_bytes(data, "styled.xlsx").rows == [["名称", "地址"]]


def test_positional_cells_are_measured_too(tmp_path):
    path = write_xlsx(tmp_path / "plain.xlsx", {"A1": "x"})
    cells = "<c><v>1</v></c>" * 2000
    sheet_xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{cells}</row><row r="90000"><c><v>1</v></c></row></sheetData>'
        "</worksheet>"
    )
    data = replace_member(path, "xl/worksheets/sheet1.xml", sheet_xml.encode())
    refused(data, "plain.xlsx", "90,000 rows x 2,000 columns")


def test_an_xls_claiming_a_huge_grid_is_refused(tmp_path):
    data = patched_xls(tmp_path, 0x0203, 0, struct.pack("<HH", 65535, 65535))  # a NUMBER cell
    refused(data, "patched.xls", "65,536 rows x 65,536 columns")


def test_an_ods_repeating_a_filled_row_a_million_times_is_refused():
    row = f'<table:table-row table:number-rows-repeated="1000000">{ods_text("x")}</table:table-row>'
    table = f'<table:table table:name="s">{ods_text("y").join(["<table:table-row>", "</table:table-row>"])}{row}</table:table>'  # noqa: E501
    refused(ods_bytes(table), "bomb.ods", "more than 1,000,000 rows")
    cell = '<table:table-cell table:number-columns-repeated="20000000" office:value="1"/>'
    wide = f'<table:table table:name="s"><table:table-row>{cell}</table:table-row></table:table>'
    refused(ods_bytes(wide), "wide.ods", "1 rows x 20,000,000 columns")


def test_xlsb_and_entity_tricks_are_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x00")
    refused(out.getvalue(), "x.xlsx", "xlsb")
    doctype = '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><x>&a;</x>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", ODS_MIMETYPE)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
        archive.writestr("content.xml", doctype)
    error = refused(out.getvalue(), "x.ods", "not a valid ods file")
    assert "DTD" in str(error.__cause__)


def test_declared_counts_calamine_would_reserve_room_for_are_checked(tmp_path):
    wrapped = patched_xls(
        tmp_path, 0x0200, 0, struct.pack("<I", 60_000)
    )  # first row after the last
    refused(wrapped, "dimensions.xls", "more than 1,000,000 rows")
    strings = patched_xls(tmp_path, 0x00FC, 4, struct.pack("<i", 2**31 - 1))
    refused(strings, "strings.xls", "not a valid xls file")
    path = write_xlsx(tmp_path / "strings.xlsx", {"A1": "名称", "B1": "地址"})
    with zipfile.ZipFile(path) as archive:
        table = archive.read("xl/sharedStrings.xml")
    lying = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', table)
    refused(replace_member(path, "xl/sharedStrings.xml", lying), "x.xlsx", "not a valid xlsx")
    honest = replace_member(path, "xl/sharedStrings.xml", table)
    assert read_sheet_bytes(honest, "x.xlsx").rows == [["名称", "地址"]]
