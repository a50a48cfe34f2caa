"""Measure the map pages on the 173,000-station demo set and print them against targets.

    .venv/bin/python scripts/bench_maps.py [--demo-db PATH] [--loads N]

The app is served by ``stationmap serve --workers 1`` with no map background (this
machine has no internet) on a copy of the demo store, and driven by Debian's headless
Chromium through Playwright:

- ``/map`` on a phone (390x844) and a desktop (1366x768) screen: navigation start to
  the first cluster painted (median of fresh page loads); then ~20 views over major
  cities at zooms 4 to 14, each ``/api/v1/clusters`` answer weighed as sent (gzip, as
  Chromium negotiates) and without gzip (urllib), and timed in process through Flask's
  test client (median of 20) as well as over loopback (the browser's time to first byte).
- ``/`` on a phone with its position granted in Beijing: bytes transferred until the
  list is painted (Resource Timing ``transferSize``), and geolocation callback to the
  list painted.

Nothing fails: figures are printed beside their targets, with the machine's load, since
a busy machine slows every figure. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from stationmap import create_app
from stationmap.web import FINDER_KEY, close_app
from stationmap.web.answers import gzip_body
from stationmap.web.worker_memory import keep_freed_memory

STARTED = time.perf_counter()
BIN = Path(sys.executable).parent
DEMO_DB = Path("/tmp/stationmap-bench/demo-173000-seed1.sqlite")
DEMO_SEED = 1
HOST = "127.0.0.1"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
BEIJING = (116.4074, 39.9042)
"""Tiananmen as (lon, lat)."""

LOADS = 5
SERVER_REPEATS = 20
PAGE_TIMEOUT_MS = 15_000
CLUSTERS = "/api/v1/clusters"
ACCESS_LINE = re.compile(r'"[A-Z]+ (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) ')
"""A request in gunicorn's access log, e.g. ``"GET /favicon.ico HTTP/1.1" 404 ``."""

PAYLOAD_TARGET_KB = 20
SERVER_TARGET_MS = 10
FIRST_CLUSTERS_TARGET_MS = 1_500
RIDER_BYTES_TARGET_KB = 300
RIDER_LIST_TARGET_MS = 1_000

CITIES = {
    "Beijing": (39.9042, 116.4074),
    "Shanghai": (31.2304, 121.4737),
    "Guangzhou": (23.1291, 113.2644),
    "Shenzhen": (22.5431, 114.0579),
    "Chengdu": (30.5728, 104.0668),
    "Wuhan": (30.5928, 114.3055),
    "Xi'an": (34.3416, 108.9398),
    "Hangzhou": (30.2741, 120.1551),
    "Chongqing": (29.5630, 106.5516),
    "Nanjing": (32.0603, 118.7969),
    "Tianjin": (39.0842, 117.2009),
    "Shenyang": (41.8057, 123.4315),
    "Harbin": (45.8038, 126.5350),
    "Kunming": (24.8801, 102.8329),
    "Zhengzhou": (34.7466, 113.6254),
    "Changsha": (28.2282, 112.9388),
    "Urumqi": (43.8256, 87.6168),
    "Lanzhou": (36.0611, 103.8343),
    "Xiamen": (24.4798, 118.0894),
    "Qingdao": (36.0671, 120.3826),
}
VIEWS = [(city, 4 + i % 11) for i, city in enumerate(CITIES)]
"""Twenty views: each city once, zooms 4 to 14 and round again from 4."""

# Marks, as performance.now() milliseconds (navigation start is 0): the frame after the
# first cluster marker entered the page, the rider's geolocation callback, and the
# frame after the first station entered the rider's list.
PAINT_MARKS = """
(() => {
  const marks = (window.__bench = {});
  const whenPainted = (selector, name) => {
    const observer = new MutationObserver(() => {
      if (!document.querySelector(selector)) return;
      observer.disconnect();
      requestAnimationFrame(() => { marks[name] = performance.now(); });
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  };
  whenPainted(".cluster[data-count]", "clusters");
  whenPainted("#list li.station", "list");
  const geo = navigator.geolocation;
  const ask = geo.getCurrentPosition.bind(geo);
  geo.getCurrentPosition = (success, ...rest) => ask((position) => {
    if (marks.located === undefined) marks.located = performance.now();
    return success(position);
  }, ...rest);
})();
"""
TRANSFERS_UNTIL = """
(until) => [...performance.getEntriesByType("navigation"),
            ...performance.getEntriesByType("resource")]
  .filter((e) => e.responseEnd <= until)
  .map((e) => ({ url: e.name, transfer: e.transferSize, encoded: e.encodedBodySize,
                 decoded: e.decodedBodySize }))
"""


# -- what a run finds -----------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One row of the report."""

    name: str
    measured: str
    target: str = ""
    met: bool | None = None
    """None for a figure shown for information, without a target."""


@dataclass(frozen=True)
class ClusterSample:
    """One ``/api/v1/clusters`` answer as the browser received it."""

    screen: str
    view: str
    path: str
    """Path and query, as the page asked."""
    sent_bytes: int
    """The body as transferred (gzipped when the server compressed it)."""
    encoding: str
    ttfb_ms: float
    """Request sent to first byte received, over loopback."""
    features: int
    raw_bytes: int = 0
    server_ms: float = 0.0


@dataclass(frozen=True)
class Transfer:
    """One response of a page load, from Resource Timing."""

    url: str
    transfer: int
    """Bytes on the wire, headers included (0 when served from cache)."""
    encoded: int
    decoded: int


@dataclass(frozen=True)
class AssetWeight:
    """One response of the rider page's first load, as sent and as gzip would send it."""

    path: str
    transferred: int
    """Bytes on the wire, headers included."""
    decoded: int
    gzipped: bool
    """Whether it was sent gzipped."""
    gzip_bytes: int
    """The body gzipped: as sent, or at stationmap's level when it was sent plain."""

    @property
    def saving(self) -> int:
        """Bytes gzip saves (or would save) on this response's body."""
        return self.decoded - self.gzip_bytes


@dataclass
class Problems:
    """What went wrong in the pages: console errors, failed or off-site requests."""

    seen: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        """Remember ``text`` once."""
        if text not in self.seen:
            self.seen.append(text)


# -- the run --------------------------------------------------------------------------


def main() -> None:
    """Serve the demo set, measure both pages, time the cluster views in process, report."""
    options = _parse_args()
    load_before = os.getloadavg()
    problems = Problems()
    with tempfile.TemporaryDirectory(prefix="bench-maps-") as folder:
        db = prepare_store(options.demo_db, Path(folder))
        with serving(db, Path(folder), problems) as url, chromium() as browser:
            figures, samples, assets = measure_pages(browser, url, options.loads, problems)
            samples = [_with_raw_size(url, sample) for sample in samples]
            assets = weigh_assets(url, assets)
        samples = time_in_process(db, Path(folder), samples)
    figures += cluster_figures(samples)
    print_report(load_before, figures, samples, assets, problems)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-db", type=Path, default=DEMO_DB, help="demo store to copy")
    parser.add_argument("--loads", type=int, default=LOADS, help="fresh page loads per figure")
    return parser.parse_args()


def progress(text: str) -> None:
    """Say what the run is doing, on stderr."""
    print(f"[{time.perf_counter() - STARTED:6.1f} s] {text}", file=sys.stderr, flush=True)


# -- the store and the server ---------------------------------------------------------


def prepare_store(demo_db: Path, folder: Path) -> Path:
    """A copy of the demo store at the current schema, building the demo store if missing."""
    if not demo_db.exists():
        _build_demo_store(demo_db)
    copy = folder / "stationmap.sqlite"
    progress(f"copying {demo_db}")
    shutil.copyfile(demo_db, copy)
    wal = demo_db.with_name(demo_db.name + "-wal")
    if wal.exists():  # writes not yet checkpointed: SQLite replays them in the copy
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    _run_cli(folder, copy, "init-db")
    return copy


def _build_demo_store(demo_db: Path) -> None:
    """Load the 173,000-station demo set into ``demo_db`` (moved there once complete)."""
    progress(f"building {demo_db} (takes a few minutes)")
    demo_db.parent.mkdir(parents=True, exist_ok=True)
    partial = demo_db.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    _run_cli(demo_db.parent, partial, "load-demo", "--seed", str(DEMO_SEED))
    partial.rename(demo_db)


def _cli_env(folder: Path, db: Path) -> dict[str, str]:
    """Our environment without any STATIONMAP_* setting, then the bench's own."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("STATIONMAP_")}
    return env | {
        "STATIONMAP_DATABASE_URL": f"sqlite:///{db}",
        "STATIONMAP_INSTANCE_DIR": str(folder),
        "STATIONMAP_BASEMAP": "none",
    }


def _run_cli(folder: Path, db: Path, *args: str) -> None:
    done = subprocess.run(
        [str(BIN / "stationmap"), *args], env=_cli_env(folder, db), capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"`stationmap {' '.join(args)}` failed:\n{done.stderr}")


@contextmanager
def serving(db: Path, folder: Path, problems: Problems) -> Iterator[str]:
    """``stationmap serve`` with one worker on a free port, its index loaded; its base URL."""
    port = _free_port()
    log = folder / "serve.log"
    command = [str(BIN / "stationmap"), "serve", "--host", HOST, "--port", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*command, "--workers", "1"], env=_cli_env(folder, db), stdout=out, stderr=out
        )
    url = f"http://{HOST}:{port}"
    try:
        _wait_for_index(url, server, log)
        yield url
    finally:
        _stop(server)
        _note_server_errors(log, problems)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_for_index(url: str, server: subprocess.Popen, log: Path) -> None:
    """Return once the nearest endpoint answers (the worker has loaded its index)."""
    started = time.perf_counter()
    lon, lat = BEIJING
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            fetch(f"{url}/api/v1/stations/nearest?lon={lon}&lat={lat}")
            progress(f"server at {url} answered after {time.perf_counter() - started:.1f} s")
            return
        except OSError:
            time.sleep(0.2)
    _stop(server)
    sys.exit(f"`stationmap serve` never answered:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(server: subprocess.Popen) -> None:
    """Ask gunicorn to stop (SIGTERM is its graceful shutdown); kill it if it lingers."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _note_server_errors(log: Path, problems: Problems) -> None:
    """Note requests the server answered with 400 and above, and errors it logged."""
    for line in log.read_text(errors="replace").splitlines():
        if match := ACCESS_LINE.search(line):
            if int(match["status"]) >= 400:
                problems.note(f"server answered {match['status']}: {match['path']}")
        elif "Traceback" in line or " ERROR " in line:
            problems.note(f"server log: {line}")


def fetch(url: str) -> bytes:
    """GET ``url`` without a proxy and without gzip (urllib asks for identity)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return response.read()


# -- the browser ----------------------------------------------------------------------


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        progress(f"Chromium {browser.version}")
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def fresh_page(
    browser: Browser, url: str, viewport: dict, problems: Problems, phone: bool
) -> Iterator[Page]:
    """A page in a new context (empty cache) that notes errors and blocks requests off-site."""
    options = _phone_options() if phone else {}
    context = browser.new_context(viewport=viewport, base_url=url, **options)
    _watch(context, problems)
    context.add_init_script(PAINT_MARKS)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.on("console", lambda m: m.type == "error" and problems.note(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.note(f"uncaught: {error}"))
    try:
        yield page
    finally:
        context.close()


def _phone_options() -> dict:
    lon, lat = BEIJING
    return {
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "geolocation": {"longitude": lon, "latitude": lat, "accuracy": 30},
        "permissions": ["geolocation"],
    }


def _watch(context: BrowserContext, problems: Problems) -> None:
    """Block and note requests off 127.0.0.1; note answers of 400 and above."""

    def block(route) -> None:
        problems.note(f"request off {HOST}: {route.request.url}")
        route.abort("blockedbyclient")

    context.route(lambda u: urlsplit(u).hostname not in (HOST, None), block)
    context.on(
        "response",
        lambda r: r.status >= 400 and problems.note(f"HTTP {r.status}: {urlsplit(r.url).path}"),
    )


def wait_for_mark(page: Page, name: str) -> float:
    """The paint mark ``name`` (ms since navigation start), once the page has set it."""
    page.wait_for_function(f"window.__bench && window.__bench.{name} !== undefined")
    return page.evaluate(f"window.__bench.{name}")


def transfers_until(page: Page, until_ms: float) -> list[Transfer]:
    """Every response of this load that ended by ``until_ms``, from Resource Timing."""
    return [Transfer(**entry) for entry in page.evaluate(TRANSFERS_UNTIL, until_ms)]


# -- the pages ------------------------------------------------------------------------


def measure_pages(
    browser: Browser, url: str, loads: int, problems: Problems
) -> tuple[list[Figure], list[ClusterSample], dict[str, Transfer]]:
    """The overview on both screens and the rider page: figures, cluster answers, assets."""
    figures: list[Figure] = []
    samples: list[ClusterSample] = []
    for screen, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        figures += overview_first_clusters(browser, url, screen, viewport, loads, problems)
        samples += cluster_views(browser, url, screen, viewport, problems)
    rider_figures, assets = rider_page(browser, url, loads, problems)
    return figures + rider_figures, samples, assets


def overview_first_clusters(
    browser: Browser, url: str, screen: str, viewport: dict, loads: int, problems: Problems
) -> list[Figure]:
    """Navigation start to the first cluster painted on ``/map``, median of fresh loads."""
    times, sizes = [], []
    for _ in range(loads):
        with fresh_page(browser, url, viewport, problems, phone=screen == "phone") as page:
            page.goto("/map")
            painted = wait_for_mark(page, "clusters")
            times.append(painted)
            sizes.append(sum(t.transfer for t in transfers_until(page, painted)))
    progress(f"/map on a {screen}: first clusters {_spread(times)} ms")
    median = statistics.median(times)
    return [
        Figure(
            f"/map {screen}: first clusters painted (median of {loads})",
            f"{median:.0f} ms",
            f"< {FIRST_CLUSTERS_TARGET_MS} ms",
            median < FIRST_CLUSTERS_TARGET_MS,
        ),
        Figure(f"/map {screen}: bytes until first clusters", _kb(statistics.median(sizes))),
    ]


def cluster_views(
    browser: Browser, url: str, screen: str, viewport: dict, problems: Problems
) -> list[ClusterSample]:
    """Each of VIEWS set on one ``/map`` page, its clusters answer as the browser got it."""
    with fresh_page(browser, url, viewport, problems, phone=screen == "phone") as page:
        page.goto("/map")
        wait_for_mark(page, "clusters")
        samples = [_view_sample(page, screen, city, zoom) for city, zoom in VIEWS]
    progress(f"/map on a {screen}: {len(samples)} views")
    return samples


def _view_sample(page: Page, screen: str, city: str, zoom: int) -> ClusterSample:
    lat, lon = CITIES[city]
    with page.expect_response(lambda r: urlsplit(r.url).path == CLUSTERS) as answer:
        page.evaluate(
            "([lat, lon, zoom]) => stationmap.map.setView([lat, lon], zoom, { animate: false })",
            [lat, lon, zoom],
        )
    response = answer.value
    body = response.json()
    timing = response.request.timing
    return ClusterSample(
        screen=screen,
        view=f"{city} z{zoom}",
        path=_path_and_query(response.url),
        sent_bytes=response.request.sizes()["responseBodySize"],
        encoding=response.headers.get("content-encoding", "identity"),
        ttfb_ms=timing["responseStart"] - timing["requestStart"],
        features=len(body["features"]),
    )


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _with_raw_size(url: str, sample: ClusterSample) -> ClusterSample:
    return replace(sample, raw_bytes=len(fetch(url + sample.path)))


def weigh_assets(url: str, transfers: dict[str, Transfer]) -> list[AssetWeight]:
    """Each response of a rider page load, with what gzip would send for those sent plain."""
    weights = []
    for path, t in transfers.items():
        if not t.decoded:  # failed, or nothing to weigh (a favicon that is missing)
            continue
        gzipped = t.encoded < t.decoded
        size = t.encoded if gzipped else len(gzip_body(fetch(url + path)))
        weights.append(AssetWeight(path, t.transfer, t.decoded, gzipped, size))
    return sorted(weights, key=lambda a: -a.decoded)


def rider_page(
    browser: Browser, url: str, loads: int, problems: Problems
) -> tuple[list[Figure], dict[str, Transfer]]:
    """``/`` on a phone in Beijing: bytes until the list is painted, and how fast it comes."""
    located, painted, sizes = [], [], []
    assets: dict[str, Transfer] = {}
    for _ in range(loads):
        with fresh_page(browser, url, PHONE, problems, phone=True) as page:
            page.goto("/")
            list_ms = wait_for_mark(page, "list")
            located.append(list_ms - page.evaluate("window.__bench.located"))
            painted.append(list_ms)
            transfers = transfers_until(page, list_ms)
            sizes.append(sum(t.transfer for t in transfers))
            assets |= {_path_and_query(t.url): t for t in transfers}
    progress(f"/ on a phone: geolocation to list {_spread(located)} ms")
    return _rider_figures(located, painted, sizes, loads), assets


def _rider_figures(located: list, painted: list, sizes: list, loads: int) -> list[Figure]:
    after_fix, size = statistics.median(located), statistics.median(sizes)
    return [
        Figure(
            "/ phone: bytes transferred until list painted",
            _kb(size),
            f"< {RIDER_BYTES_TARGET_KB} KB",
            size < RIDER_BYTES_TARGET_KB * 1024,
        ),
        Figure(
            f"/ phone: geolocation callback to list painted (median of {loads})",
            f"{after_fix:.0f} ms",
            f"< {RIDER_LIST_TARGET_MS} ms",
            after_fix < RIDER_LIST_TARGET_MS,
        ),
        Figure("/ phone: navigation start to list painted", f"{statistics.median(painted):.0f} ms"),
    ]


# -- the server, in process -----------------------------------------------------------


def _wait_for_priming() -> None:
    """Let the worker's background GeoJSON priming finish: time the steady state."""
    for thread in threading.enumerate():
        if thread.name == "prime-answers":
            thread.join(timeout=120)


def time_in_process(db: Path, folder: Path, samples: list[ClusterSample]) -> list[ClusterSample]:
    """Each sample's path timed through Flask's test client, gzip asked as Chromium does,
    with malloc tuned as in `stationmap serve`'s workers."""
    keep_freed_memory()
    app = create_app({"database_url": f"sqlite:///{db}", "basemap": "none", "instance_dir": folder})
    app.extensions[FINDER_KEY].current()
    _wait_for_priming()
    client = app.test_client()
    try:
        timed = [replace(s, server_ms=_median_ms(client, s.path)) for s in samples]
    finally:
        close_app(app)
    progress(f"timed {len(timed)} cluster answers in process, {SERVER_REPEATS} times each")
    return timed


def _median_ms(client, path: str) -> float:
    headers = {"Accept-Encoding": "gzip, deflate, br"}
    client.get(path, headers=headers)
    times = []
    for _ in range(SERVER_REPEATS):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, f"{path}: HTTP {response.status_code}"
    return statistics.median(times)


# -- the report -----------------------------------------------------------------------


def cluster_figures(samples: list[ClusterSample]) -> list[Figure]:
    """The cluster answers' worst sizes and server times, against their targets."""
    figures = []
    for screen in ("phone", "desktop"):
        mine = [s for s in samples if s.screen == screen]
        sent = max(s.sent_bytes for s in mine)
        slowest = max(s.server_ms for s in mine)
        figures += [
            Figure(
                f"{CLUSTERS} {screen}: largest payload as sent (gzip), {len(mine)} views",
                _kb(sent),
                f"< {PAYLOAD_TARGET_KB} KB",
                sent < PAYLOAD_TARGET_KB * 1024,
            ),
            Figure(
                f"{CLUSTERS} {screen}: largest payload without gzip",
                _kb(max(s.raw_bytes for s in mine)),
            ),
            Figure(
                f"{CLUSTERS} {screen}: slowest server time (in process, median of "
                f"{SERVER_REPEATS})",
                f"{slowest:.1f} ms",
                f"< {SERVER_TARGET_MS} ms",
                slowest < SERVER_TARGET_MS,
            ),
            Figure(
                f"{CLUSTERS} {screen}: loopback TTFB in Chromium (median)",
                f"{statistics.median(s.ttfb_ms for s in mine):.1f} ms",
            ),
        ]
    return figures


def print_report(
    load_before: tuple,
    figures: list[Figure],
    samples: list[ClusterSample],
    assets: list[AssetWeight],
    problems: Problems,
) -> None:
    """Machine, figures against targets, the views, the static assets, problems, run time."""
    _print_machine(load_before)
    _print_table(
        ["figure", "measured", "target", "met"],
        [[f.name, f.measured, f.target, _met(f.met)] for f in figures],
    )
    _print_views(samples)
    _print_assets(assets)
    print("\nproblems seen in the pages:" if problems.seen else "\nno problems seen in the pages")
    for problem in problems.seen:
        print(f"  {problem}")
    print(f"\ntotal run time: {time.perf_counter() - STARTED:.0f} s")


def _print_machine(load_before: tuple) -> None:
    before = ", ".join(f"{x:.2f}" for x in load_before)
    after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {platform.node()}, {os.cpu_count()} cores (nproc), {platform.platform()}")
    print(f"load average (1, 5, 15 min): {before} at start; {after} at end\n")


def _print_views(samples: list[ClusterSample]) -> None:
    print(f"\n{CLUSTERS} per view (sent: as transferred to Chromium; raw: without gzip):")
    rows = [
        [
            s.screen,
            s.view,
            str(s.features),
            _kb(s.sent_bytes),
            s.encoding,
            _kb(s.raw_bytes),
            f"{s.server_ms:.2f}",
            f"{s.ttfb_ms:.1f}",
        ]
        for s in samples
    ]
    header = ["screen", "view", "features", "sent", "encoding", "raw", "server ms", "TTFB ms"]
    _print_table(header, rows)


def _print_assets(assets: list[AssetWeight]) -> None:
    print("\nrider page responses until the list is painted (last load, empty cache):")
    rows = [
        [
            a.path,
            _kb(a.transferred),
            _kb(a.decoded),
            "yes" if a.gzipped else "no",
            _kb(a.saving) if a.gzipped else f"would save {_kb(a.saving)}",
        ]
        for a in assets
    ]
    _print_table(["path", "transferred", "decoded", "gzipped", "gzip saves"], rows)
    sent = sum(a.transferred for a in assets)
    saved = sum(a.saving for a in assets if a.gzipped)
    missed = sum(a.saving for a in assets if not a.gzipped)
    print(
        f"this load transferred {_kb(sent)}; gzip saved {_kb(saved)} of it"
        + (f" and would save {_kb(missed)} more on what was sent plain" if missed else "")
    )


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print(" | ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))


def _met(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "NO")


def _kb(size: float) -> str:
    return f"{size / 1024:.1f} KB"


def _spread(times: list[float]) -> str:
    return "/".join(f"{t:.0f}" for t in times)


if __name__ == "__main__":
    main()
