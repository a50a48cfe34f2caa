"""Exports open where their readers open them, and import again without changing anything.

Issue 11, item 7: re-importing exported rows reported every row as updated, called six
exported columns unknown and warned about masked phones; the CSV had no byte-order mark
(Excel on Chinese Windows garbles it) and a comment line above its header (GDAL could not
open it).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from stationmap.cli import main
from stationmap.config import load_settings
from stationmap.store import open_store
from stationmap.vocabulary import SYNTHETIC_DATA_NOTICE

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
GDAL_MISSING = "GDAL's ogrinfo/ogr2ogr are missing: run sh scripts/install-system-deps.sh browser"


@pytest.fixture
def gdal() -> None:
    """GDAL's command-line tools: skipped without them locally, required in CI."""
    if shutil.which("ogr2ogr") and shutil.which("ogrinfo"):
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(GDAL_MISSING)
    pytest.skip(GDAL_MISSING)


@pytest.fixture
def filled(spatialite_url, monkeypatch):
    """``stationmap ARGS`` against a store holding two samples and 400 demo stations
    (masked phones, hours as first written, the synthetic notice)."""
    monkeypatch.setenv("STATIONMAP_DATABASE_URL", spatialite_url)
    monkeypatch.setenv("STATIONMAP_LOG_LEVEL", "WARNING")

    def run(*args):
        result = CliRunner().invoke(main, [str(a) for a in args])
        assert result.exit_code == 0, result.output
        return result

    run("load-demo", "--count", "400", "--seed", "4")
    run("import", SAMPLES / "nanjing_xuanwu_2025.xlsx", "--crs", "wgs84")
    run("import", SAMPLES / "chaoyang_beijing_gbk.csv", "--crs", "gcj02")
    return run


def _stations(database_url: str):
    with open_store(load_settings({"STATIONMAP_DATABASE_URL": database_url})) as store:
        return sorted(store.iter_stations(), key=lambda s: s.id)


@pytest.mark.parametrize("name", ["all.csv", "all.geojson"])
def test_exporting_and_importing_again_changes_nothing(filled, spatialite_url, tmp_path, name):
    before = _stations(spatialite_url)
    filled("export", tmp_path / name)
    report_path = tmp_path / "report.json"
    result = filled("import", tmp_path / name, "--report", report_path)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["counts"] == {
        "rows": len(before), "added": 0, "updated": 0, "unchanged": len(before),
        "duplicates": 0, "rejected": 0,
    }, result.output  # fmt: skip
    assert report["warnings"] == [], report["warnings"][:5]
    assert _stations(spatialite_url) == before


def test_one_countys_export_imports_again_unchanged(filled, spatialite_url, tmp_path):
    result = filled("export", tmp_path / "xuanwu.csv", "--county", "玄武区")
    assert "of 南京市玄武区 (320102)" in result.output
    with (tmp_path / "xuanwu.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    in_store = [s for s in _stations(spatialite_url) if s.adcode == "320102"]
    assert sorted(r["id"] for r in rows) == sorted(s.id for s in in_store)
    assert len(rows) >= 42
    result = filled("import", tmp_path / "xuanwu.csv", "--dry-run")
    assert f"would leave {len(rows)} unchanged" in result.output and "0 warnings" in result.output


@pytest.mark.parametrize(("county", "message"), [
    ("朝阳区", "110105 北京市朝阳区; 220104 吉林省长春市朝阳区"),
    ("999999", "expected a 6-digit mainland county code"),
    ("没有这个区", "names no county"),
])  # fmt: skip
def test_a_county_that_is_not_one_is_refused_with_the_candidates(filled, tmp_path, county, message):
    result = CliRunner().invoke(main, ["export", str(tmp_path / "x.csv"), "--county", county])
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "x.csv").exists()


def test_the_csv_opens_in_excel_as_utf8_with_the_notice_as_a_column(filled, tmp_path):
    filled("export", tmp_path / "all.csv")
    data = (tmp_path / "all.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,name,"), data[:40]  # the BOM Excel needs
    with (tmp_path / "all.csv").open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header[-1] == "notice" and all(row[-1] == SYNTHETIC_DATA_NOTICE for row in rows)


def _ogr(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gdal_opens_the_csv_with_lon_lat_as_x_y(filled, spatialite_url, tmp_path, gdal):
    """As a GIS user would: the CSV driver told which columns are X and Y, into GeoJSON."""
    filled("export", tmp_path / "all.csv")
    out = tmp_path / "from_csv.geojson"
    _ogr(
        "ogr2ogr", "-f", "GeoJSON", "-a_srs", "EPSG:4326", str(out), str(tmp_path / "all.csv"),
        "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat",
    )  # fmt: skip
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    stored = {s.id: s for s in _stations(spatialite_url)}
    assert len(features) == len(stored)
    for feature in features:
        station = stored[feature["properties"]["id"]]
        assert feature["properties"]["name"] == station.name
        lon, lat = feature["geometry"]["coordinates"]
        assert abs(lon - station.lon) < 1e-9 and abs(lat - station.lat) < 1e-9


def test_gdal_opens_the_geojson(filled, spatialite_url, tmp_path, gdal):
    filled("export", tmp_path / "all.geojson")
    summary = _ogr("ogrinfo", "-ro", "-so", "-al", str(tmp_path / "all.geojson"))
    assert f"Feature Count: {len(_stations(spatialite_url))}" in summary
    assert "Geometry: Point" in summary and "WGS 84" in summary
    out = tmp_path / "from_geojson.csv"
    _ogr("ogr2ogr", "-f", "CSV", str(out), str(tmp_path / "all.geojson"), "-lco", "GEOMETRY=AS_XY")
    with out.open(encoding="utf-8", newline="") as f:
        names = {row["name"] for row in csv.DictReader(f)}
    assert names == {s.name for s in _stations(spatialite_url)}
