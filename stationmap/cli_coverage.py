"""``stationmap coverage``: the planners' figures and site proposals from the shell.

``areas`` prints (or writes as CSV, xlsx or JSON) the coverage of each area of a level;
``propose`` chooses new sites in an area, from its uncovered cells or from a list of
candidate sites (addresses of willing hosts) read as an import reads a station list.
Both read the store and write nothing to it. They build the station index from the
store first (about ten seconds for the national set), as a server worker does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .cli_store import opened_store

if TYPE_CHECKING:
    from .config import Settings
    from .finder import StationIndex
    from .store import Store

FORMATS = (".csv", ".xlsx", ".json", ".geojson")


@click.group("coverage")
def coverage_group() -> None:
    """Coverage of areas by open stations, and proposals for new sites (MODELLED population
    unless county figures were loaded with `stationmap population load`)."""


def _moment_options(command: Any) -> Any:
    command = click.option(
        "--at", "at", default=None, help="A time of day (21:00) or date-time; default now."
    )(command)
    return click.option(
        "--radius",
        "radius_m",
        type=float,
        default=1000.0,
        show_default=True,
        help="Catchment radius in metres (100 to 50,000).",
    )(command)


@coverage_group.command("areas")
@click.option("--level", type=click.Choice(["province", "city", "county"]), default="province")
@click.option("--within", default="000000", help="Inside this adcode (000000: the nation).")
@_moment_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.pass_obj
def areas_command(
    settings: Settings, level: str, within: str, at: str | None, radius_m: float, out: Path | None
) -> None:
    """Coverage of each area of LEVEL inside WITHIN at a moment (a table, or --out FILE
    ending .csv, .xlsx or .json)."""
    from .coverage.areas import areas_at, find_area
    from .coverage.current import current_surface
    from .coverage.figures import coverage_answer
    from .coverage.tables import coverage_rows

    area = find_area(within.strip(), "--within")
    stations, moment, catchment = _question(at, radius_m)
    _check_out(out)
    store = opened_store(settings)
    index = _index(store)
    click.echo(f"computing coverage of the {level} areas of {area.name} …", err=True)
    answer = coverage_answer(
        index, current_surface(store), areas_at(level, area), area, stations, catchment, moment
    )
    if out is not None:
        _write(out, answer, coverage_rows, "coverage")
        return
    click.echo(f"{'adcode':<8}{'people':>14}{'covered':>9}{'open':>7}{'median m':>10}  area")
    for row in [*answer["areas"], answer["total"]]:
        click.echo(
            f"{row['adcode']:<8}{row['population']:>14,}{_share(row['covered_share']):>9}"
            f"{row['stations_open']:>7}{_metres(row['median_distance_m']):>10}  {row['name']}"
        )
    click.echo(answer["population_note"] or "population: loaded figures")


@coverage_group.command("propose")
@click.argument("adcode")
@click.option("-p", "p", type=int, default=10, show_default=True, help="Sites to propose.")
@click.option(
    "--candidates",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Candidate sites (xlsx, csv, GeoJSON …) instead of the area's uncovered cells.",
)
@click.option(
    "--crs",
    type=click.Choice(["wgs84", "gcj02", "bd09"]),
    default=None,
    help="The candidate list's coordinate system, when the file does not say.",
)
@_moment_options
@click.option("--greedy", is_flag=True, help="The greedy answer only (no exact solver).")
@click.option("--time-limit", type=float, default=60.0, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.pass_obj
def propose_command(
    settings: Settings,
    adcode: str,
    p: int,
    candidates: Path | None,
    crs: str | None,
    at: str | None,
    radius_m: float,
    greedy: bool,
    time_limit: float,
    out: Path | None,
) -> None:
    """Propose P new sites in ADCODE that newly cover the most people."""
    from .coverage.areas import find_area
    from .coverage.candidates import read_candidates
    from .coverage.current import current_surface
    from .coverage.proposals import ProposalQuestion, propose
    from .coverage.tables import site_rows

    area = find_area(adcode.strip(), "ADCODE")
    stations, _, catchment = _question(at, radius_m)
    _check_out(out)
    if not 0 < time_limit <= 3600:  # also refuses nan
        raise click.BadParameter("expected 0 to 3,600 seconds", param_hint="--time-limit")
    listed = None
    if candidates is not None:
        listed = read_candidates(candidates.read_bytes(), candidates.name, crs)
        click.echo(f"{len(listed):,} candidate sites read from {candidates.name}", err=True)
        for skipped in listed.skipped[:10]:
            click.echo(f"  row {skipped['row']} skipped: {skipped['problem_en']}", err=True)
    store = opened_store(settings)
    index = _index(store)
    click.echo(f"choosing {p} sites in {area.name} …", err=True)
    question = ProposalQuestion(
        area,
        p,
        stations,
        catchment,
        listed,
        exact=not greedy,
        time_limit_s=time_limit,
        max_reach_pairs=None,
    )
    answer = propose(index, current_surface(store), question)
    if out is not None:
        _write(out, answer, site_rows, "sites")
        return
    click.echo(f"{'site':>4}  {'lon,lat (WGS-84)':<22}  {'newly covered':>13}  candidate")
    for rank, site in enumerate(answer["sites"], start=1):
        name = site.get("name", "")
        click.echo(
            f"{rank:>4}  {site['lon']:>10.6f},{site['lat']:<11.6f}  "
            f"{site['newly_covered']:>13,}  {name}".rstrip()
        )
    bound = answer["upper_bound"]
    click.echo(
        f"method {answer['method']}: {answer['newly_covered']:,} newly covered"
        + (f", at most {bound:,} possible" if bound is not None else "")
        + f"; covered {_share(answer['before']['covered_share'])} → "
        f"{_share(answer['after']['covered_share'])}"
    )
    if answer["note"]:
        click.echo(answer["note"])


def _question(at: str | None, radius_m: float) -> tuple[Any, Any, Any]:
    from .coverage.catchment import Catchment
    from .coverage.moments import parse_moment
    from .coverage.reach import StationSet

    moment = parse_moment(at, "--at")
    return StationSet(moment=moment), moment, Catchment.by_radius(radius_m)


def _index(store: Store) -> StationIndex:
    from .finder import StationIndex

    click.echo("reading the stations …", err=True)
    return StationIndex(store.iter_stations(), store.feed_position())


def _check_out(out: Path | None) -> None:
    """Refuse an output the command could not write, before the work is done."""
    if out is None:
        return
    if out.suffix.lower() not in FORMATS:
        raise click.BadParameter(f"expected a name ending {', '.join(FORMATS)}", param_hint="--out")
    if not out.parent.is_dir():
        raise click.BadParameter(f"no folder {out.parent}: create it first", param_hint="--out")


def _write(out: Path, answer: dict[str, Any], rows_of: Any, sheet: str) -> None:
    from .coverage.tables import to_csv, to_xlsx

    suffix = out.suffix.lower()
    if suffix in (".json", ".geojson"):
        if suffix == ".geojson" and "sites" in answer:
            from .coverage.proposals import sites_geojson

            answer = sites_geojson(answer)
        out.write_text(json.dumps(answer, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        headers, rows = rows_of(answer)
        out.write_bytes(
            to_csv(headers, rows) if suffix == ".csv" else to_xlsx(headers, rows, sheet)
        )
    click.echo(f"wrote {out}", err=True)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _metres(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"
