"""An installed package (not only a checkout) carries its templates, data and migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = out.glob("stationmap-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_carries_templates_and_reference_data(wheel_names):
    share = "stationmap-0.1.0.data/data/share/stationmap/"
    for path in (
        "templates/base.html",
        "data/regions/counties.parquet",
        "data/regions/china_outline.parquet",
        "data/places/anchors.csv",
        "data/population/county_population_modelled.csv",
        "data/README.md",
    ):
        assert share + path in wheel_names, path


def test_wheel_carries_the_migrations(wheel_names):
    assert "stationmap/store/migrations/env.py" in wheel_names
    assert "stationmap/store/migrations/script.py.mako" in wheel_names
    assert "stationmap/store/migrations/versions/0001_initial.py" in wheel_names
