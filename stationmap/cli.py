"""The ``stationmap`` command: set up the database, load data, export, serve.

Every command reads the ``STATIONMAP_*`` settings once. A deliberate error prints
one line that says what is wrong and what to do, and exits with status 2.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from tqdm import tqdm

from .cli_accounts import tokens_group, users_group
from .cli_coverage import coverage_group
from .cli_population import population_group
from .config import Settings, configure_logging, load_settings
from .county_lookup import counties_command, county_option, place_names
from .errors import StationmapError

if TYPE_CHECKING:
    from .regions import County
    from .store import Store

log = logging.getLogger("stationmap.cli")


class StationmapGroup(click.Group):
    """A click group that turns stationmap's errors into one clear line and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StationmapError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(2)


@click.group(cls=StationmapGroup)
@click.pass_context
def main(ctx: click.Context) -> None:
    """stationmap: the national worker-station (工会驿站) store, finder and map service."""
    settings = load_settings()
    configure_logging(settings)
    ctx.obj = settings


main.add_command(counties_command)
main.add_command(users_group)
main.add_command(tokens_group)
main.add_command(population_group)
main.add_command(coverage_group)


def _store(settings: Settings) -> Store:
    """The configured store; closed when the command ends."""
    from .store import open_store  # here, not at the top: `stationmap --help` stays quick

    store = open_store(settings)
    click.get_current_context().call_on_close(store.close)
    return store


@main.command("init-db")
@click.pass_obj
def init_db(settings: Settings) -> None:
    """Create or upgrade the schema at STATIONMAP_DATABASE_URL."""
    store = _store(settings)
    revision = store.init_schema()
    click.echo(f"database ready at schema {revision}: {settings.effective_database_url}")


@main.command("load-demo")
@click.option(
    "--count",
    type=click.IntRange(1, 5_000_000),
    default=173_000,
    show_default=True,
    help="How many synthetic stations to generate.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),
    default=1,
    show_default=True,
    help="Random seed; the same seed gives the same stations.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the store already has stations.")
@click.pass_obj
def load_demo_command(settings: Settings, count: int, seed: int, if_empty: bool) -> None:
    """Generate the SYNTHETIC national demo set and load it (replacing an earlier one)."""
    from tqdm.contrib.logging import logging_redirect_tqdm

    from .demo.loading import load_demo

    store = _store(settings)
    store.init_schema()
    if if_empty and store.count_stations():
        click.echo(f"store already holds {store.count_stations()} stations; demo not loaded")
        return
    started = time.perf_counter()
    with (
        tqdm(total=count, unit="station", desc="generating", disable=None) as bar,
        logging_redirect_tqdm(),  # the stage log lines print above the bar, not through it
    ):
        batch = load_demo(
            store, count=count, seed=seed, progress=bar.update, stage=bar.set_description
        )
    click.echo(
        f"loaded {batch.counts['added']} synthetic stations (seed {seed}) as batch "
        f"{batch.id} in {time.perf_counter() - started:.1f} s"
    )


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--crs",
    type=click.Choice(["wgs84", "gcj02", "bd09"]),
    default=None,
    help="Coordinate system of the file's coordinates: wgs84 (GPS, phones, 天地图), gcj02 "
    "(高德, 腾讯, most Chinese pickers) or bd09 (百度). Required unless the file declares it "
    "(GeoJSON; a header such as 经度（GCJ02）; a stationmap export).",
)
@click.option("--dry-run", is_flag=True, help="Report what would happen; write nothing.")
@click.option("--strict", is_flag=True, help="All or nothing: any rejected row stops the import.")
@click.option(
    "--report",
    "report_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report: OUT.json, and/or OUT.xlsx (the rejected rows, to fix).",
)
@click.option("--union", "union_id", help="Public id of the union that owns these stations.")
@click.option(
    "--county",
    help="The county the list covers, as a code (320102) or a name (玄武区): flags strays and "
    "checks the coordinate system against it.",
)
@click.option(
    "--source", "source_name", help="Name of the list across imports (default: file name)."
)
@click.option(
    "--close-missing", is_flag=True, help="Close this source's stations the file no longer lists."
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="HEADER=FIELD",
    help="Say what a column holds, e.g. --column 驿站全称=name, or --column 备注=ignore.",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON file of header → field, e.g. {"驿站全称": "name"}.',
)
@click.pass_obj
def import_command(
    settings: Settings,
    path: Path,
    crs: str | None,
    dry_run: bool,
    strict: bool,
    report_paths: tuple[Path, ...],
    union_id: str | None,
    county: str | None,
    source_name: str | None,
    close_missing: bool,
    columns: tuple[str, ...],
    mapping: Path | None,
) -> None:
    """Import a regional station list (xlsx, xls, ods, csv, txt, geojson).

    Exits non-zero only when the file as a whole cannot be read, or when it does not say
    which coordinate system it is in and --crs is not given.
    """
    for report_path in report_paths:
        _check_report_path(report_path)
    _progress(f"reading {path.name} …")
    from .exporting import find_county
    from .importing.columns import read_mapping_file
    from .importing.pipeline import ImportOptions, import_file

    overrides = (read_mapping_file(mapping) if mapping else {}) | _column_options(columns)
    store = _store(settings)
    store.init_schema()
    if county is not None and not county.strip().isdigit():
        county = find_county(store.regions, county)
    options = ImportOptions(
        crs=crs,
        dry_run=dry_run,
        strict=strict,
        close_missing=close_missing,
        union_id=union_id,
        county=county,
        source_name=source_name,
        columns=overrides,
        actor="cli-import",
    )
    started = time.perf_counter()
    report = import_file(store, path, options, progress=_progress_step(started))
    _print_import_report(report)
    for report_path in report_paths:
        _write_report(report, report_path)
        click.echo(f"report written to {report_path}")


SHOWN_ISSUES = 10
"""How many rejected rows and warnings the terminal shows (the report has them all)."""


def _progress(message: str) -> None:
    """One line on standard error saying what the command is doing now."""
    click.echo(message, err=True)


def _progress_step(started: float):
    """An import progress callback: each step as a line on standard error, with the time."""

    def step(name: str) -> None:
        _progress(f"{name} … ({time.perf_counter() - started:.1f} s)")
        log.debug("%s", name)

    return step


def _print_import_report(report) -> None:
    """The summary, the columns recognised, and the first rejected rows and warnings."""
    click.echo(("DRY RUN: " if report.dry_run else "") + report.summary())
    click.echo(f"coordinates read as {report.source['crs']} ({report.source['crs_declared_by']})")
    for column in report.source.get("recognised", []):
        if column["by"] in ("content", "mapping"):
            click.echo(f"  column {column['column']!r} → {column['field']}: {column['how']}")
    _print_issues("rejected", report.rejected)
    _print_issues("warning", report.warnings)


def _print_issues(kind: str, issues: list) -> None:
    for issue in issues[:SHOWN_ISSUES]:
        where = f"row {issue.row}" if issue.row is not None else "file"
        column = f" {issue.column}" if issue.column else ""
        value = f" ({issue.value!r})" if issue.value else ""
        click.echo(f"  {kind}: {where}{column}: {issue.message}{value}")
    if len(issues) > SHOWN_ISSUES:
        more = len(issues) - SHOWN_ISSUES
        click.echo(f"  … {more} more {kind} lines: write them all with --report OUT.json")


def _column_options(columns: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for option in columns:
        header, sep, field = option.partition("=")
        if not sep or not header.strip() or not field.strip():
            raise click.BadParameter(
                f"got {option!r}, expected HEADER=FIELD such as 驿站全称=name",
                param_hint="--column",
            )
        pairs[header.strip()] = field.strip()
    return pairs


def _check_report_path(path: Path) -> None:
    if path.suffix.lower() not in (".json", ".xlsx"):
        raise click.BadParameter(
            f"got {path.name!r}, expected a file ending .json or .xlsx", param_hint="--report"
        )


def _write_report(report, path: Path) -> None:
    from .importing.report import write_json, write_rejected_xlsx

    if path.suffix.lower() == ".xlsx":
        write_rejected_xlsx(report, path)
    else:
        write_json(report, path)


@main.command("export")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["geojson", "csv"]),
    default=None,
    help="Output format (default: from the file name).",
)
@click.option(
    "--county",
    help="Only this county's stations: a 6-digit code (320102) or a name (玄武区, 南京市玄武区).",
)
@click.pass_obj
def export_command(settings: Settings, out: Path, fmt: str | None, county: str | None) -> None:
    """Write every station (or one county's), as stored, to OUT.

    The CSV opens in Excel (UTF-8 with BOM) and in GIS tools with lon/lat as X/Y (WGS-84);
    both formats import again unchanged.
    """
    from .exporting import county_stations, export_format_for, find_county, write_stations
    from .vocabulary import SYNTHETIC_DATA_NOTICE

    fmt = export_format_for(out, fmt)
    store = _store(settings)
    _require_schema(store)
    notice = SYNTHETIC_DATA_NOTICE if store.has_demo_stations() else None
    if county is not None:
        adcode = find_county(store.regions, county)
        stations = county_stations(store, adcode)
        count = write_stations(stations, out, fmt, notice)
        place = store.regions.county(adcode)
        assert place is not None, "find_county returns known codes only"
        where = f"{place.city}{place.name} ({adcode})"
        click.echo(f"wrote {count} stations of {where} to {out} ({fmt})")
        return
    with tqdm(total=store.count_stations(), unit="station", desc="exporting", disable=None) as bar:
        count = write_stations(store.iter_stations(), out, fmt, notice, on_row=bar.update)
    click.echo(f"wrote {count} stations to {out} ({fmt})")


@main.command("map")
@click.option(
    "--county",
    metavar="ADCODE|NAME",
    callback=lambda ctx, param, text: None if text is None else county_option(text),
    help="A county's 6-digit code or its name (玄武区, 南京市鼓楼区): its stations and boundary.",
)
@click.option(
    "--around",
    metavar="LON,LAT",
    callback=lambda ctx, param, text: None if text is None else _point_option(text),
    help="A WGS-84 point, longitude first: the stations around it.",
)
@click.option(
    "--radius-m",
    type=click.FloatRange(100, 200_000),
    default=3000,
    show_default=True,
    help="With --around: how far around the point.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write (standalone: opens offline).",
)
@click.option("--no-tiles", is_flag=True, help="Leave out the OpenStreetMap background.")
@click.pass_obj
def map_command(
    settings: Settings,
    county: County | None,
    around: tuple[float, float] | None,
    radius_m: float,
    output: Path,
    no_tiles: bool,
) -> None:
    """Write a shareable HTML map of a county's stations, or of the stations around a point."""
    from .finder import StationIndex, county_stations, find_within
    from .offline_maps import county_boundary, save_map, station_map
    from .vocabulary import SYNTHETIC_DATA_NOTICE

    if (county is None) == (around is None):
        raise click.UsageError("give exactly one of --county ADCODE or --around LON,LAT")
    store = _store(settings)
    _require_schema(store)
    index = StationIndex(store.read_stations())
    notice = SYNTHETIC_DATA_NOTICE if store.has_demo_stations() else None
    if county is not None:
        found = county_stations(index, county.adcode)
        fmap = station_map(
            found,
            f"{county.city}{county.name}的工会驿站（{len(found)}个）",
            notice,
            county_boundary(store.regions, county.adcode),
            tiles=not no_tiles,
        )
    else:
        assert around is not None, "exactly one of --county and --around, checked above"
        lon, lat = around
        found = find_within(index, lon, lat, radius_m)
        fmap = station_map(
            found,
            f"周边 {radius_m / 1000:g} 公里内的工会驿站（{len(found)}个）",
            notice,
            tiles=not no_tiles,
        )
    save_map(fmap, output)
    click.echo(f"wrote {len(found)} stations to {output}")


def _point_option(text: str) -> tuple[float, float]:
    """``--around``'s point, longitude first; a point given latitude first is named as such."""
    from .cells import CellProblem
    from .importing.coordinate_text import order_lon_lat

    parts = [part.strip() for part in text.replace("，", ",").split(",")]
    try:
        lon, lat = (float(part) for part in parts)
    except ValueError:
        raise click.BadParameter(
            f"got {text!r}, expected LON,LAT such as 116.40,39.90", param_hint="--around"
        ) from None
    ordered = order_lon_lat(lon, lat)
    if isinstance(ordered, CellProblem):
        raise click.BadParameter(
            f"got {text!r}, which is not in China: expected LON,LAT with a longitude "
            "from 73 to 136 and a latitude from 3 to 54, such as 116.40,39.90",
            param_hint="--around",
        )
    if ordered.swapped:
        raise click.BadParameter(
            f"got {text!r}, latitude first: did you mean {parts[1]},{parts[0]}? (longitude first)",
            param_hint="--around",
        )
    return lon, lat


@main.command("unions")
@click.argument("name", required=False)
@click.pass_obj
def unions_command(settings: Settings, name: str | None) -> None:
    """List unions (id, jurisdiction, name), or those whose name or place contains NAME."""
    store = _store(settings)
    _require_schema(store)
    wanted = (name or "").strip()
    places = place_names(store.regions)
    listed = 0
    for union in store.list_unions():
        place = places.get(union.jurisdiction, "unknown place")
        if wanted in union.name or wanted in place or union.jurisdiction.startswith(wanted):
            click.echo(f"{union.id}  {union.jurisdiction:<6}  {union.name}  ({place})")
            listed += 1
    if not listed:
        what = f"whose name or place contains {name!r}" if wanted else "yet"
        click.echo(f"no unions {what}; `stationmap unions` lists them all", err=True)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
@click.option(
    "--timeout",
    type=click.IntRange(1, 3600),
    help="Seconds a worker may spend on one request [default: STATIONMAP_WORKER_TIMEOUT, 60].",
)
@click.option(
    "--access-log-format",
    metavar="FORMAT",
    help="gunicorn's access log format, e.g. '%(h)s \"%(r)s\" %(s)s %(M)sms' "
    "[default: STATIONMAP_ACCESS_LOG_FORMAT].",
)
@click.option(
    "--trust-proxy",
    type=click.IntRange(0, 5),
    metavar="N",
    help="Proxies in front (1 behind one nginx) whose X-Forwarded-* headers give the "
    "client's address [default: STATIONMAP_TRUST_PROXY, 0].",
)
@click.pass_obj
def serve_command(
    settings: Settings,
    host: str,
    port: int,
    workers: int,
    timeout: int | None,
    access_log_format: str | None,
    trust_proxy: int | None,
) -> None:
    """Serve the app with gunicorn (a production WSGI server)."""
    from .web.server import check_address, serve

    settings = settings.replace(**_server_overrides(timeout, access_log_format, trust_proxy))
    check_address(host, port)
    _require_schema(_store(settings))
    proxies = f", behind {settings.trust_proxy} trusted proxy(ies)" if settings.trust_proxy else ""
    click.echo(f"serving stationmap on http://{host}:{port} with {workers} workers{proxies}")
    serve(host, port, workers, settings)


def _server_overrides(
    timeout: int | None, access_log_format: str | None, trust_proxy: int | None
) -> dict[str, Any]:
    """The settings ``serve``'s options override (those given)."""
    from .config import parse_access_log_format

    overrides: dict[str, Any] = {"worker_timeout": timeout, "trust_proxy": trust_proxy}
    if access_log_format is not None:
        try:
            overrides["access_log_format"] = parse_access_log_format(
                "--access-log-format", access_log_format
            )
        except StationmapError as exc:
            raise click.BadParameter(
                exc.message.partition(": ")[2], param_hint="--access-log-format"
            ) from None
    return {field: value for field, value in overrides.items() if value is not None}


def _require_schema(store: Store) -> None:
    if not store.schema_is_current():
        raise StationmapError(
            "the database schema is missing or old: run `stationmap init-db`",
            code="schema_outdated",
        )
