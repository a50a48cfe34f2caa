"""An import never guesses the coordinate system, and doubts a declared one that fits badly.

Issue 11, item 6: a GCJ-02 list imported without ``--crs`` was silently shifted about
500 m and reported with 0 warnings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import prcoords
import pytest
import shapely
from click.testing import CliRunner

from stationmap.cli import main
from stationmap.importing.coordinate_systems import CrsRequired, header_crs
from stationmap.importing.pipeline import ImportOptions, import_file

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
XUANWU = "320102"


@pytest.fixture
def run(spatialite_url, monkeypatch):
    monkeypatch.setenv("STATIONMAP_DATABASE_URL", spatialite_url)
    monkeypatch.setenv("STATIONMAP_LOG_LEVEL", "WARNING")
    return lambda *args: CliRunner().invoke(main, [str(a) for a in args])


def test_the_cli_refuses_a_list_that_does_not_say_its_system(run):
    result = run("import", SAMPLES / "chaoyang_beijing_gbk.csv", "--dry-run")
    assert result.exit_code == 2, result.output
    error = result.output.splitlines()[-1]
    assert error.startswith("error: ") and "--crs" in error
    for choice, source in (("wgs84", "天地图"), ("gcj02", "高德"), ("bd09", "百度")):
        assert choice in error and source in error


def test_import_options_left_undeclared_refuse_such_a_file(store):
    with pytest.raises(CrsRequired) as caught:
        import_file(store, SAMPLES / "nanjing_xuanwu_2025.xlsx", ImportOptions())
    assert caught.value.status == 400 and caught.value.code == "crs_required"
    assert store.count_stations() == 0


def test_geojson_declares_wgs84(store):
    report = import_file(store, SAMPLES / "xiamen_siming.geojson", ImportOptions())
    assert (report.source["crs"], report.source["crs_declared_by"]) == ("wgs84", "geojson")
    assert report.counts["added"] == 14


@pytest.mark.parametrize(("header", "crs"), [
    ("经度（GCJ02）", "gcj02"), ("lon (GCJ-02)", "gcj02"), ("高德经度", "gcj02"),
    ("经度(WGS84)", "wgs84"), ("GPS经度", "wgs84"), ("经度（百度）", "bd09"), ("经度", None),
])  # fmt: skip
def test_a_header_note_names_the_system(header, crs):
    assert header_crs(header) == crs


def test_coordinate_headers_that_name_a_system_declare_it(store, tmp_path):
    path = tmp_path / "gcj.csv"
    shifted = prcoords.wgs_gcj(prcoords.Coords(32.0485, 118.7975))
    path.write_text(
        f"驿站名称,经度（GCJ-02）,纬度（GCJ-02）\n玄武测试驿站,{shifted.lon!r},{shifted.lat!r}\n",
        encoding="utf-8",
    )
    report = import_file(store, path, ImportOptions())
    assert (report.source["crs"], report.source["crs_declared_by"]) == ("gcj02", "header")
    [station] = store.read_stations()
    assert abs(station.lon - 118.7975) < 1e-7 and abs(station.lat - 32.0485) < 1e-7


def test_the_clerks_choice_wins_over_the_file_and_is_noted(store):
    report = import_file(store, SAMPLES / "xiamen_siming.geojson", ImportOptions(crs="gcj02"))
    assert report.source["crs"] == "gcj02"
    assert any(w.code == "crs_overridden" for w in report.warnings)


def _border_list(path: Path, regions, interior: int, near_border: int) -> None:
    """A GCJ-02 list of 玄武区 stations stating 320102 in a 区划代码 column: ``near_border``
    of them so close to the boundary that their GCJ-02 numbers, read as WGS-84, fall outside."""
    boundary = regions.boundary(XUANWU)
    west, south, east, north = boundary.bounds
    rng = np.random.default_rng(11)
    inside_only, leaving = [], []
    while len(inside_only) < interior or len(leaving) < near_border:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if not shapely.contains_xy(boundary, lon, lat):
            continue
        gcj = prcoords.wgs_gcj(prcoords.Coords(lat, lon))
        bucket = leaving if not shapely.contains_xy(boundary, gcj.lon, gcj.lat) else inside_only
        bucket.append((gcj.lon, gcj.lat))
    points = inside_only[:interior] + leaving[:near_border]
    lines = ["驿站名称,经度,纬度,区划代码"]
    lines += [f"测试驿站{i:02d},{lon!r},{lat!r},{XUANWU}" for i, (lon, lat) in enumerate(points)]
    path.write_text("\n".join(lines), encoding="utf-8")


def test_a_declared_system_that_puts_many_rows_outside_their_county_is_doubted(
    store, tmp_path, regions
):
    path = tmp_path / "gcj_as_wgs.csv"
    _border_list(path, regions, interior=18, near_border=12)
    report = import_file(store, path, ImportOptions(crs="wgs84", dry_run=True))
    [doubt] = [w for w in report.warnings if w.code == "crs_mismatch"]
    assert doubt.message_en.startswith(
        "12 of 30 rows fall outside 玄武区 as wgs84; as gcj02 0 of 30 would"
    ), doubt.message_en
    assert "按 wgs84 有 12/30 行不在玄武区内" in doubt.message and "--crs gcj02" in doubt.message
    right = import_file(store, path, ImportOptions(crs="gcj02", dry_run=True))
    assert not [w for w in right.warnings if w.code in ("crs_mismatch", "outside_declared_county")]


def test_the_doubt_is_printed_by_the_cli(run, tmp_path, regions):
    path = tmp_path / "gcj_as_wgs.csv"
    _border_list(path, regions, interior=20, near_border=10)
    result = run("import", path, "--crs", "wgs84", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "10 of 30" not in result.output  # the clerk reads Chinese; English is in --report
    assert "按 wgs84 有 10/30 行不在玄武区内；按 gcj02 只有 0/30 行" in result.output


def test_a_few_strays_under_the_right_system_raise_no_doubt(store):
    report = import_file(
        store,
        SAMPLES / "nanjing_xuanwu_2025.xlsx",
        ImportOptions(crs="wgs84", county=XUANWU, dry_run=True),
    )
    assert not [w for w in report.warnings if w.code == "crs_mismatch"]


def test_the_county_may_be_named_and_the_sample_list_is_doubted_as_wgs84(run):
    """The README's GCJ-02 sample, imported as WGS-84 against its county named in Chinese."""
    args = ("import", SAMPLES / "chaoyang_beijing_gbk.csv", "--county", "北京市朝阳区")
    wrong = run(*args, "--crs", "wgs84", "--dry-run")
    assert wrong.exit_code == 0, wrong.output
    assert "按 wgs84 有 3/30 行不在朝阳区内；按 gcj02 只有 0/30 行" in wrong.output
    right = run(*args, "--crs", "gcj02", "--dry-run")
    assert "0 warnings" in right.output and "不在" not in right.output


def test_the_refusal_gives_the_figures_for_each_system_when_the_county_is_known(run):
    result = run("import", SAMPLES / "chaoyang_beijing_gbk.csv", "--county", "110105")
    assert result.exit_code == 2
    figures = "按 wgs84 有 3/30 行、按 gcj02 有 0/30 行、按 bd09 有 1/30 行不在朝阳区内"
    assert figures in result.output
