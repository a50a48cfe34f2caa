"""The ``stationmap`` command: set up the database, load data, export, serve.

Every command reads the ``STATIONMAP_*`` settings once. A deliberate error prints
one line that says what is wrong and what to do, and exits with status 2.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click
from tqdm import tqdm

from .config import Settings, configure_logging, load_settings
from .errors import StationmapError
from .store import Store, open_store

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


def _store(settings: Settings) -> Store:
    """The configured store; closed when the command ends."""
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
    from .demo.loading import load_demo

    store = _store(settings)
    store.init_schema()
    if if_empty and store.count_stations():
        click.echo(f"store already holds {store.count_stations()} stations; demo not loaded")
        return
    started = time.perf_counter()
    with tqdm(total=count, unit="station", desc="loading demo set", disable=None) as bar:
        batch = load_demo(store, count=count, seed=seed, progress=bar.update)
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
@click.option("--county", help="6-digit county code: the county's stations and boundary.")
@click.option("--around", metavar="LON,LAT", help="A WGS-84 point: the stations around it.")
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
    county: str | None,
    around: str | None,
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
        place = store.regions.county(county)
        if place is None:
            raise click.BadParameter(
                f"got {county!r}, expected a 6-digit mainland county code such as 320102",
                param_hint="--county",
            )
        found = county_stations(index, county)
        fmap = station_map(
            found,
            f"{place.city}{place.name}的工会驿站（{len(found)}个）",
            notice,
            county_boundary(store.regions, county),
            tiles=not no_tiles,
        )
    else:
        assert around is not None, "exactly one of --county and --around, checked above"
        lon, lat = _point_option(around)
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
    try:
        lon, lat = (float(v) for v in text.replace("，", ",").split(","))
    except ValueError:
        raise click.BadParameter(
            f"got {text!r}, expected LON,LAT such as 116.40,39.90", param_hint="--around"
        ) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise click.BadParameter(
            f"got {text!r}, expected a longitude from -180 to 180 and a latitude from -90 to 90",
            param_hint="--around",
        )
    return lon, lat


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
@click.pass_obj
def serve_command(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve the app with gunicorn (a production WSGI server)."""
    from .web.server import serve

    _require_schema(_store(settings))
    click.echo(f"serving stationmap on http://{host}:{port} with {workers} workers")
    serve(host, port, workers)


def _require_schema(store: Store) -> None:
    if not store.schema_is_current():
        raise StationmapError(
            "the database schema is missing or old: run `stationmap init-db`",
            code="schema_outdated",
        )
