"""Real county figures in place of the modelled ones: the file read as ``import`` reads
one, every row checked before anything is written, on both backends, and the
``stationmap population`` commands an operator runs."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest
from builders import table_dump
from click.testing import CliRunner
from commands import clean_environment, stationmap_command
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from workbook_files import write_xlsx

from stationmap.cli import main
from stationmap.coverage.population_load import (
    PopulationFileError,
    clear_population,
    load_population,
    loaded_counties,
    modelled_population,
)
from stationmap.errors import BadRequest
from stationmap.store import population as stored
from stationmap.store.schema import county_population, now

DONGCHENG, XICHENG, XUANWU = "110101", "110102", "320102"
"""北京市东城区 (modelled 642,960), 北京市西城区 (790,050), 南京市玄武区."""


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def loaded(store) -> dict[str, int]:
    with store.reading() as conn:
        return stored.loaded(conn)


def version(store) -> str:
    with store.reading() as conn:
        return stored.version(conn)


# -- good files ----------------------------------------------------------------------------


def test_a_csv_is_loaded_and_reported_against_the_modelled_figures(store, tmp_path):
    path = write_csv(tmp_path / "京.csv", '区划代码,区县,常住人口\n110101,东城区,"708,829"\n')
    report = load_population(store, path)
    assert report.written and not report.problems
    assert loaded(store) == {DONGCHENG: 708_829}
    [figure] = report.figures
    assert (figure.adcode, figure.name, figure.modelled) == (DONGCHENG, "北京市东城区", 642_960)
    assert (figure.previous, figure.loaded) == (None, 708_829)
    assert figure.change_pct == pytest.approx((708_829 - 642_960) / 642_960 * 100)
    [shown] = loaded_counties(store)
    assert (shown.figure.source, shown.figure.loaded_by) == ("京.csv", "cli-population")


def test_a_gbk_csv_with_a_title_row_and_a_header_in_wan(store, tmp_path):
    text = "北京市各区常住人口（2020年）\n序号,区划代码,名称,常住人口（万人）\n"
    text += "1,110101,东城区,70.9\n2,110102,西城区,110.6\n"
    report = load_population(store, write_csv(tmp_path / "人口.csv", text, "gbk"))
    assert report.unit == 10_000 and report.columns == ("区划代码", "常住人口（万人）")
    assert loaded(store) == {DONGCHENG: 709_000, XICHENG: 1_106_000}


def test_an_xlsx_with_numbers_as_numbers(store, tmp_path):
    cells = {"A1": "adcode", "B1": "2020年人口", "A2": 110101, "B2": 708829.0}
    cells |= {"A3": "320102", "B3": "51.6万", "A4": 110102, "B4": "1，106，214"}
    load_population(store, write_xlsx(tmp_path / "figures.xlsx", cells))
    assert loaded(store) == {DONGCHENG: 708_829, XUANWU: 516_000, XICHENG: 1_106_214}


def test_a_utf8_bom_file_of_just_two_columns_without_a_header(store, tmp_path):
    path = write_csv(tmp_path / "two.csv", "110101\t708829\n320102\t537825\n", "utf-8-sig")
    report = load_population(store, path)
    assert report.columns == ("", "")
    assert loaded(store) == {DONGCHENG: 708_829, XUANWU: 537_825}


def test_a_two_column_file_reads_its_own_header_as_a_header(store, tmp_path):
    path = write_csv(tmp_path / "two.csv", "县,数\n１１０１０１,708829人\n110101000000,708829\n")
    load_population(store, path)
    assert loaded(store) == {DONGCHENG: 708_829}


def test_a_load_replaces_the_figures_it_gives_and_keeps_the_others(store, tmp_path):
    load_population(store, write_csv(tmp_path / "a.csv", "adcode,population\n110101,1\n110102,2\n"))
    report = load_population(store, write_csv(tmp_path / "b.csv", "adcode,population\n110101,3\n"))
    assert [(f.previous, f.loaded) for f in report.figures] == [(1, 3)]
    assert loaded(store) == {DONGCHENG: 3, XICHENG: 2}
    assert {c.figure.adcode: c.figure.source for c in loaded_counties(store)} == {
        DONGCHENG: "b.csv",
        XICHENG: "a.csv",
    }


def test_a_county_listed_twice_with_one_figure_is_loaded_once(store, tmp_path):
    path = write_csv(tmp_path / "twice.csv", "adcode,population\n110101,5\n110101,5\n")
    assert [f.adcode for f in load_population(store, path).figures] == [DONGCHENG]


def test_a_dry_run_reports_and_writes_nothing(store, tmp_path):
    before = table_dump(store)
    path = write_csv(tmp_path / "a.csv", "adcode,population\n110101,708829\n")
    report = load_population(store, path, dry_run=True)
    assert report.dry_run and not report.written and len(report.figures) == 1
    assert "would load 1" in report.summary()
    assert table_dump(store) == before


# -- bad rows: nothing written -------------------------------------------------------------


@pytest.mark.parametrize(
    "row, says",
    [
        ("110199,5", "one of the 2,852 counties"),
        ("3201,5", "6-digit adcode"),
        (",5", "blank"),
        ("110102,-5", "0 or more"),
        ("110102,many", "a number of people"),
        ("110102,", "blank"),
        ("110102,12.5", "whole number"),
        ("110102,1.23456万", "whole number"),
        ('110102,"12,34"', "a number of people"),
        ("110102,99999999999999999999", "at most 50,000,000"),
        ("110101,6", "row 2"),
    ],
)
def test_a_bad_row_writes_nothing_and_is_named(store, tmp_path, row, says):
    load_population(store, write_csv(tmp_path / "ok.csv", "adcode,population\n110105,7\n"))
    before = table_dump(store)
    path = write_csv(tmp_path / "bad.csv", f"adcode,population\n110101,5\n{row}\n")
    report = load_population(store, path)
    assert not report.written and not report.figures
    [problem] = report.problems
    assert problem.row == 3 and says in problem.message_en
    assert table_dump(store) == before


def test_a_mistyped_first_row_of_a_headerless_file_is_refused_not_taken_for_a_title(
    store, tmp_path
):
    path = write_csv(tmp_path / "two.csv", "11010,708829\n110102,1106214\n")
    report = load_population(store, path)
    assert [(p.row, p.value) for p in report.problems] == [(1, "11010")]
    assert loaded(store) == {}


def test_every_bad_row_is_reported_at_once(store, tmp_path):
    text = "adcode,population\n110199,1\n110101,-1\n110102,x\n110105,3\n110105,4\n"
    report = load_population(store, write_csv(tmp_path / "bad.csv", text))
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "adcode"),
        (3, "population"),
        (4, "population"),
        (6, "adcode"),
    ]
    assert loaded(store) == {}


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("three.csv", "区县,备注,数\n110101,x,5\n", "no adcode and population columns"),
        ("both.csv", "区划代码,常住人口,户籍人口\n110101,5,6\n", "several columns"),
        ("empty.csv", "区划代码,常住人口\n", "no rows of figures"),
        ("map.geojson", '{"type": "FeatureCollection", "features": []}', "come in a table"),
    ],
)
def test_a_file_without_readable_figures_is_refused_whole(store, tmp_path, name, content, says):
    before = table_dump(store)
    with pytest.raises(PopulationFileError, match=says):
        load_population(store, write_csv(tmp_path / name, content))
    assert table_dump(store) == before


def test_the_table_itself_refuses_a_negative_figure(store):
    row = {"adcode": DONGCHENG, "population": -1, "source": "x", "loaded_at": now()}
    with pytest.raises(IntegrityError), store.transaction() as conn:
        conn.execute(insert(county_population), [row | {"loaded_by": "test"}])


# -- clear and version ---------------------------------------------------------------------


def test_clear_some_counties_then_all(store, tmp_path):
    text = "adcode,population\n110101,1\n110102,2\n320102,3\n"
    load_population(store, write_csv(tmp_path / "a.csv", text))
    cleared = clear_population(store, [DONGCHENG, "110105"])
    assert (cleared.cleared, cleared.not_loaded) == ((DONGCHENG,), ("110105",))
    assert loaded(store) == {XICHENG: 2, XUANWU: 3}
    assert clear_population(store).cleared == (XICHENG, XUANWU)
    assert loaded(store) == {}


def test_clear_refuses_an_adcode_that_is_not_a_county_and_clears_nothing(store, tmp_path):
    load_population(store, write_csv(tmp_path / "a.csv", "adcode,population\n110101,1\n"))
    with pytest.raises(BadRequest, match="ADCODE: got '1101'"):
        clear_population(store, [DONGCHENG, "1101"])
    assert loaded(store) == {DONGCHENG: 1}


def test_the_version_changes_with_every_write_and_names_the_figures(store, tmp_path):
    path = write_csv(tmp_path / "a.csv", "adcode,population\n110101,1\n110102,2\n")
    other = write_csv(tmp_path / "b.csv", "adcode,population\n320102,3\n")
    seen = [(version(store), loaded(store))]
    for step in (
        lambda: load_population(store, path),
        lambda: load_population(store, path),
        lambda: load_population(store, other),
        lambda: clear_population(store, [XUANWU]),
        lambda: clear_population(store, [DONGCHENG]),
        lambda: clear_population(store),
    ):
        step()
        seen.append((version(store), loaded(store)))
    for (before, _), (after, _) in itertools.pairwise(seen):
        assert before != after
    figures_of = {}
    for key, figures in seen:
        assert figures_of.setdefault(key, figures) == figures
    assert seen[4][0] == seen[2][0] and seen[-1][0] == seen[0][0]


def test_the_modelled_figures_cover_every_county(regions):
    modelled = modelled_population()
    assert set(modelled) == set(regions.adcodes())
    assert modelled[DONGCHENG] == 642_960


# -- the commands ---------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, ["population", *args], catch_exceptions=False)


def test_the_commands_load_show_and_clear(cli_store, tmp_path):
    path = write_csv(tmp_path / "京.csv", "区划代码,常住人口\n110101,708829\n110102,110.6万\n")
    done = run("load", str(path))
    assert done.exit_code == 0, done.output
    assert "loaded 2 county figure(s) from 京.csv" in done.stdout
    assert "642,960     708,829   +10.2%  北京市东城区" in done.stdout
    shown = run("show")
    assert "2 county figure(s) loaded" in shown.stdout and "1,106,000" in shown.stdout
    assert run("clear", DONGCHENG).stdout.startswith("cleared 1 county figure(s)")
    assert loaded(cli_store) == {XICHENG: 1_106_000}
    assert run("clear").exit_code == 0 and loaded(cli_store) == {}
    assert "no county figures loaded" in run("show").stderr


def test_the_load_command_lists_bad_rows_and_exits_2(cli_store, tmp_path):
    before = table_dump(cli_store)
    path = write_csv(tmp_path / "bad.csv", "区划代码,常住人口\n110101,708829\n999999,-1\n")
    done = run("load", str(path))
    assert done.exit_code == 2
    assert done.stdout.startswith("nothing written: 1 row(s) of bad.csv")
    assert "row 3 区划代码 '999999'" in done.stderr and "row 3 常住人口 '-1'" in done.stderr
    assert table_dump(cli_store) == before


def test_the_dry_run_command_writes_nothing(cli_store, tmp_path):
    before = table_dump(cli_store)
    done = run("load", "--dry-run", str(write_csv(tmp_path / "a.csv", "110101,1\n")))
    assert done.exit_code == 0 and done.stdout.startswith("would load 1 county figure(s)")
    assert table_dump(cli_store) == before


def test_the_clear_command_refuses_a_bad_adcode_in_one_line(cli_store):
    done = run("clear", "abc")
    assert done.exit_code == 2
    assert done.stderr.strip() == (
        "error: ADCODE: got 'abc', expected a county's 6-digit adcode such as 320102"
    )


def test_the_installed_command_loads_a_file(tmp_path):
    env = clean_environment(STATIONMAP_DATABASE_URL=f"sqlite:///{tmp_path}/pop.sqlite")
    path = write_csv(tmp_path / "a.csv", "adcode,population\n320102,537825\n")
    for args in (["load", str(path)], ["show"]):
        done = subprocess.run(
            [stationmap_command(), "population", *args], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    assert "537,825" in done.stdout and "南京市玄武区" in done.stdout
