"""``stationmap import`` from the command line, including a process killed mid-write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from stationmap.cli import main
from stationmap.store import Store
from stationmap.store.backend import create_store_engine

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
CLI = Path(sys.executable).with_name("stationmap")


@pytest.fixture
def run(database_url, monkeypatch):
    monkeypatch.setenv("STATIONMAP_DATABASE_URL", database_url)
    monkeypatch.setenv("STATIONMAP_LOG_LEVEL", "WARNING")
    return lambda *args: CliRunner().invoke(main, [str(a) for a in args])


def _count(database_url: str) -> int:
    with Store(create_store_engine(database_url)) as store:
        store.init_schema()
        return store.count_stations()


def test_import_prints_a_summary_and_writes_both_reports(run, database_url, tmp_path):
    result = run(
        "import",
        SAMPLES / "wuhou_chengdu_bd09.xlsx",
        "--crs",
        "bd09",
        "--report",
        tmp_path / "r.json",
        "--report",
        tmp_path / "r.xlsx",
    )
    assert result.exit_code == 0, result.output
    assert "25 rows: added 24, updated 0, 0 unchanged; 0 duplicates merged, 1 rejected" in (
        result.output
    )
    assert "row 22" in result.output
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["counts"]["added"] == 24
    assert (tmp_path / "r.xlsx").stat().st_size > 0
    assert _count(database_url) == 24


def test_import_names_its_warnings_with_their_rows(run):
    result = run("import", SAMPLES / "wuhou_chengdu_bd09.xlsx", "--crs", "bd09", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "3 warnings" in result.output
    assert "warning: row 6 JD: 经纬度填反了，已自动对调" in result.output
    assert "warning: row 13 JD: 经纬度填反了" in result.output
    assert "warning: row 18 服务内容: 不认识的服务内容：按摩椅" in result.output


def test_a_long_list_of_warnings_is_cut_short_with_where_to_find_the_rest(run, tmp_path):
    path = tmp_path / "many.csv"
    rows = [f"驿站{i},{118.76 + i * 0.003:.3f},32.04,周八全天" for i in range(15)]
    path.write_text("驿站名称,经度,纬度,开放时间\n" + "\n".join(rows), encoding="utf-8")
    result = run("import", path, "--crs", "wgs84", "--dry-run")
    shown = [line for line in result.output.splitlines() if line.startswith("  warning: row")]
    assert len(shown) == 10
    assert "… 5 more warning lines: write them all with --report OUT.json" in result.output


def test_the_json_report_is_utf8_with_chinese_as_written(run, tmp_path):
    run(
        "import",
        SAMPLES / "wuhou_chengdu_bd09.xlsx",
        "--crs",
        "bd09",
        "--report",
        tmp_path / "r.json",
    )
    text = (tmp_path / "r.json").read_bytes().decode("utf-8")
    assert "不在中国范围内" in text and "\\u" not in text


def test_import_says_what_it_is_doing_while_it_works(run):
    result = run("import", SAMPLES / "wuhou_chengdu_bd09.xlsx", "--crs", "bd09", "--dry-run")
    lines = result.output.splitlines()
    steps = ["reading wuhou_chengdu_bd09.xlsx", "parsing rows", "converting coordinates",
             "matching against the store"]  # fmt: skip
    at = [next(i for i, line in enumerate(lines) if line.startswith(step)) for step in steps]
    assert at == sorted(at) and at[-1] < next(
        i for i, line in enumerate(lines) if line.startswith("DRY RUN")
    )


def test_dry_run_and_real_run_summaries_each_keep_one_tense(run):
    dry = run("import", SAMPLES / "wuhou_chengdu_bd09.xlsx", "--crs", "bd09", "--dry-run")
    assert "would add 24, would update 0, would leave 0 unchanged" in dry.output
    real = run("import", SAMPLES / "wuhou_chengdu_bd09.xlsx", "--crs", "bd09")
    assert "added 24, updated 0, 0 unchanged" in real.output and "would" not in real.output


def test_dry_run_writes_nothing(run, database_url):
    result = run("import", SAMPLES / "nanjing_xuanwu_2025.xlsx", "--crs", "wgs84", "--dry-run")
    assert result.exit_code == 0 and "DRY RUN: 42 rows: would add 42" in result.output
    assert _count(database_url) == 0


def test_mapping_options_name_unknown_columns(run, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("驿站全称,东经度,北纬度\n测试驿站,118.7975,32.0485\n", encoding="utf-8")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"驿站全称": "name"}), encoding="utf-8")
    result = run(
        "import", path, "--crs", "wgs84", "--mapping", mapping,
        "--column", "东经度=lon", "--column", "北纬度=lat",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "added 1" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (("--crs", "foo"), "'foo' is not one of"),
    (("--column", "名称"), "expected HEADER=FIELD"),
    (("--column", "名称=colour"), "expected one of name"),
    (("--report", "out.txt"), "expected a file ending .json or .xlsx"),
    (("--county", "12"), "expected a 6-digit county code"),
    (("--union", "nosuchunio"), "no union's id"),
])  # fmt: skip
def test_bad_options_are_refused_with_what_to_do(run, database_url, args, message):
    result = run("import", SAMPLES / "nanjing_xuanwu_2025.xlsx", "--crs", "wgs84", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert _count(database_url) == 0


@pytest.mark.parametrize("name", ["empty.csv", "not_excel.xlsx", "zip_bomb.xlsx"])
def test_unreadable_files_exit_non_zero_with_one_line(run, database_url, name):
    result = run("import", SAMPLES / "hostile" / name)
    assert result.exit_code == 2 and result.output.splitlines()[-1].startswith("error: ")
    assert _count(database_url) == 0


def test_missing_file_is_a_usage_error(run):
    result = run("import", "/no/such/list.xlsx")
    assert result.exit_code == 2 and "does not exist" in result.output


def _big_list(path: Path, rows: int) -> None:
    lines = ["驿站名称,经度,纬度,服务内容"]
    lines += [f"测试驿站{i},{116.0 + (i % 500) * 0.001:.6f},{39.5 + (i // 500) * 0.001:.6f},"
              "饮水、充电" for i in range(rows)]  # fmt: skip
    path.write_text("\n".join(lines), encoding="utf-8")


def test_a_killed_import_leaves_the_store_as_it_was(database_url, tmp_path):
    path = tmp_path / "big.csv"
    _big_list(path, 60_000)
    env = {**os.environ, "STATIONMAP_DATABASE_URL": database_url, "STATIONMAP_LOG_LEVEL": "INFO"}
    subprocess.run([str(CLI), "init-db"], env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [str(CLI), "import", str(path), "--crs", "wgs84"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    for line in process.stderr:
        if "in one transaction" in line:
            break
    time.sleep(0.3)
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    process.stderr.close()
    assert _count(database_url) == 0
    finished = subprocess.run(
        [str(CLI), "import", str(path), "--crs", "wgs84"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    assert _count(database_url) == 60_000
