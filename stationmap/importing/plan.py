"""What an import will write: the plan that planning builds and applying writes as it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..store import Actor


@dataclass
class Closure:
    """A stored station the list no longer has, to be closed."""

    station_id: str
    version: int
    """The version read when planning: if it changed since, nothing is written."""
    status: str
    """Its status when planning (what the audit entry records as before)."""


@dataclass
class ImportPlan:
    """What an import will write. Planning reads the store and writes nothing."""

    source_name: str
    source_format: str
    crs: str
    actor: Actor
    additions: pd.DataFrame
    """New stations: :class:`StationDraft` columns plus ``union_id`` (public id)."""
    updates: pd.DataFrame
    """Whole new records of changed stations, with ``public_id`` and ``version``."""
    changed: list[dict[str, tuple[Any, Any]]] = field(default_factory=list)
    """Per update row: field → (before, after), for the audit trail."""
    closures: list[Closure] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    matched_ids: list[str] = field(default_factory=list)
    """Stored stations the file listed (changed or not); the rest may be closed."""
    new_unions: list[dict[str, str]] = field(default_factory=list)
    """County unions to create with the stations (``public_id``, ``name``, ``jurisdiction``);
    their ids are drawn when planning so that additions can name them."""
