"""County population figures loaded from official sources, replacing the modelled ones.

The shipped population is MODELLED (``data/population``); an operator who has real county
figures loads them (``stationmap population load``), one row per county. Coverage reads
:func:`loaded` to rescale its cells, and :func:`version` to know, cheaply, when to do it
again. Each function takes a connection, so a use case writes all of a file's figures in
one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select

from .audit import Actor, Writer
from .schema import county_population, now

DELETE_CHUNK = 500
"""Adcodes per ``IN (...)`` list: well inside every backend's limit on bound parameters."""


@dataclass(frozen=True)
class LoadedFigure:
    """One county's loaded figure, as stored."""

    adcode: str
    population: int
    source: str
    """The name of the file it came from."""
    loaded_at: datetime
    loaded_by: str


def replace(conn: Connection, figures: Mapping[str, int], source: str, actor: Actor) -> None:
    """Store ``figures`` (adcode → people), replacing any earlier figure of those counties;
    the other counties' figures stay. The caller has checked the adcodes and numbers."""
    if not figures:
        return
    _delete(conn, list(figures))
    stamp, by = now(), _actor_name(actor)
    rows = [
        {"adcode": a, "population": int(n), "source": source, "loaded_at": stamp, "loaded_by": by}
        for a, n in figures.items()
    ]
    conn.execute(insert(county_population), rows)


def loaded(conn: Connection) -> dict[str, int]:
    """Every loaded figure: adcode → people (the counties missing keep the modelled one)."""
    query = select(county_population.c.adcode, county_population.c.population)
    return {adcode: int(people) for adcode, people in conn.execute(query)}


def listing(conn: Connection) -> list[LoadedFigure]:
    """Every loaded figure with where it came from, by adcode."""
    query = select(county_population).order_by(county_population.c.adcode)
    return [LoadedFigure(**row._mapping) for row in conn.execute(query)]


def version(conn: Connection) -> str:
    """A short text that changes whenever the loaded figures do (one aggregate query):
    coverage keeps its rescaled cells while it stays the same.

    Equal versions mean equal figures. Each load stamps its rows with one time, later than
    any stamp before it; rows are never restamped except by being replaced. So the rows
    under a given newest stamp are the rows there were when that stamp was newest, less
    those cleared since, and the count tells whether any were. (The sum of the figures
    guards the one gap: a load that stamped its rows before another but committed after.)
    """
    c = county_population.c
    query = select(func.count(), func.max(c.loaded_at), func.coalesce(func.sum(c.population), 0))
    count, newest, people = conn.execute(query).one()
    stamp = newest.isoformat() if newest is not None else "-"
    return f"{count}:{int(people)}:{stamp}"


def clear(conn: Connection, adcodes: Iterable[str] | None = None) -> int:
    """Remove the loaded figures of ``adcodes`` (None: all), putting those counties back on
    the modelled figures; returns how many were removed."""
    if adcodes is None:
        return conn.execute(delete(county_population)).rowcount
    return _delete(conn, list(adcodes))


def _delete(conn: Connection, adcodes: list[str]) -> int:
    removed = 0
    for start in range(0, len(adcodes), DELETE_CHUNK):
        chunk = adcodes[start : start + DELETE_CHUNK]
        query = delete(county_population).where(county_population.c.adcode.in_(chunk))
        removed += conn.execute(query).rowcount
    return removed


def _actor_name(actor: Actor) -> str:
    """Who loaded: a user with their union (``clerk (玄武区总工会)``), or a command's name."""
    return f"{actor.name} ({actor.union})" if isinstance(actor, Writer) else str(actor)
