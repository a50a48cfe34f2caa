"""Coverage where planners meet it outside the pages: the API's tables opened as Excel and
calamine read them, uploaded candidate lists, and the ``stationmap coverage`` commands."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pytest
from builders import add_station, table_dump
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from stationmap.cli import main
from stationmap.coverage.candidates import read_candidates
from stationmap.coverage.surface import modelled_surface
from stationmap.errors import BadRequest

XUANWU = "320102"


def _stations(store, count: int = 6) -> None:
    surface = modelled_surface()
    rows = surface.rows_of(XUANWU)
    for i, row in enumerate(range(rows.start, rows.stop, 9)[:count]):
        add_station(
            store,
            f"覆盖文件测试{i}",
            (float(surface.lon[row]), float(surface.lat[row])),
            opening_hours="Mo-Su 08:00-17:00",
        )


def test_the_coverage_csv_opens_as_excel_reads_it(client, app):
    _stations(app.extensions["stationmap.store"])
    answer = client.get("/api/v1/coverage?level=county&within=320100&at=10:00&format=csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    header, *body = rows
    assert header[0] == "行政区划代码 [adcode]" and header[-1] == "说明"
    by_code = {row[0]: row for row in body}
    assert set(by_code) >= {XUANWU, "320100"}  # the counties, then the city's total
    share = float(by_code[XUANWU][header.index("覆盖率 [covered_share]")])
    assert 0 < share < 1
    assert "MODELLED" in by_code[XUANWU][-1]
    json_answer = client.get("/api/v1/coverage?level=county&within=320100&at=10:00").get_json()
    xuanwu = next(a for a in json_answer["areas"] if a["adcode"] == XUANWU)
    assert (
        int(by_code[XUANWU][header.index("覆盖人口 [covered_population]")])
        == (xuanwu["covered_population"])
    )


def test_the_coverage_workbook_opens_with_numbers_as_numbers(client, app):
    _stations(app.extensions["stationmap.store"])
    answer = client.get("/api/v1/coverage?level=county&within=320100&at=10:00&format=xlsx")
    assert answer.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(answer.data))
    rows = book.get_sheet_by_index(0).to_python()
    header = rows[0]
    population = header.index("人口 [population]")
    assert all(isinstance(row[population], float) for row in rows[1:])
    assert rows[-1][0] == "320100"


def test_proposal_sites_download_as_geojson_and_csv(client, app):
    _stations(app.extensions["stationmap.store"])
    geo = client.get(f"/api/v1/coverage/proposals?adcode={XUANWU}&p=3&at=10:00&format=geojson")
    assert geo.status_code == 200 and geo.headers["Content-Type"] == "application/geo+json"
    collection = geo.get_json()
    assert [f["properties"]["rank"] for f in collection["features"]] == [1, 2, 3]
    assert collection["method"] in ("exact", "greedy")
    table = client.get(f"/api/v1/coverage/proposals?adcode={XUANWU}&p=3&at=10:00&format=csv")
    rows = list(csv.reader(io.StringIO(table.data.decode("utf-8-sig"))))
    assert len(rows) == 4
    assert [float(r[1]) for r in rows[1:]] == [
        f["geometry"]["coordinates"][0] for f in collection["features"]
    ]


def test_an_uploaded_candidate_list_is_read_as_an_import_reads_it():
    text = "名称,经度,纬度\n工行网点,118.7975,32.0485\n便利店,118.80,32.05\n无坐标店,,\n"
    found = read_candidates(text.encode("gbk"), "hosts.csv", "wgs84")
    assert found.names == ("工行网点", "便利店")
    assert np.allclose(found.lon, [118.7975, 118.80])
    assert [s["row"] for s in found.skipped] == [4]
    gcj = read_candidates(text.encode("utf-8"), "hosts.csv", "gcj02")
    assert not np.allclose(gcj.lon, found.lon)  # shifted back to WGS-84


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.csv"),
        ("名称,地址\n工行网点,玄武区\n".encode(), "no_points.csv"),
        ("名称,经度,纬度\n店,abc,def\n".encode(), "bad_points.csv"),
        (b"\x89PNG\r\n\x1a\n", "picture.xlsx"),
    ],
)
def test_a_candidate_list_without_a_readable_point_is_a_400_naming_the_file(content, name):
    with pytest.raises(BadRequest) as refused:
        read_candidates(content, name, "wgs84")
    assert refused.value.message.startswith("file: ")


def _run(*args: str):
    return CliRunner().invoke(main, ["coverage", *args], catch_exceptions=False)


def test_the_coverage_command_prints_and_writes_the_areas(cli_store, tmp_path):
    _stations(cli_store)
    printed = _run("areas", "--level", "county", "--within", "320100", "--at", "10:00")
    assert printed.exit_code == 0, printed.output
    assert "玄武区" in printed.output and "MODELLED" in printed.output
    out = tmp_path / "areas.xlsx"
    written = _run("areas", "--level", "city", "--within", "320000", "--out", str(out))
    assert written.exit_code == 0 and out.stat().st_size > 0
    refused = _run("areas", "--within", "999999")
    assert refused.exit_code == 2 and "--within" in refused.output
    nowhere = _run("areas", "--out", str(tmp_path / "missing" / "areas.csv"))
    assert nowhere.exit_code == 2 and "--out" in nowhere.output
    assert _run("areas", "--out", str(tmp_path / "areas.pdf")).exit_code == 2


def test_the_propose_command_reads_candidates_and_writes_nothing(cli_store, tmp_path):
    _stations(cli_store, 2)
    hosts = tmp_path / "hosts.csv"
    surface = modelled_surface()
    rows = surface.rows_of(XUANWU)
    lines = ["名称,经度,纬度"] + [
        f"候选{i},{surface.lon[r]:.6f},{surface.lat[r]:.6f}"
        for i, r in enumerate(range(rows.start + 4, rows.stop, 13))
    ]
    hosts.write_text("\n".join(lines), encoding="utf-8")
    before = table_dump(cli_store)
    out = tmp_path / "sites.geojson"
    done = _run(
        "propose",
        XUANWU,
        "-p",
        "2",
        "--candidates",
        str(hosts),
        "--crs",
        "wgs84",
        "--at",
        "10:00",
        "--out",
        str(out),
    )
    assert done.exit_code == 0, done.output
    assert table_dump(cli_store) == before
    sites = json.loads(out.read_text(encoding="utf-8"))
    assert len(sites["features"]) == 2
    assert all(f["properties"]["name"].startswith("候选") for f in sites["features"])
    assert _run("propose", XUANWU, "-p", "0").exit_code == 2
    printed = _run("propose", XUANWU, "-p", "2", "--candidates", str(hosts), "--crs", "wgs84")
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("site"))  # after progress
    header, first, second = lines[start : start + 3]
    assert header.split()[:3] == ["site", "lon,lat", "(WGS-84)"] and "candidate" in header
    assert first.split()[0] == "1" and second.split()[0] == "2" and "候选" in first


def test_a_planner_uploads_candidates_on_the_county_page_and_nothing_is_written(client, app):
    store = app.extensions["stationmap.store"]
    _stations(store, 2)
    surface = modelled_surface()
    rows = surface.rows_of(XUANWU)
    lines = ["网点名称,经度,纬度"] + [
        f"网点{i},{surface.lon[r]:.6f},{surface.lat[r]:.6f}"
        for i, r in enumerate(range(rows.start + 3, rows.stop, 17))
    ]
    data = {"file": (io.BytesIO("\n".join(lines).encode("gbk")), "hosts.csv"), "p": "3"}
    data |= {"crs": "wgs84", "at": "10:00"}
    page = client.get(f"/planning/county/{XUANWU}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    before = table_dump(store)
    without_token = client.post(f"/planning/county/{XUANWU}/proposals", data=dict(data))
    assert without_token.status_code == 403
    data["file"] = (io.BytesIO("\n".join(lines).encode("gbk")), "hosts.csv")
    data["csrf_token"] = token
    answer = client.post(f"/planning/county/{XUANWU}/proposals", data=data)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert len(body["sites"]) == 3 and all(s["name"].startswith("网点") for s in body["sites"])
    assert body["candidates"]["source"].startswith("uploaded list hosts.csv")
    assert table_dump(store) == before
    for bad, expected in [
        ({"file": (io.BytesIO(b"name,x\n1,2\n"), "bad.csv"), "p": "3"}, "file"),
        ({"file": (io.BytesIO("\n".join(lines).encode()), "h.csv"), "p": "0"}, "p"),
        ({"file": (io.BytesIO("\n".join(lines).encode()), "h.csv"), "crs": "utm"}, "crs"),
        ({"p": "3"}, "file"),
    ]:
        bad["csrf_token"] = token
        refused = client.post(f"/planning/county/{XUANWU}/proposals", data=bad)
        assert refused.status_code == 400, refused.get_json()
        assert expected in refused.get_json()["error"]["message"]
    data["file"] = (io.BytesIO("\n".join(lines).encode("gbk")), "hosts.csv")
    assert client.post("/planning/county/999999/proposals", data=data).status_code == 400
