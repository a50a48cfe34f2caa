"""Browser-test fixtures: the real app served by gunicorn, Debian's Chromium, a phone page.

Import the fixtures into a test module (``from browser import live_server, browser, page``).
Without /usr/bin/chromium the browser tests skip locally (``scripts/install-system-deps.sh browser``
installs it), and fail where ``STATIONMAP_REQUIRE_BROWSER=1`` or ``CI=true``: CI never
skips them. Every page fails its test at teardown if it logged a console error or asked
for anything off 127.0.0.1: the pages must work with no internet and no map tiles.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from commands import clean_environment, free_port, stationmap_command, stop_process
from playwright.sync_api import Browser, Page, Request, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = (
    os.environ.get("STATIONMAP_REQUIRE_BROWSER") == "1"
    or os.environ.get("CI", "").lower() == "true"
)
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"

BEIJING = (116.4074, 39.9042)
"""Tiananmen as (lon, lat): the demo set has stations within a few kilometres."""

DEMO_COUNT, DEMO_SEED = 3000, 5
LOCAL_HOST = "127.0.0.1"
LOCAL_SCHEMES = ("data", "blob", "about")
BLOCKED = "net::ERR_BLOCKED_BY_CLIENT"
"""Chromium's console error for a request we blocked (already noted as off 127.0.0.1)."""

# Marks when the page's geolocation callback ran and when its first station item was
# painted (the frame after it entered #list), both as performance.now() milliseconds.
LIST_PAINT_TIMING = """
(() => {
  const marks = (window.__stationmapTiming = {});
  const geo = navigator.geolocation;
  for (const name of ["getCurrentPosition", "watchPosition"]) {
    const original = geo[name].bind(geo);
    geo[name] = (success, ...rest) =>
      original((position) => {
        if (marks.located === undefined) marks.located = performance.now();
        return success(position);
      }, ...rest);
  }
  new MutationObserver((_, observer) => {
    if (!document.querySelector("#list li.station")) return;
    observer.disconnect();
    requestAnimationFrame(() => { marks.listPainted = performance.now(); });
  }).observe(document, { childList: true, subtree: true });
})();
"""


@dataclass(frozen=True)
class LiveServer:
    """The app served by ``stationmap serve`` on a local port."""

    url: str
    """Base URL without a trailing slash, e.g. ``http://127.0.0.1:40123``."""
    log: Path
    """The server's output (gunicorn's access log included)."""

    def get_json(self, path: str):
        """GET ``path`` from the server (never through a proxy) and decode its JSON."""
        with _opener().open(self.url + path, timeout=10) as response:
            return json.load(response)


class _OnePerProcess:
    """One instance of a session resource for the whole test run.

    Each test module that imports a fixture from here gets its own definition of it, so
    a session fixture would otherwise start once per module: Playwright's sync API
    cannot start twice in one thread, and one demo server is enough for every module.
    """

    def __init__(self) -> None:
        self.value = None
        self.users = 0
        self.stack = contextlib.ExitStack()

    @contextlib.contextmanager
    def use(self, make):
        """The shared value, made by the context manager ``make()`` for the first user
        and closed when the last one is done."""
        if self.users == 0:
            self.value = self.stack.enter_context(make())
        self.users += 1
        try:
            yield self.value
        finally:
            self.users -= 1
            if self.users == 0:
                self.stack.close()
                self.value = None


_SERVER, _CHROMIUM = _OnePerProcess(), _OnePerProcess()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app on the synthetic demo set, served by gunicorn, with no map tiles
    (this machine, like a test runner, has no internet)."""
    with _SERVER.use(lambda: _demo_server(tmp_path_factory)) as server:
        yield server


@contextlib.contextmanager
def _demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("live")
    env = {name: value for name, value in os.environ.items() if not name.startswith("STATIONMAP_")}
    env |= {
        "STATIONMAP_DATABASE_URL": f"sqlite:///{folder / 'stationmap.sqlite'}",
        "STATIONMAP_INSTANCE_DIR": str(folder),
        "STATIONMAP_BASEMAP": "none",
    }
    _run_cli(env, "init-db")
    _run_cli(env, "load-demo", "--count", str(DEMO_COUNT), "--seed", str(DEMO_SEED))
    with serving(env, folder) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: run `sh scripts/install-system-deps.sh browser`"
        if REQUIRE_BROWSER:
            pytest.fail(f"browser tests are required here (CI) but {reason}")
        pytest.skip(reason)
    with _CHROMIUM.use(_chromium) as chromium:
        yield chromium


@contextlib.contextmanager
def _chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def geolocation() -> tuple[float, float] | None:
    """Where the phone is, as (lon, lat); parametrize it with None to deny the position."""
    return BEIJING


@pytest.fixture
def page(
    browser: Browser, live_server: LiveServer, geolocation: tuple[float, float] | None
) -> Iterator[Page]:
    """A fresh phone-sized page on the live server; fails the test on console errors or
    on any request off 127.0.0.1 (such requests are also blocked)."""
    context = browser.new_context(**_phone(geolocation), base_url=live_server.url)
    problems: list[str] = []
    context.route(lambda url: not _is_local(url), lambda route: _block(route, problems))
    page = context.new_page()
    page.on("console", lambda message: _note_console_error(message, problems))
    page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
    page.set_default_timeout(5_000)
    yield page
    context.close()
    if problems:
        pytest.fail("the page misbehaved:\n  " + "\n  ".join(problems), pytrace=False)


def save_screenshot(page: Page, name: str) -> Path:
    """Save the page as ``test-artifacts/screenshots/<name>`` (PNG) and return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=path)
    return path


def _phone(geolocation: tuple[float, float] | None) -> dict:
    """Context options for a phone in China, with its position granted when given."""
    options = {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
    }
    if geolocation is None:
        return options
    lon, lat = geolocation
    return options | {
        "geolocation": {"longitude": lon, "latitude": lat, "accuracy": 30},
        "permissions": ["geolocation"],
    }


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname == LOCAL_HOST


def _block(route, problems: list[str]) -> None:
    request: Request = route.request
    problems.append(f"request off {LOCAL_HOST}: {request.method} {request.url}")
    route.abort("blockedbyclient")


def _note_console_error(message, problems: list[str]) -> None:
    if message.type == "error" and BLOCKED not in message.text:
        problems.append(f"console error: {message.text} ({message.location.get('url', '')})")


_cli = stationmap_command
"""The ``stationmap`` command (under the name the browser test modules import)."""


def _run_cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([_cli(), *args], env=env, capture_output=True, text=True)
    if done.returncode:
        pytest.fail(f"`stationmap {' '.join(args)}` failed:\n{done.stderr}", pytrace=False)


def _free_port() -> int:
    return free_port(LOCAL_HOST)


@contextlib.contextmanager
def serving(env: dict[str, str], folder: Path) -> Iterator[LiveServer]:
    """`stationmap serve` (one worker) on a free local port with ``env``, its log in
    ``folder``; stopped when the block ends."""
    port = _free_port()
    log = folder / "serve.log"
    with log.open("wb") as out:
        command = [_cli(), "serve", "--host", LOCAL_HOST, "--port", str(port), "--workers", "1"]
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield _wait_until_serving(LiveServer(f"http://{LOCAL_HOST}:{port}", log), server)
    finally:
        stop_process(server)


PASSWORD = "correct horse battery"
"""The password of every user :func:`serving_with_users` adds."""


@contextlib.contextmanager
def serving_with_users(
    folder: Path, users: Iterable[tuple[str, str, str]], demo: tuple[int, int] | None = None
) -> Iterator[LiveServer]:
    """:func:`serving` a fresh store in ``folder`` with no map tiles, ``demo`` stations
    (count, seed) if asked, and ``users`` (username, union adcode, role) added by
    ``stationmap users add`` with :data:`PASSWORD`, as an administrator adds them."""
    env = clean_environment(
        STATIONMAP_DATABASE_URL=f"sqlite:///{folder / 'stationmap.sqlite'}",
        STATIONMAP_INSTANCE_DIR=str(folder),
        STATIONMAP_BASEMAP="none",
    )
    _run_cli(env, "init-db")
    if demo is not None:
        _run_cli(env, "load-demo", "--count", str(demo[0]), "--seed", str(demo[1]))
    for username, union, role in users:
        command = ["users", "add", username, "--union", union, "--role", role, "--password-stdin"]
        added = subprocess.run(
            [_cli(), *command], env=env, input=PASSWORD + "\n", capture_output=True, text=True
        )
        assert added.returncode == 0, added.stderr
    with serving(env, folder) as server:
        yield server


def _wait_until_serving(server: LiveServer, process: subprocess.Popen) -> LiveServer:
    """``server`` once /readyz answers 200 (its index loaded); fails with the server's log
    if it never does."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            server.get_json("/readyz")
            return server
        except OSError:
            time.sleep(0.1)
    stop_process(process)
    log = server.log.read_text(errors="replace")[-3000:]
    pytest.fail(f"`stationmap serve` did not answer at {server.url}:\n{log}", pytrace=False)


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))
