"""Columns are recognised by what they hold when their headers are not ones we know.

Issue 11, item 10: a list with its location under 经纬度 / GPS坐标 / 地理坐标 and the like,
or its services under a short or unusual key (a spreadsheet column, a GeoJSON property,
text or a JSON list), was refused or imported with its services silently dropped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbook_files import write_xlsx

from stationmap.cli import main
from stationmap.importing.columns import map_columns
from stationmap.importing.pipeline import ImportOptions, import_file

XUANWU_POINTS = [(118.7975, 32.0485), (118.8012, 32.0523), (118.7891, 32.0432)]


def _by(report, field):
    return [r for r in report.source["recognised"] if r["field"] == field]


def test_an_xlsx_with_unknown_headers_is_read_by_its_content(store, tmp_path):
    """No header here is in the synonym table: 站名, GPS坐标, fw, 时间, 联系."""
    cells: dict[str, object] = {"A1": "玄武区户外驿站一览", "A2": "站名", "B2": "GPS坐标",
                                "C2": "fw", "D2": "时间", "E2": "联系"}  # fmt: skip
    pairs = ["118.7975,32.0485", "32.0523, 118.8012", "118.7891 32.0432"]  # either order
    services = ["饮水、如厕", '["热水", "充电"]', "休息;雨具"]
    for i, (pair, service) in enumerate(zip(pairs, services, strict=True), start=3):
        cells |= {f"A{i}": f"玄武测试{i}号驿站", f"B{i}": pair, f"C{i}": service,
                  f"D{i}": "每天8:00-20:00", f"E{i}": "13800001111"}  # fmt: skip
    path = write_xlsx(tmp_path / "unknown_headers.xlsx", cells)
    report = import_file(store, path, ImportOptions(crs="wgs84"))
    assert report.counts["added"] == 3 and report.counts["rejected"] == 0, report.rejected
    recognised = {r["column"]: (r["field"], r["by"]) for r in report.source["recognised"]}
    assert recognised == {
        "站名": ("name", "content"), "GPS坐标": ("point", "content"),
        "fw": ("amenities", "content"), "时间": ("hours", "content"),
        "联系": ("phone", "content"),
    }  # fmt: skip
    assert _by(report, "point")[0]["how"] == "3 of 3 filled cells read as coordinate pairs" + (
        " (lon,lat or lat,lng)"
    )
    stations = sorted(store.read_stations(), key=lambda s: s.name)
    assert [s.amenities for s in stations] == [
        ("drinking_water", "toilet"),
        ("hot_water", "phone_charging"),
        ("seating", "rain_gear"),
    ]
    assert {s.opening_hours for s in stations} == {"Mo-Su 08:00-20:00"}
    assert {s.phone for s in stations} == {"13800001111"}
    assert [round(s.lat, 4) for s in stations] == [32.0485, 32.0523, 32.0432]


def test_a_csv_with_its_location_under_an_unknown_header(store, tmp_path):
    path = tmp_path / "where.csv"
    path.write_text(
        "驿站名称,地理位置,服务\n"
        + "\n".join(f'驿站{i},"{lat},{lon}",饮水' for i, (lon, lat) in enumerate(XUANWU_POINTS)),
        encoding="utf-8",
    )
    report = import_file(store, path, ImportOptions(crs="wgs84"))
    assert report.counts["added"] == 3
    assert _by(report, "point")[0]["column"] == "地理位置"
    swapped = [w for w in report.warnings if w.code == "swapped_coordinates"]
    assert len(swapped) == 3  # lat,lng order: read, and the clerk told


def test_a_geojson_list_valued_property_under_a_short_key(store, tmp_path):
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(point)},
            "properties": {"mc": f"驿站{i}", "s": ["饮水", "如厕", "充电"], "t": "02584001234"},
        }
        for i, point in enumerate(XUANWU_POINTS)
    ]
    path = tmp_path / "short.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    report = import_file(store, path, ImportOptions())
    assert [(r["column"], r["by"]) for r in _by(report, "amenities")] == [("s", "content")]
    assert {s.amenities for s in store.read_stations()} == {
        ("drinking_water", "phone_charging", "toilet")
    }
    assert not [w for w in report.warnings if w.code == "unknown_column"]
    assert {s.phone for s in store.read_stations()} == {"025-84001234"}


def test_a_second_column_of_recognisable_content_is_reported_not_dropped(store, tmp_path):
    path = tmp_path / "two_phones.csv"
    path.write_text(
        "驿站名称,经度,纬度,联系电话,值班手机\n"
        + "\n".join(
            f"驿站{i},{lon},{lat},025-84001234,1380000111{i}"
            for i, (lon, lat) in enumerate(XUANWU_POINTS)
        ),
        encoding="utf-8",
    )
    report = import_file(store, path, ImportOptions(crs="wgs84"))
    [unused] = [w for w in report.warnings if w.code == "unused_column"]
    assert unused.column == "值班手机" and "联系电话" in unused.message
    assert "--column 值班手机=phone" in unused.message


def test_the_clerks_mapping_wins_over_content(store, tmp_path):
    path = tmp_path / "mapped.csv"
    path.write_text(
        "驿站名称,经度,纬度,备注\n"
        + "\n".join(f"驿站{i},{lon},{lat},饮水" for i, (lon, lat) in enumerate(XUANWU_POINTS)),
        encoding="utf-8",
    )
    options = ImportOptions(crs="wgs84", columns={"备注": "ignore"})
    report = import_file(store, path, options)
    assert {s.amenities for s in store.read_stations()} == {()}
    assert not [w for w in report.warnings if w.row is None]
    assert [(r["column"], r["field"], r["by"]) for r in report.source["recognised"]][-1] == (
        "备注",
        "ignore",
        "mapping",
    )


def test_columns_of_unrecognised_content_are_still_reported():
    columns = map_columns(
        ["驿站名称", "经度", "纬度", "备注"],
        rows=[["驿站", "118.79", "32.04", "东门进"], ["驿站2", "118.8", "32.05", "二楼"]],
    )
    assert columns.unknown == ["备注"]


@pytest.fixture
def run(spatialite_url, monkeypatch):
    monkeypatch.setenv("STATIONMAP_DATABASE_URL", spatialite_url)
    monkeypatch.setenv("STATIONMAP_LOG_LEVEL", "WARNING")
    return lambda *args: CliRunner().invoke(main, [str(a) for a in args])


def test_the_cli_says_which_columns_it_recognised_and_how(run, tmp_path: Path):
    path = tmp_path / "gps.csv"
    path.write_text(
        "驿站名称,GPS坐标,fwxm2\n"
        + "\n".join(f'驿站{i},"{lon},{lat}",饮水' for i, (lon, lat) in enumerate(XUANWU_POINTS)),
        encoding="utf-8",
    )
    result = run("import", path, "--crs", "wgs84", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "column 'GPS坐标' → point: 3 of 3 filled cells read as coordinate pairs" in result.output
    assert "column 'fwxm2' → amenities: 3 of 3 filled cells read as services" in result.output


@pytest.mark.parametrize("header", ["驿站名称,东经度,北纬度", "驿站名称,经度,纵坐标"])
def test_longitude_and_latitude_columns_are_found_by_their_numbers(store, tmp_path, header):
    path = tmp_path / "split.csv"
    body = "\n".join(f"驿站{i},{lon},{lat}" for i, (lon, lat) in enumerate(XUANWU_POINTS))
    path.write_text(f"{header}\n{body}", encoding="utf-8")
    report = import_file(store, path, ImportOptions(crs="wgs84"))
    assert report.counts["added"] == 3
    by_content = {r["field"] for r in report.source["recognised"] if r["by"] == "content"}
    assert by_content == ({"lon", "lat"} if "东经度" in header else {"lat"})
