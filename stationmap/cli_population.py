"""``stationmap population``: load real county figures in place of the modelled ones.

``load FILE`` is all or nothing: a file with any bad row writes nothing, lists every bad
row by the number Excel shows, and exits with status 2, as the ``stationmap`` group
does for its other refusals. ``show`` lists what is loaded; ``clear`` goes back to the
modelled figures.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_store import opened_store

if TYPE_CHECKING:
    from .config import Settings
    from .coverage.population_load import CountyFigure, LoadedCounty, PopulationLoad

FIGURES_HEADER = f"{'adcode':<8}{'modelled':>12}{'loaded':>12}{'change':>9}  county"
"""The figures' columns (the county's name last: Chinese characters would skew widths)."""


@click.group("population")
def population_group() -> None:
    """Real county population figures in place of the MODELLED ones: load, show, clear."""


@population_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.pass_obj
def load_command(settings: Settings, path: Path, dry_run: bool) -> None:
    """Load county figures from PATH (xlsx, xls, ods, csv, txt): an adcode column
    (区划代码, adcode) and a population column (常住人口, 人口, population), or just
    those two columns. All or nothing: any bad row and nothing is written."""
    from .coverage.population_load import load_population

    report = load_population(opened_store(settings, migrate=True), path, dry_run=dry_run)
    click.echo(report.summary())
    if report.problems:
        _echo_problems(report)
        sys.exit(2)
    _echo_columns(report)
    click.echo(FIGURES_HEADER)
    for figure in report.figures:
        click.echo(_figure_line(figure))


def _echo_problems(report: PopulationLoad) -> None:
    for problem in report.problems:
        click.echo(
            f"  row {problem.row} {problem.column} {problem.value!r}: "
            f"{problem.message} / {problem.message_en}",
            err=True,
        )


def _echo_columns(report: PopulationLoad) -> None:
    adcode, people = report.columns
    if adcode:
        unit = " (in 万: ×10,000)" if report.unit != 1 else ""
        click.echo(f"columns read: {adcode!r} as the adcode, {people!r} as the population{unit}")
    else:
        click.echo("columns read: the first as the adcode, the second as the population")


def _figure_line(figure: CountyFigure) -> str:
    was = f"  (replaces {figure.previous:,} loaded earlier)" if figure.previous is not None else ""
    return (
        f"{figure.adcode:<8}{_number(figure.modelled):>12}{figure.loaded:>12,}"
        f"{_percent(figure.change_pct):>9}  {figure.name}{was}"
    )


@population_group.command("show")
@click.pass_obj
def show_command(settings: Settings) -> None:
    """The loaded figures: county, modelled, loaded, change, file, when and by whom."""
    from .coverage.population_load import loaded_counties

    counties = loaded_counties(opened_store(settings))
    if not counties:
        click.echo(
            "no county figures loaded: every county uses the MODELLED population; "
            "`stationmap population load FILE` loads real ones",
            err=True,
        )
        return
    click.echo(f"{len(counties)} county figure(s) loaded; the other counties use the modelled")
    click.echo(f"{FIGURES_HEADER}  (file, when, by)")
    for county in counties:
        click.echo(_loaded_line(county))


def _loaded_line(county: LoadedCounty) -> str:
    figure = county.figure
    when = figure.loaded_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{figure.adcode:<8}{_number(county.modelled):>12}{figure.population:>12,}"
        f"{_percent(county.change_pct):>9}  {county.name}  ({figure.source}, {when}, "
        f"{figure.loaded_by})"
    )


@population_group.command("clear")
@click.argument("adcodes", nargs=-1, metavar="[ADCODE]...")
@click.pass_obj
def clear_command(settings: Settings, adcodes: tuple[str, ...]) -> None:
    """Put the counties ADCODE... (none given: every county) back on the modelled figures."""
    from .coverage.population_load import clear_population

    cleared = clear_population(opened_store(settings), adcodes)
    click.echo(f"cleared {len(cleared.cleared)} county figure(s): back on the modelled population")
    for adcode in cleared.not_loaded:
        click.echo(f"  {adcode} had no loaded figure", err=True)


def _number(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}%"
