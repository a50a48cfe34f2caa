"""The store a command group works on: opened from the settings, closed when the command
ends, and either migrated first or required to be at the newest schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .errors import StationmapError

if TYPE_CHECKING:
    from .config import Settings
    from .store import Store


def opened_store(settings: Settings, *, migrate: bool = False) -> Store:
    """The configured store, closed when the command ends. With ``migrate`` it is brought
    to the newest schema first (the command may be the first thing done to a database);
    without, an old or missing schema is refused, saying which command sets it up."""
    from .store import open_store  # here, not at the top: `stationmap --help` stays quick

    store = open_store(settings)
    click.get_current_context().call_on_close(store.close)
    if migrate:
        store.init_schema()
    elif not store.schema_is_current():
        raise StationmapError(
            "the database schema is missing or old: run `stationmap init-db`",
            code="schema_outdated",
        )
    return store
