"""Importing county lists end to end, on real SpatiaLite and PostGIS stores."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import prcoords
import pytest
import shapely
from python_calamine import CalamineWorkbook

from stationmap.importing.pipeline import ImportOptions, import_file, import_sheet, import_upload
from stationmap.importing.readers import ImportFileError, read_sheet
from stationmap.importing.report import write_json, write_rejected_xlsx

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
METRES_PER_DEGREE = 111_195.0


def _import(store, name: str, **options):
    return import_file(store, SAMPLES / name, ImportOptions(**{"crs": "wgs84", **options}))


@pytest.mark.parametrize(("name", "crs", "adcode", "counts"), [
    ("nanjing_xuanwu_2025.xlsx", "wgs84", "320102", {"added": 42, "rejected": 0}),
    ("chaoyang_beijing_gbk.csv", "gcj02", "110105", {"added": 30, "rejected": 0}),
    ("wuhou_chengdu_bd09.xlsx", "bd09", "510107", {"added": 24, "rejected": 1}),
    ("shenzhen_nanshan_utf16.txt", "wgs84", "440305", {"added": 18, "duplicates": 2}),
    ("xiamen_siming.geojson", "wgs84", "350203", {"added": 14, "rejected": 1}),
    ("jiangan_wuhan_2012.xls", "wgs84", "420102", {"added": 12, "rejected": 0}),
])  # fmt: skip
def test_each_sample_lands_in_its_county(store, name, crs, adcode, counts):
    report = _import(store, name, crs=crs)
    assert {k: report.counts[k] for k in counts} == counts, report.summary()
    stations = store.read_stations()
    assert len(stations) == counts["added"]
    inside = [s.adcode == adcode for s in stations]
    assert sum(inside) >= len(stations) - 1, [s.adcode for s in stations]
    for station in stations:
        assert shapely.contains_xy(store.regions.boundary(station.adcode), station.lon, station.lat)


def test_reimporting_an_unchanged_file_changes_nothing(store):
    _import(store, "nanjing_xuanwu_2025.xlsx")
    before = store.last_change_id()
    stations = store.read_stations()
    report = _import(store, "nanjing_xuanwu_2025.xlsx")
    assert report.counts["unchanged"] == 42 and report.counts["added"] == 0
    assert report.counts["updated"] == 0
    assert store.read_stations() == stations
    assert store.last_change_id() == before + 1  # only the batch's own entry


def test_a_changed_row_updates_only_what_changed_and_is_audited(store):
    path = SAMPLES / "nanjing_xuanwu_2025.xlsx"
    import_file(store, path, ImportOptions(crs="wgs84"))
    sheet = read_sheet(path)
    header_at = next(i for i, row in enumerate(sheet.rows) if "联系电话" in row)
    phone_col = sheet.rows[header_at].index("联系电话")
    changed = [list(r) for r in sheet.rows]
    changed[header_at + 5][phone_col] = "025-84001111"
    report = import_sheet(
        store, replace(sheet, rows=changed), path.name, ImportOptions(crs="wgs84")
    )
    assert (report.counts["updated"], report.counts["unchanged"]) == (1, 41)
    [station] = [s for s in store.read_stations() if s.phone == "025-84001111"]
    assert station.version == 2
    update = store.history(station.id)[-1]
    assert update.action == "update" and set(update.after) == {"phone"}


def test_dry_run_reports_everything_and_writes_nothing(store):
    report = _import(store, "wuhou_chengdu_bd09.xlsx", crs="bd09", dry_run=True)
    assert report.dry_run and report.counts["added"] == 24 and report.counts["rejected"] == 1
    assert report.rows["rejected"] == [22] and len(report.rows["added"]) == 24
    assert store.count_stations() == 0 and store.last_change_id() == 0


def test_strict_import_with_a_bad_row_writes_nothing(store):
    report = _import(store, "wuhou_chengdu_bd09.xlsx", crs="bd09", strict=True)
    assert report.counts["rejected"] == 1 and any(w.code == "strict" for w in report.warnings)
    assert store.count_stations() == 0


def test_rows_carry_spreadsheet_numbers_codes_and_chinese_messages(store):
    report = _import(store, "wuhou_chengdu_bd09.xlsx", crs="bd09")
    [rejected] = report.rejected
    assert (rejected.row, rejected.code) == (22, "outside_china_range")
    assert "中国" in rejected.message and "China" in rejected.message_en
    swapped = sorted(w.row for w in report.warnings if w.code == "swapped_coordinates")
    assert swapped == [6, 13]
    assert any(w.code == "unknown_amenity" and w.row == 18 for w in report.warnings)


@pytest.mark.parametrize(
    ("crs", "forward", "tolerance_m"),
    [("gcj02", prcoords.wgs_gcj, 0.01), ("bd09", prcoords.wgs_bd, 0.05)],
)
def test_converted_points_land_on_the_truth(store, tmp_path, regions, crs, forward, tolerance_m):
    """Truth: random WGS-84 points; the file: those points shifted by prcoords (independent)."""
    rng = np.random.default_rng(5)
    truth = []
    while len(truth) < 200:
        lon, lat = rng.uniform(100, 122), rng.uniform(22, 42)
        if regions.in_china(np.array([lon]), np.array([lat]))[0]:
            truth.append((lon, lat))
    lines = ["名称,经度,纬度"]
    for i, (lon, lat) in enumerate(truth):
        shifted = forward(prcoords.Coords(lat, lon))
        lines.append(f"站点{i:03d},{shifted.lon!r},{shifted.lat!r}")
    path = tmp_path / f"{crs}.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = import_file(store, path, ImportOptions(crs=crs))
    assert report.counts["added"] == 200
    by_name = {s.name: s for s in store.read_stations()}
    worst = max(_metres(by_name[f"站点{i:03d}"], lon, lat) for i, (lon, lat) in enumerate(truth))
    assert worst < tolerance_m


def _metres(station, lon: float, lat: float) -> float:
    dx = (station.lon - lon) * math.cos(math.radians(lat))
    return math.hypot(dx, station.lat - lat) * METRES_PER_DEGREE


def test_repeats_within_the_file_are_merged_and_reported(store):
    report = _import(store, "shenzhen_nanshan_utf16.txt")
    assert report.counts["duplicates"] == 2 and sorted(report.rows["duplicates"]) == [8, 15]
    assert {w.row for w in report.warnings if w.code == "duplicate_row"} == {8, 15}


def test_the_same_stations_from_another_file_match_by_name_and_place(store):
    _import(store, "nanjing_xuanwu_2025.xlsx")
    report = _import(store, "nanjing_xuanwu_2025.xlsx", source_name="玄武区第二份名单")
    assert report.counts["unchanged"] == 42 and store.count_stations() == 42


def _with_rows(path: Path, keep: int):
    sheet = read_sheet(path)
    header_at = next(i for i, row in enumerate(sheet.rows) if "驿站名称" in row)
    end = header_at + 1 + keep
    return replace(sheet, rows=sheet.rows[:end], row_numbers=sheet.row_numbers[:end])


def test_close_missing_closes_only_when_asked_and_not_for_a_much_smaller_file(store):
    path = SAMPLES / "nanjing_xuanwu_2025.xlsx"
    import_file(store, path, ImportOptions(crs="wgs84"))
    options = ImportOptions(crs="wgs84", close_missing=True, source_name=path.name)
    for _ in range(2):  # a second truncated file must not slip through either
        report = import_sheet(store, _with_rows(path, 10), path.name, options)
        assert report.counts.get("closed", 0) == 0
        assert any(w.code == "close_missing_refused" for w in report.warnings)
    report = import_sheet(store, _with_rows(path, 40), path.name, options)
    assert report.counts["closed"] == 2
    assert store.count_stations(status="closed") == 2
    report = import_sheet(store, _with_rows(path, 40), path.name, ImportOptions(crs="wgs84"))
    assert store.count_stations(status="closed") == 2  # not reopened, not closed again


def test_points_outside_the_declared_county_are_flagged(store):
    report = _import(store, "nanjing_xuanwu_2025.xlsx", county="110105")
    flagged = [w for w in report.warnings if w.code == "outside_declared_county"]
    assert len(flagged) == 42 and "玄武区" in flagged[0].message
    assert report.counts["added"] == 42


@pytest.mark.parametrize("name", ["empty.csv", "not_excel.xlsx", "zip_bomb.xlsx"])
def test_hostile_files_are_refused_whole(store, name):
    with pytest.raises(ImportFileError) as caught:
        _import(store, f"hostile/{name}")
    assert caught.value.status == 400 and " / " in caught.value.message
    assert store.count_stations() == 0


def test_formula_text_is_refused_row_by_row(store):
    report = _import(store, "hostile/formula.xlsx")
    assert [r.code for r in report.rejected] == ["formula_text"]
    assert all(not s.name.startswith("=") for s in store.read_stations())


def test_text_longer_than_the_store_takes_is_refused_row_by_row(store):
    rows = [
        "名称,地址,经度,纬度",
        f"{'长' * 101},中山路1号,118.7975,32.0485",
        f"玄武区驿站,{'路' * 201},118.7976,32.0486",
        "好驿站,中山路3号,118.7977,32.0487",
    ]
    data = "\n".join(rows).encode()
    report = import_upload(store, data, "long.csv", ImportOptions(crs="wgs84"))
    assert [(r.row, r.code) for r in report.rejected] == [
        (2, "text_too_long"),
        (3, "text_too_long"),
    ]
    assert "最多 100 字" in report.rejected[0].message
    assert [s.name for s in store.read_stations()] == ["好驿站"]


def test_upload_bytes_go_through_the_same_pipeline(store):
    data = (SAMPLES / "chaoyang_beijing_gbk.csv").read_bytes()
    report = import_upload(store, data, "chaoyang.csv", ImportOptions(crs="gcj02"))
    assert report.counts["added"] == 30


def test_reports_as_json_and_as_a_workbook_to_fix(store, tmp_path):
    report = _import(store, "wuhou_chengdu_bd09.xlsx", crs="bd09")
    write_json(report, tmp_path / "r.json")
    body = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert set(body["counts"]) >= {
        "rows",
        "added",
        "updated",
        "unchanged",
        "duplicates",
        "rejected",
    }
    assert set(body["rejected"][0]) >= {"row", "column", "value", "code", "message"}
    write_rejected_xlsx(report, tmp_path / "r.xlsx")
    rows = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["原行号", "问题"] and len(rows) == 2
    assert int(rows[1][0]) == 22 and "中国" in rows[1][1]
