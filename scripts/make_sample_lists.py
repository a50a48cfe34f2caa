"""Write the sample station lists in data/samples/, as county unions send them.

    .venv/bin/python scripts/make_sample_lists.py [--out data/samples]

Each file is one real county (its name and boundary from the reference layers), with
invented stations at random points inside the county's boundary, invented addresses on
real-sounding roads, and phone numbers that are visibly not real (0000 in the middle, or
masked). Each file has the quirks its kind of sender produces; data/samples/README.md
lists them. The output is the same on every run. The hostile/ folder holds files the
reader must refuse cleanly; the 50 MB single-line CSV is left to the tests, which make
it in a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import random
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import shapely
import xlsxwriter
import xlwt

from stationmap.coordinates import point_from_wgs84
from stationmap.regions import load_regions

FIXED_TIME = dt.datetime(2025, 3, 1, 9, 0, 0)
"""Stamped into every workbook so that reruns write identical bytes."""

SERVICE_TEXTS = (
    "休息如厕、饮水纳凉、餐食加热",
    "休息、饮水、手机充电、应急药箱",
    "热水、微波炉、休息座椅、雨具",
    "饮用水、卫生间、空调、无线网络",
    "休息如厕、饮水纳凉、电动车充电、维修打气",
    "书报阅读、手机充电、热水",
)
STATION_ENDINGS = ("工会驿站", "爱心驿站", "户外劳动者服务站", "暖心驿站")
HOSTS = ("社区", "便民服务中心", "加油站", "银行网点", "物业中心", "环卫所", "超市")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("data/samples"))
    out = parser.parse_args().out
    (out / "hostile").mkdir(parents=True, exist_ok=True)
    write_nanjing_xuanwu(out / "nanjing_xuanwu_2025.xlsx")
    write_chaoyang_beijing(out / "chaoyang_beijing_gbk.csv")
    write_wuhou_chengdu(out / "wuhou_chengdu_bd09.xlsx")
    write_shenzhen_nanshan(out / "shenzhen_nanshan_utf16.txt")
    write_xiamen_siming(out / "xiamen_siming.geojson")
    write_jiangan_wuhan(out / "jiangan_wuhan_2012.xls")
    write_hostile(out / "hostile")
    for path in sorted(out.rglob("*")):
        if path.is_file():
            print(f"{path}  {path.stat().st_size:,} bytes")


# -- the invented stations ------------------------------------------------------------------


def points_inside(adcode: str, count: int, rng: random.Random) -> Iterator[tuple[float, float]]:
    """``count`` WGS-84 points inside the county's boundary, to 6 decimals."""
    boundary = load_regions().boundary(adcode)
    shapely.prepare(boundary)
    west, south, east, north = boundary.bounds
    found = 0
    while found < count:
        lon, lat = round(rng.uniform(west, east), 6), round(rng.uniform(south, north), 6)
        if shapely.contains_xy(boundary, lon, lat):
            found += 1
            yield lon, lat


def station_name(place: str, rng: random.Random) -> str:
    return f"{place}{rng.choice(HOSTS)}{rng.choice(STATION_ENDINGS)}"


def mobile(rng: random.Random) -> str:
    """An 11-digit mobile number that is plainly not real: 0000 in the middle."""
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}0000{rng.randint(0, 9999):04d}"


def masked_mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}"


def county_name(adcode: str) -> str:
    county = load_regions().county(adcode)
    return county.name if county else adcode


def set_fixed_properties(workbook: xlsxwriter.Workbook) -> None:
    workbook.set_properties({"created": FIXED_TIME, "author": "stationmap samples"})


# -- 南京市玄武区: title row, blank row, merged 所属街道 column, WGS-84 ---------------------------

XUANWU_STREETS = {
    "玄武门街道": ("中山路", "湖南路", "北京东路"),
    "新街口街道": ("中山东路", "洪武北路", "长江路"),
    "梅园新村街道": ("长江路", "汉府街", "太平北路"),
    "锁金村街道": ("龙蟠路", "锁金村路", "板仓街"),
    "红山街道": ("红山路", "和燕路", "小卫街"),
    "孝陵卫街道": ("中山门大街", "孝陵卫街", "童卫路"),
    "玄武湖街道": ("玄武大道", "环湖路", "岗子村"),
}
XUANWU_HOURS = ("24小时", "每天7:00—22:00", "周一至周五 9:00-17:00", "7×24小时", "每天8:00-20:00")


def write_nanjing_xuanwu(path: Path) -> None:
    """About 40 stations, grouped by street with the street cell merged down each group."""
    rng = random.Random(320102)
    points = points_inside("320102", 42, rng)
    workbook = xlsxwriter.Workbook(str(path))
    set_fixed_properties(workbook)
    sheet = workbook.add_worksheet("驿站清单")
    title = workbook.add_format({"bold": True, "font_size": 16, "align": "center"})
    merged = workbook.add_format({"valign": "vcenter", "align": "center"})
    header = [
        "序号",
        "所属街道",
        "驿站名称",
        "详细地址",
        "经度",
        "纬度",
        "联系电话",
        "开放时间",
        "服务内容",
    ]
    sheet.merge_range(0, 0, 0, len(header) - 1, "玄武区总工会户外劳动者服务站点一览表", title)
    sheet.write_row(2, 0, header)
    row, number = 3, 1
    for street, roads in XUANWU_STREETS.items():
        group = 6
        sheet.merge_range(row, 1, row + group - 1, 1, street, merged)
        for _ in range(group):
            lon, lat = next(points)
            road = rng.choice(roads)
            sheet.write_number(row, 0, number)
            sheet.write_string(row, 2, station_name(street.removesuffix("街道"), rng))
            sheet.write_string(row, 3, f"南京市玄武区{road}{rng.randint(1, 300)}号")
            sheet.write_number(row, 4, lon)
            sheet.write_number(row, 5, lat)
            sheet.write_string(row, 6, masked_mobile(rng) if number % 5 == 0 else mobile(rng))
            sheet.write_string(row, 7, rng.choice(XUANWU_HOURS))
            sheet.write_string(row, 8, rng.choice(SERVICE_TEXTS))
            row, number = row + 1, number + 1
    workbook.close()


# -- 北京市朝阳区: GBK CSV, one "经度,纬度" column in GCJ-02 ------------------------------------

CHAOYANG_ROADS = (
    "朝阳路",
    "建国路",
    "东三环中路",
    "望京街",
    "酒仙桥路",
    "朝阳北路",
    "姚家园路",
    "广渠路",
)
CHAOYANG_PLACES = ("望京", "三里屯", "双井", "酒仙桥", "劲松", "大屯", "麦子店", "十八里店")
CHAOYANG_HOURS = ("８：００－２０：００", "8:00-20:00", "全天", "每天7：30—21：30", "24小时")


def write_chaoyang_beijing(path: Path) -> None:
    """About 30 stations; phones with several numbers, one landline stored as a number."""
    rng = random.Random(110105)
    rows = [["站点名称", "地址", "坐标", "手机号码", "开放时间", "服务项目"]]
    for i, (lon, lat) in enumerate(points_inside("110105", 30, rng)):
        gcj_lon, gcj_lat = point_from_wgs84(lon, lat, "gcj02")
        place = rng.choice(CHAOYANG_PLACES)
        rows.append(
            [
                station_name(place, rng),
                f"北京市朝阳区{rng.choice(CHAOYANG_ROADS)}{rng.randint(1, 200)}号",
                f"{gcj_lon:.6f},{gcj_lat:.6f}",
                chaoyang_phone(i, rng),
                rng.choice(CHAOYANG_HOURS),
                rng.choice(SERVICE_TEXTS),
            ]
        )
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    path.write_bytes(text.getvalue().encode("gbk"))


def chaoyang_phone(index: int, rng: random.Random) -> str:
    if index == 3:
        return "1065001234"  # 010-65001234 kept as a number in Excel: the leading 0 is gone
    if index % 4 == 0:
        return f"{mobile(rng)};{mobile(rng)}"
    if index % 7 == 0:
        return f"010-6500{rng.randint(0, 9999):04d};{mobile(rng)}"
    return mobile(rng)


# -- 成都市武侯区: BD-09 in JD/WD columns, swapped pairs, one DMS, one abroad ---------------------

WUHOU_ROADS = (
    "武侯祠大街",
    "一环路南四段",
    "科华北路",
    "人民南路四段",
    "玉林南路",
    "高升桥路",
    "芳草街",
)
WUHOU_PLACES = ("浆洗街", "玉林", "簇桥", "红牌楼", "火车南站", "跳伞塔", "晋阳", "望江路")
WUHOU_HOURS = (
    "工作日 8:30-17:30（法定节假日除外）",
    "24小时",
    "每天7:00—22:00",
    "周一至周六 9:00-18:00",
)


def write_wuhou_chengdu(path: Path) -> None:
    """About 25 stations in BD-09, with the usual mistakes a hand-kept sheet has."""
    rng = random.Random(510107)
    workbook = xlsxwriter.Workbook(str(path))
    set_fixed_properties(workbook)
    sheet = workbook.add_worksheet("Sheet1")
    sheet.write_row(0, 0, ["序号", "驿站名称", "地址", "JD", "WD", "电话", "开放时间", "服务内容"])
    for i, (lon, lat) in enumerate(points_inside("510107", 25, rng), start=1):
        bd_lon, bd_lat = point_from_wgs84(lon, lat, "bd09")
        x, y = wuhou_coordinates(i, round(bd_lon, 6), round(bd_lat, 6))
        services = rng.choice(SERVICE_TEXTS) + ("、按摩椅" if i == 17 else "")
        sheet.write_row(
            i,
            0,
            [
                i,
                station_name(rng.choice(WUHOU_PLACES), rng),
                f"成都市武侯区{rng.choice(WUHOU_ROADS)}{rng.randint(1, 120)}号",
                x,
                y,
                f"028-8500{rng.randint(0, 9999):04d}" if i % 3 == 0 else mobile(rng),
                WUHOU_HOURS[0] if i % 2 else rng.choice(WUHOU_HOURS),
                services,
            ],
        )
    workbook.close()


def wuhou_coordinates(index: int, lon: float, lat: float) -> tuple[float | str, float | str]:
    """The JD and WD cells: latitude and longitude swapped in rows 5 and 12, degrees-
    minutes-seconds in row 9, and row 21 somewhere in Japan."""
    if index in (5, 12):
        return lat, lon
    if index == 9:
        return dms(lon), dms(lat)
    if index == 21:
        return 139.691706, 35.689487
    return lon, lat


def dms(degrees: float) -> str:
    """``30.640333`` as ``30°38'25.2"``."""
    whole = math.floor(degrees)
    minutes = math.floor((degrees - whole) * 60)
    seconds = round(((degrees - whole) * 60 - minutes) * 60, 1)
    return f"{whole}°{minutes:02d}'{seconds:04.1f}\""


# -- 深圳市南山区: Excel's "Unicode text" (UTF-16, tabs), a duplicate and a near-duplicate --------

NANSHAN_ROADS = (
    "Shennan Blvd",
    "Keyuan Rd",
    "Nanhai Blvd",
    "Houhai Blvd",
    "Nanshan Blvd",
    "Gaoxin S Rd",
)
NANSHAN_PLACES = ("蛇口", "后海", "科技园", "西丽", "南头", "粤海", "招商", "桃源")


def write_shenzhen_nanshan(path: Path) -> None:
    """About 20 stations in WGS-84; row 8 repeats row 7, and row 15 is row 14's station
    again 20 m further north."""
    rng = random.Random(440305)
    rows = [["name", "address", "longitude", "latitude", "phone", "hours", "services"]]
    for lon, lat in points_inside("440305", 18, rng):
        rows.append(
            [
                station_name(rng.choice(NANSHAN_PLACES), rng),
                f"{rng.randint(1, 3000)} {rng.choice(NANSHAN_ROADS)}, Nanshan, Shenzhen",
                f"{lon:.6f}",
                f"{lat:.6f}",
                f"0755-2600{rng.randint(0, 9999):04d}" if rng.random() < 0.3 else mobile(rng),
                rng.choice(("24小时", "08:00-20:00", "Mon-Fri 9:00-18:00", "每天7:00—22:00")),
                rng.choice(SERVICE_TEXTS),
            ]
        )
    rows.insert(7, list(rows[6]))
    moved = list(rows[13])
    moved[3] = f"{float(moved[3]) + 20 / 111_320:.6f}"
    rows.insert(14, moved)
    text = "".join("\t".join(row) + "\r\n" for row in rows)
    path.write_bytes(text.encode("utf-16"))  # the codec writes the BOM, little-endian here


# -- 厦门市思明区: GeoJSON with one feature that is not a point ----------------------------------

SIMING_ROADS = ("中山路", "思明南路", "湖滨南路", "厦禾路", "鹭江道", "莲前西路", "环岛南路")
SIMING_PLACES = ("鼓浪屿", "中华", "滨海", "莲前", "嘉莲", "开元", "筼筜", "梧村")


def write_xiamen_siming(path: Path) -> None:
    """About 15 points in WGS-84, and feature 9 a LineString (a route, not a station)."""
    rng = random.Random(350203)
    features = []
    for i, (lon, lat) in enumerate(points_inside("350203", 15, rng), start=1):
        geometry = {"type": "Point", "coordinates": [lon, lat]}
        if i == 9:
            geometry = {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.002, lat]]}
        properties = {
            "名称": station_name(rng.choice(SIMING_PLACES), rng),
            "地址": f"厦门市思明区{rng.choice(SIMING_ROADS)}{rng.randint(1, 400)}号",
            "电话": mobile(rng),
            "开放时间": rng.choice(("24小时", "每天7:00—22:00", "周一至周五 9:00-17:00")),
            "服务": rng.choice(SERVICE_TEXTS),
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# -- 武汉市江岸区: an old .xls, title row, a 社区 column merged down, landlines as numbers --------

JIANGAN_COMMUNITIES = {
    "大智街": ("中山大道", "黄石路", "友益街"),
    "二七街": ("二七路", "解放大道", "工农兵路"),
    "后湖街": ("后湖大道", "金桥大道", "百步亭路"),
}


def write_jiangan_wuhan(path: Path) -> None:
    """Twelve stations in Excel 97-2003 format, the way older county offices still keep
    them; the landlines are numbers, so their leading 027 has become 27."""
    rng = random.Random(420102)
    points = points_inside("420102", 12, rng)
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("2012年驿站")
    sheet.write_merge(0, 0, 0, 6, "江岸区总工会爱心驿站名单（2012年）")
    sheet.write(1, 0, "填报单位：江岸区总工会")
    for column, text in enumerate(["序号", "街道", "驿站名称", "地址", "经度", "纬度", "电话"]):
        sheet.write(2, column, text)
    row = 3
    for street, roads in JIANGAN_COMMUNITIES.items():
        sheet.write_merge(row, row + 3, 1, 1, street)
        for _ in range(4):
            lon, lat = next(points)
            sheet.write(row, 0, row - 2)
            sheet.write(row, 2, station_name(street.removesuffix("街"), rng))
            sheet.write(row, 3, f"武汉市江岸区{rng.choice(roads)}{rng.randint(1, 500)}号")
            sheet.write(row, 4, lon)
            sheet.write(row, 5, lat)
            sheet.write(row, 6, 2782000000 + rng.randint(0, 9999))
            row += 1
    workbook.save(str(path))


# -- hostile files ----------------------------------------------------------------------------


def write_hostile(folder: Path) -> None:
    (folder / "empty.csv").write_bytes(b"")
    (folder / "not_excel.xlsx").write_bytes(tiny_png())
    write_zip_bomb(folder / "zip_bomb.xlsx")
    write_formula_workbook(folder / "formula.xlsx")


def tiny_png() -> bytes:
    """A valid 1x1 grey PNG: a picture someone renamed .xlsx."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def write_zip_bomb(path: Path, unzipped_mb: int = 320) -> None:
    """An xlsx-shaped zip whose sheet is 320 MB of spaces squeezed into a few hundred bytes
    (bzip2 packs long runs far tighter than deflate's 1:1032)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in (
            ("[Content_Types].xml", '<?xml version="1.0"?><Types/>'),
            ("xl/workbook.xml", '<?xml version="1.0"?><workbook/>'),
        ):
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), body)
        member = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (1980, 1, 1, 0, 0, 0))
        member.compress_type = zipfile.ZIP_BZIP2
        block = b" " * (1 << 20)
        with archive.open(member, "w") as stream:
            for _ in range(unzipped_mb):
                stream.write(block)


def write_formula_workbook(path: Path) -> None:
    """Formulas with cached values, and a text cell that would be a formula if exported
    to CSV unescaped (the "CSV injection" of a DDE call)."""
    workbook = xlsxwriter.Workbook(str(path))
    set_fixed_properties(workbook)
    sheet = workbook.add_worksheet("驿站")
    sheet.write_row(0, 0, ["驿站名称", "详细地址", "经度", "纬度", "链接", "备注"])
    sheet.write_string(1, 0, "锁金村社区工会驿站")
    sheet.write_string(1, 1, "南京市玄武区龙蟠路88号")
    sheet.write_number(1, 2, 118.8112)
    sheet.write_formula(1, 3, "=32+0.0745", None, 32.0745)
    sheet.write_formula(
        1, 4, '=HYPERLINK("https://example.org/station/1","查看详情")', None, "查看详情"
    )
    sheet.write_formula(1, 5, "=1+1", None, 2)
    sheet.write_string(2, 0, "=cmd|' /C calc'!A0")
    sheet.write_string(2, 1, "南京市玄武区板仓街9号")
    sheet.write_number(2, 2, 118.8321)
    sheet.write_number(2, 3, 32.0890)
    sheet.write_string(2, 5, "@SUM(1+1)*cmd|' /C calc'!A0")
    workbook.close()


if __name__ == "__main__":
    main()
