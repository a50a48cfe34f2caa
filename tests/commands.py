"""Running the installed ``stationmap`` command in its own process, as an operator does."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
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


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on at ``host`` just now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen) -> None:
    """Ask a server to stop (SIGTERM is gunicorn's graceful shutdown); kill it if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
