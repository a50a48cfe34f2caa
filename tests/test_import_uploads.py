"""Uploaded lists, previewed then applied, on real SpatiaLite and PostGIS stores."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from builders import XUANWU, add_station, add_user, table_dump
from python_calamine import CalamineWorkbook

from stationmap.coordinates import from_wgs84
from stationmap.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    OutsideJurisdiction,
    PayloadTooLarge,
)
from stationmap.importing.pipeline import ImportOptions, plan_sheet
from stationmap.importing.readers import MAX_BYTES, read_sheet_bytes
from stationmap.importing.uploads import (
    apply_upload,
    get_upload,
    list_uploads,
    preview_upload,
    to_fix_workbook,
    upload_json,
)

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
XUANWU_LIST = "nanjing_xuanwu_2025.xlsx"
QINHUAI = (118.8177, 32.0054)
"""A point in 南京市秦淮区 (320104), next to 玄武区."""

SAMPLE_CRS = {
    "nanjing_xuanwu_2025.xlsx": "wgs84",
    "chaoyang_beijing_gbk.csv": "gcj02",
    "wuhou_chengdu_bd09.xlsx": "bd09",
    "shenzhen_nanshan_utf16.txt": "wgs84",
    "xiamen_siming.geojson": None,
    "jiangan_wuhan_2012.xls": "wgs84",
}
"""Each sample list and the crs a clerk chooses for it (README of data/samples)."""


def _sample(name: str = XUANWU_LIST) -> bytes:
    return (SAMPLES / name).read_bytes()


def two_county_list() -> bytes:
    """A CSV of three stations in 玄武区 (rows 2-4) and two in 秦淮区 (rows 5-6), WGS-84."""
    lines = ["驿站名称,详细地址,经度（WGS84）,纬度（WGS84）,开放时间"]
    for county, (lon, lat), count in (("玄武", XUANWU, 3), ("秦淮", QINHUAI, 2)):
        lines += [
            f"{county}驿站{i},{county}区{i}号,{lon + i * 0.002:.6f},{lat:.6f},24小时"
            for i in range(count)
        ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _without_uploads(dump: dict) -> dict:
    return {table: rows for table, rows in dump.items() if table != "import_uploads"}


def _station_values(station) -> tuple:
    return (
        station.name,
        round(station.lon, 6),
        round(station.lat, 6),
        station.phone,
        station.opening_hours,
        tuple(sorted(station.amenities)),
    )


def _plan_values(row: dict) -> tuple:
    return (
        row["name"],
        round(row["lon"], 6),
        round(row["lat"], 6),
        row["phone"],
        row["opening_hours"],
        tuple(sorted(row["amenities"])),
    )


def test_a_preview_writes_nothing_but_the_upload(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    before = table_dump(store)
    upload = preview_upload(store, clerk, _sample(), XUANWU_LIST, "wgs84")
    after = table_dump(store)
    assert _without_uploads(after) == _without_uploads(before)
    assert len(after["import_uploads"]) == 1
    assert upload.state == "previewed" and upload.username == "xuanwu"
    assert upload.union_id == clerk.union_id and upload.file_name == XUANWU_LIST
    report = upload_json(upload)["report"]
    assert report["counts"]["added"] == 42 and report["dry_run"] is True
    assert len(upload.sha256) == 64 and len(upload.plan_digest) == 64


def test_apply_writes_exactly_the_previewed_plan(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    upload = preview_upload(store, clerk, _sample(), XUANWU_LIST, "wgs84")
    sheet = read_sheet_bytes(_sample(), XUANWU_LIST)
    plan, _ = plan_sheet(store, sheet, XUANWU_LIST, ImportOptions(crs="wgs84", dry_run=True))
    applied = apply_upload(store, clerk, upload.id)
    assert applied.state == "applied" and applied.batch_id is not None
    assert applied.report["counts"] == upload.report["counts"]
    assert applied.report["dry_run"] is False and applied.report["batch_id"] == applied.batch_id
    stations = store.read_stations()
    planned = plan.additions.to_dict("records")
    assert sorted(map(_station_values, stations)) == sorted(map(_plan_values, planned))
    assert {s.union_id for s in stations} == {clerk.union_id}
    entry = store.history(stations[0].id)[-1]
    assert (entry.actor, entry.union) == ("xuanwu", "玄武区总工会")
    assert entry.batch_id == applied.batch_id


def test_an_update_applies_only_the_previewed_change(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    apply_upload(store, clerk, preview_upload(store, clerk, two_county_list(), "a.csv", None).id)
    changed = two_county_list().replace("玄武区1号".encode(), "玄武区一号".encode())
    upload = preview_upload(store, clerk, changed, "b.csv", None)
    assert upload.report["rows"]["updated"] == [3]
    assert upload.report["counts"]["unchanged"] == 2
    apply_upload(store, clerk, upload.id)
    [station] = [s for s in store.read_stations() if s.name == "玄武驿站1"]
    assert station.address == "玄武区一号" and station.version == 2
    assert [s.version for s in store.read_stations()].count(1) == 2


def test_a_station_edited_after_the_preview_refuses_the_apply(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    apply_upload(store, clerk, preview_upload(store, clerk, two_county_list(), "a.csv", None).id)
    changed = two_county_list().replace("玄武区1号".encode(), "玄武区一号".encode())
    upload = preview_upload(store, clerk, changed, "b.csv", None)
    [station] = [s for s in store.read_stations() if s.name == "玄武驿站1"]
    store.update_station(station.id, {"phone": "025-84001111"}, actor="someone")
    before = table_dump(store)
    with pytest.raises(Conflict) as refused:
        apply_upload(store, clerk, upload.id)
    assert "preview again" in refused.value.message and "重新" in refused.value.message
    assert _without_uploads(table_dump(store)) == _without_uploads(before)
    assert get_upload(store, clerk, upload.id).state == "refused"


def test_a_new_station_nearby_after_the_preview_refuses_the_apply(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    upload = preview_upload(store, clerk, two_county_list(), "a.csv", None)
    add_station(store, name="玄武驿站0", lonlat=XUANWU)
    with pytest.raises(Conflict):
        apply_upload(store, clerk, upload.id)
    assert store.count_stations() == 1


def test_applying_twice_writes_once(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    upload = preview_upload(store, clerk, _sample(), XUANWU_LIST, "wgs84")
    apply_upload(store, clerk, upload.id)
    before = table_dump(store)
    with pytest.raises(Conflict) as refused:
        apply_upload(store, clerk, upload.id)
    assert refused.value.details["state"] == "applied"
    assert table_dump(store) == before


def test_two_concurrent_applies_of_one_upload_write_once(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    upload = preview_upload(store, clerk, _sample(), XUANWU_LIST, "wgs84")
    start, outcomes = threading.Barrier(2), []

    def apply() -> None:
        start.wait()
        try:
            outcomes.append(apply_upload(store, clerk, upload.id).state)
        except Conflict as refusal:
            outcomes.append(refusal.code)

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "conflict"]
    assert store.count_stations() == 42


def test_a_county_clerk_imports_only_its_county_rows(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    upload = preview_upload(store, clerk, two_county_list(), "南京.csv", None)
    report = upload.report
    assert report["rows"]["rejected"] == [5, 6] and report["counts"]["added"] == 3
    outside = [r for r in report["rejected"] if r["code"] == "outside_jurisdiction"]
    assert [r["row"] for r in outside] == [5, 6]
    assert "秦淮区" in outside[0]["message"] and "管辖范围" in outside[0]["message"]
    apply_upload(store, clerk, upload.id)
    assert {s.adcode for s in store.read_stations()} == {"320102"}
    assert store.count_stations() == 3


def test_a_city_editor_imports_every_county_of_its_city(store):
    xuanwu = add_user(store, "xuanwu", "320102", "editor")
    city = add_user(store, "nanjing", "320100", "editor")
    upload = preview_upload(store, city, two_county_list(), "南京.csv", None)
    assert upload.report["counts"]["added"] == 5 and upload.report["counts"]["rejected"] == 0
    apply_upload(store, city, upload.id)
    stations = store.read_stations()
    assert sorted(s.adcode for s in stations) == ["320102"] * 3 + ["320104"] * 2
    assert {s.union_id for s in stations if s.adcode == "320102"} == {xuanwu.union_id}
    assert [u.id for u in list_uploads(store, city)] == [upload.id]
    assert list_uploads(store, xuanwu) == []


def test_a_viewer_reads_reports_but_does_not_upload_or_apply(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    viewer = add_user(store, "reader", "320102", "viewer")
    before = table_dump(store)
    with pytest.raises(Forbidden) as refused:
        preview_upload(store, viewer, _sample(), XUANWU_LIST, "wgs84")
    assert refused.value.code == "forbidden" and table_dump(store) == before
    upload = preview_upload(store, clerk, two_county_list(), "a.csv", None)
    assert get_upload(store, viewer, upload.id).report == upload.report
    assert [u.id for u in list_uploads(store, viewer)] == [upload.id]
    assert to_fix_workbook(store, viewer, upload.id).startswith(b"PK")
    with pytest.raises(Forbidden):
        apply_upload(store, viewer, upload.id)
    assert store.count_stations() == 0


def test_another_countys_clerk_neither_reads_nor_applies(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    other = add_user(store, "qinhuai", "320104", "admin")
    upload = preview_upload(store, clerk, two_county_list(), "a.csv", None)
    for use in (get_upload, to_fix_workbook, apply_upload):
        with pytest.raises(OutsideJurisdiction) as refused:
            use(store, other, upload.id)
        assert refused.value.code == "outside_jurisdiction"
    assert list_uploads(store, other) == []
    with pytest.raises(NotFound):
        get_upload(store, clerk, "zzzzzzzzzz")


def test_an_admin_above_applies_but_a_city_editor_does_not(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    city_editor = add_user(store, "nanjing", "320100", "editor")
    province_admin = add_user(store, "jiangsu", "320000", "admin")
    upload = preview_upload(store, clerk, two_county_list(), "a.csv", None)
    with pytest.raises(Forbidden):
        apply_upload(store, city_editor, upload.id)
    applied = apply_upload(store, province_admin, upload.id)
    assert applied.state == "applied" and store.count_stations() == 3
    entry = store.history(store.read_stations()[0].id)[-1]
    assert (entry.actor, entry.union) == ("jiangsu", "江苏省总工会")


@pytest.mark.parametrize(
    ("content", "name", "crs", "refusal", "code"),
    [
        (b"", "empty.csv", "wgs84", BadRequest, "unreadable_file"),
        (b"a,b\n1,2\n", "list.docx", "wgs84", BadRequest, "unreadable_file"),
        ((SAMPLES / "hostile" / "not_excel.xlsx").read_bytes(), "x.xlsx", None, BadRequest, None),
        ((SAMPLES / "hostile" / "zip_bomb.xlsx").read_bytes(), "x.xlsx", None, BadRequest, None),
        (b"x" * (MAX_BYTES + 1), "big.csv", "wgs84", PayloadTooLarge, "payload_too_large"),
        (_sample(), XUANWU_LIST, None, BadRequest, "crs_required"),
        (_sample(), XUANWU_LIST, "utm", BadRequest, "invalid_parameter"),
        (_sample(), "../../" + "长" * 201 + ".xlsx", "wgs84", BadRequest, "invalid_file_name"),
    ],
    ids=["empty", "extension", "png", "zip-bomb", "too-big", "no-crs", "bad-crs", "long-name"],
)
def test_a_bad_file_is_refused_clearly_and_nothing_is_kept(
    store, content, name, crs, refusal, code
):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    before = table_dump(store)
    with pytest.raises(refusal) as refused:
        preview_upload(store, clerk, content, name, crs)
    assert refused.value.status in (400, 413)
    assert code is None or refused.value.code == code
    assert any("\u4e00" <= c <= "\u9fff" for c in refused.value.message)
    assert table_dump(store) == before


def test_an_undeclared_system_asks_for_one_of_the_three(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    with pytest.raises(BadRequest) as refused:
        preview_upload(store, clerk, _sample(), XUANWU_LIST, None)
    assert refused.value.details["choices"] == ["wgs84", "gcj02", "bd09"]
    assert "--crs" not in refused.value.message and "crs" in refused.value.message


def test_a_gbk_csv_and_a_declared_gcj02_list_preview(store):
    clerk = add_user(store, "admin", "100000", "admin")
    gbk = preview_upload(store, clerk, _sample("chaoyang_beijing_gbk.csv"), "朝阳.csv", "gcj02")
    assert gbk.report["counts"]["added"] == 30 and gbk.report["source"]["encoding"] == "gb18030"
    lon, lat = from_wgs84([XUANWU[0]], [XUANWU[1]], "gcj02")
    declared = f"驿站名称,经度（GCJ02）,纬度（GCJ02）\n高德驿站,{lon[0]:.6f},{lat[0]:.6f}\n"
    upload = preview_upload(store, clerk, declared.encode(), "gcj.csv", None)
    assert upload.report["source"]["crs"] == "gcj02" and upload.report["counts"]["added"] == 1
    apply_upload(store, clerk, upload.id)
    [station] = store.read_stations()
    assert abs(station.lon - XUANWU[0]) < 1e-5 and abs(station.lat - XUANWU[1]) < 1e-5


def test_the_to_fix_workbook_lists_rejected_rows_with_numbers_and_reasons(store):
    clerk = add_user(store, "xuanwu", "320102", "editor")
    rows = two_county_list() + "坏驿站,某处,not-a-number,32.05,24小时\r\n".encode()
    upload = preview_upload(store, clerk, rows, "a.csv", None)
    workbook = to_fix_workbook(store, clerk, upload.id)
    found = CalamineWorkbook.from_filelike(io.BytesIO(workbook)).get_sheet_by_index(0).to_python()
    assert found[0][:3] == ["原行号", "问题", "驿站名称"]
    assert [int(r[0]) for r in found[1:]] == [5, 6, 7]
    assert "管辖范围" in found[1][1] and found[1][2] == "秦淮驿站0"
    assert found[3][2] == "坏驿站" and "经度" in found[3][1]


@pytest.mark.parametrize("name", list(SAMPLE_CRS))
def test_every_sample_list_previews_and_applies(store, name):
    admin = add_user(store, "national", "100000", "admin")
    upload = preview_upload(store, admin, _sample(name), name, SAMPLE_CRS[name])
    counts = upload.report["counts"]
    applied = apply_upload(store, admin, upload.id)
    assert applied.state == "applied"
    assert store.count_stations() == counts["added"] > 0
