"""Create or upgrade the store's schema with Alembic, on either backend."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from .backend import migrating

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration this code knows."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {_MIGRATIONS}: reinstall stationmap")
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_schema(engine: Engine, revision: str = "head") -> str:
    """Bring the schema to ``revision`` (default: the newest) and return where it is."""
    before = current_revision(engine)
    config = _alembic_config()
    with migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    after = current_revision(engine)
    if before != after:
        log.info("schema upgraded from %s to %s", before or "empty", after)
    return after or ""


def downgrade_schema(engine: Engine, revision: str) -> None:
    """Step the schema back to ``revision`` ("base" removes every table)."""
    config = _alembic_config()
    with migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
