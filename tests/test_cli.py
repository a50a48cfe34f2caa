"""The ``stationmap`` command, run through click's runner against real databases."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from commands import clean_environment, stationmap_command

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
    (("map", "--around", "116.4,39.9,0", "-o", "x.html"), "expected LON,LAT"),
    (("map", "--around", "200,95", "-o", "x.html"), "not in China: expected LON,LAT"),
    (("map", "--around", "2.35,48.85", "-o", "x.html"), "not in China: expected LON,LAT"),
    (("map", "--around", "31.23,121.47", "-o", "x.html"), "did you mean 121.47,31.23?"),
    (("map", "--around", "39.90, 116.40", "-o", "x.html"), "did you mean 116.40,39.90?"),
    (("map", "--county", "不存在区", "-o", "x.html"), "no county is called '不存在区'"),
    (("map", "--county", " ", "-o", "x.html"), "got nothing, expected a 6-digit county code"),
    (("map", "--county", "市中区", "-o", "x.html"), "济南市 市中区 370103; 山东省 枣庄市"),
    (("map", "--county", "桥西区", "-o", "x.html"), "石家庄市 桥西区 130104"),
])  # fmt: skip
def test_map_refuses_bad_options(run, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("init-db")
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output and result.output.count("Error:") == 1


@pytest.mark.parametrize(
    "county", ["玄武区", "玄武", "南京市玄武区", "江苏省南京市玄武区", "320102"]
)
def test_map_finds_a_county_by_name_or_code(run, tmp_path, county):
    run("init-db")
    result = run("map", "--county", county, "--no-tiles", "-o", str(tmp_path / "x.html"))
    assert result.exit_code == 0, result.output
    assert "南京市玄武区的工会驿站" in (tmp_path / "x.html").read_text(encoding="utf-8")


def test_map_around_a_point_given_longitude_first(run, tmp_path):
    run("init-db")
    result = run(
        "map", "--around", "121.47,31.23", "--radius-m", "20000", "-o", str(tmp_path / "x.html")
    )
    assert result.exit_code == 0 and "wrote" in result.output


def test_counties_looks_up_codes_by_name_and_prefix():
    by_name = CliRunner().invoke(main, ["counties", "市中区"])
    assert by_name.exit_code == 0
    assert by_name.output.splitlines() == [
        "370103  山东省 济南市 市中区",
        "370402  山东省 枣庄市 市中区",
        "511002  四川省 内江市 市中区",
        "511102  四川省 乐山市 市中区",
    ]
    assert CliRunner().invoke(main, ["counties", "玄武"]).output == "320102  江苏省 南京市 玄武区\n"
    assert CliRunner().invoke(main, ["counties", "东城区"]).output == "110101  北京市 东城区\n"
    by_prefix = CliRunner().invoke(main, ["counties", "3201"]).output.splitlines()
    assert len(by_prefix) == 11 and all(line.startswith("3201") for line in by_prefix)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("counties",), "Missing argument 'NAME'"),
        (("counties", "zzz"), "no county name or code contains 'zzz'"),
        (("counties", "999"), "no county name or code contains '999'"),
    ],
)
def test_counties_refuses_what_it_cannot_find(args, message):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_unions_lists_id_jurisdiction_and_name(run):
    run("load-demo", "--count", "3000", "--seed", "5")
    result = run("unions", "玄武")
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    union_id, code, name, place = line.split(maxsplit=3)
    assert (len(union_id), code, name, place) == (
        10,
        "320102",
        "玄武区总工会",
        "(江苏省 南京市 玄武区)",
    )
    assert len(run("unions", "南京").output.splitlines()) == 11
    assert len(run("unions", "3201").output.splitlines()) == 11
    assert len(run("unions").output.splitlines()) == 2852
    nothing = run("unions", "火星")
    assert (
        nothing.exit_code == 0 and "no unions whose name or place contains '火星'" in nothing.output
    )


def test_unions_before_init_db_says_to_run_it(tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONMAP_DATABASE_URL", f"sqlite:///{tmp_path}/empty.sqlite")
    result = CliRunner().invoke(main, ["unions"])
    assert result.exit_code == 2 and "run `stationmap init-db`" in result.output


HEAVY_MODULES = ("pandas", "geopandas", "scipy", "shapely", "numpy", "sqlalchemy", "flask")


@pytest.mark.parametrize("command", [None, "map", "serve", "load-demo", "counties", "unions"])
def test_help_imports_nothing_heavy(command):
    """`stationmap --help` ran in 2.8 s, importing the store, pandas and geopandas."""
    args = ["--help"] if command is None else [command, "--help"]
    script = (
        "import sys\n"
        "from stationmap.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit as done:\n    assert not done.code\n"
        f"print('loaded:', sorted(set({HEAVY_MODULES!r}) & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "loaded: []"


def test_load_demo_says_what_it_is_doing(tmp_path):
    """`load-demo` was silent for 40 s: each stage and the count written are logged."""
    env = clean_environment(STATIONMAP_DATABASE_URL=f"sqlite:///{tmp_path}/demo.sqlite")
    command = [stationmap_command(), "load-demo", "--count", "2000"]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    said = [line.split(": ", 1)[1] for line in done.stderr.splitlines() if ": " in line]
    expected = [
        "generating 2,000 synthetic stations (seed 1)",
        "checking and writing 2,000 stations in",
        "wrote 2,000 of 2,000 stations",
        "committing: the database finishes its indexes",
        "committed in",
    ]
    positions = [next((i for i, x in enumerate(said) if x.startswith(e)), -1) for e in expected]
    assert -1 not in positions and positions == sorted(positions), said
