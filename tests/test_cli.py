"""The ``stationmap`` command, run through click's runner against real databases."""

from __future__ import annotations

import csv
import json
import re

import pytest
from click.testing import CliRunner

from stationmap.cli import main
from stationmap.config import load_settings
from stationmap.store import open_store
from stationmap.store.migrate import head_revision


@pytest.fixture
def run(database_url, monkeypatch):
    """Run ``stationmap ARGS`` with STATIONMAP_DATABASE_URL pointing at a fresh database."""
    monkeypatch.setenv("STATIONMAP_DATABASE_URL", database_url)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def _stations(database_url):
    with open_store(load_settings({"STATIONMAP_DATABASE_URL": database_url})) as store:
        return list(store.iter_stations())


def test_init_db_creates_the_schema(run, database_url):
    result = run("init-db")
    assert result.exit_code == 0, result.output
    assert f"schema {head_revision()}" in result.output
    with open_store(load_settings({"STATIONMAP_DATABASE_URL": database_url})) as store:
        assert store.schema_is_current()


def test_load_demo_is_deterministic_for_a_seed(run, database_url):
    assert run("load-demo", "--count", "3000", "--seed", "7").exit_code == 0
    first = _stations(database_url)
    result = run("load-demo", "--count", "3000", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "loaded 3000 synthetic stations (seed 7)" in result.output
    second = _stations(database_url)
    assert len(first) == len(second) == 3000
    stable = (
        "id",
        "name",
        "kind",
        "address",
        "adcode",
        "lon",
        "lat",
        "amenities",
        "opening_hours",
        "phone",
        "status",
        "union_id",
        "source_key",
    )
    assert [[getattr(s, f) for f in stable] for s in first] == [
        [getattr(s, f) for f in stable] for s in second
    ]


def test_load_demo_if_empty_leaves_a_filled_store_alone(run, database_url):
    run("load-demo", "--count", "500")
    result = run("load-demo", "--count", "900", "--if-empty")
    assert "already holds 500 stations" in result.output
    assert len(_stations(database_url)) == 500


def test_demo_stations_lie_in_their_county(run, database_url, regions):
    import shapely

    run("load-demo", "--count", "2000", "--seed", "3")
    for station in _stations(database_url):
        assert shapely.contains_xy(regions.boundary(station.adcode), station.lon, station.lat)


def test_export_geojson_and_csv(run, tmp_path):
    run("load-demo", "--count", "300")
    result = run("export", str(tmp_path / "all.geojson"))
    assert result.exit_code == 0 and "wrote 300 stations" in result.output
    collection = json.loads((tmp_path / "all.geojson").read_text(encoding="utf-8"))
    assert len(collection["features"]) == 300
    assert "synthetic" in collection["notice"].lower() or "合成" in collection["notice"]
    feature = collection["features"][0]
    assert feature["geometry"]["type"] == "Point" and len(feature["id"]) == 10
    assert "hours_text" not in feature["properties"]  # as stored: no display wording
    assert run("export", str(tmp_path / "all.txt"), "--format", "csv").exit_code == 0
    with (tmp_path / "all.txt").open(encoding="utf-8-sig") as lines:
        rows = list(csv.reader(lines))
    assert rows[0][0] == "id" and rows[0][-1] == "notice" and len(rows) == 301


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("load-demo", "--count", "0"), "0 is not in the range"),
        (("load-demo", "--count", "many"), "'many' is not a valid integer"),
        (("load-demo", "--seed", "-1"), "not in the range"),
        (("export", "out.xlsx"), "expected one of geojson, csv"),
        (("export", "out.geojson", "--format", "kml"), "'kml' is not one of"),
        (("serve", "--port", "70000"), "not in the range"),
        (("serve", "--workers", "0"), "not in the range"),
        (("no-such-command",), "No such command"),
    ],
)
def test_bad_arguments_say_what_is_wrong(run, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2
    assert message in result.output


def test_export_before_init_db_says_to_run_it(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONMAP_DATABASE_URL", f"sqlite:///{tmp_path}/empty.sqlite")
    result = CliRunner().invoke(main, ["export", str(tmp_path / "x.geojson")])
    assert result.exit_code == 2
    assert "run `stationmap init-db`" in result.output


def test_bad_setting_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("STATIONMAP_DATABASE_URL", "mysql://localhost/x")
    result = CliRunner().invoke(main, ["init-db"])
    assert result.exit_code == 2
    assert "STATIONMAP_DATABASE_URL: got 'mysql://localhost/x'" in result.output


def test_map_writes_a_standalone_county_map(run, tmp_path):
    run("load-demo", "--count", "3000", "--seed", "5")
    result = run("map", "--county", "110105", "-o", str(tmp_path / "county.html"))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "county.html").read_text(encoding="utf-8")
    assert "朝阳区" in html and "L.map(" in html and "合成" in html
    loaded = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert loaded == [], loaded  # Leaflet is inline: nothing is fetched
    result = run(
        "map",
        "--around",
        "116.40,39.90",
        "--radius-m",
        "20000",
        "--no-tiles",
        "-o",
        str(tmp_path / "around.html"),
    )
    assert result.exit_code == 0 and "wrote" in result.output
    assert "tile.openstreetmap.org" not in (tmp_path / "around.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (("map", "-o", "x.html"), "give exactly one of --county"),
    (("map", "--county", "999999", "-o", "x.html"), "6-digit mainland county code"),
    (("map", "--around", "abc", "-o", "x.html"), "expected LON,LAT"),
    (("map", "--around", "200,95", "-o", "x.html"), "from -180 to 180"),
])  # fmt: skip
def test_map_refuses_bad_options(run, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("init-db")
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2 and message in result.output
