"""Running the installed ``stationmap`` command in its own process, as an operator does."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def stationmap_command() -> str:
    """The ``stationmap`` command of the interpreter running the tests."""
    beside = Path(sys.executable).with_name("stationmap")
    return str(beside) if beside.exists() else shutil.which("stationmap") or "stationmap"


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without its ``STATIONMAP_*`` settings, plus ``settings``."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith("STATIONMAP_")}
    return kept | settings
