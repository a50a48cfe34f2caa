"""What an import will write: the plan that planning builds and applying writes as it is."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
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


def plan_digest(plan: ImportPlan) -> str:
    """SHA-256 (hex) of exactly what applying ``plan`` writes: every added, updated and
    closed station's values and the unions it creates.

    Left out: who writes (the actor), and the ids drawn at random while planning (a new
    union's public id is named by its jurisdiction instead), so planning the same file
    against the same stored stations gives the same digest, and any change of a station
    the file touches gives another.
    """
    drawn = {u["public_id"]: f"new union {u['jurisdiction']}" for u in plan.new_unions}
    written = {
        "source": [plan.source_name, plan.source_format, plan.crs],
        "new_unions": sorted([u["name"], u["jurisdiction"]] for u in plan.new_unions),
        "additions": _records(plan.additions, drawn),
        "updates": _records(plan.updates, drawn),
        "changed": plan.changed,
        "closures": sorted((asdict(c) for c in plan.closures), key=lambda c: c["station_id"]),
        "counts": plan.counts,
    }
    text = json.dumps(written, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _records(frame: pd.DataFrame, drawn: dict[str, str]) -> list[dict[Any, Any]]:
    """The frame's rows as dictionaries, a drawn union id replaced by what it names."""
    records = frame.to_dict("records")
    for record in records:
        if "union_id" in record:
            record["union_id"] = drawn.get(record["union_id"], record["union_id"])
    return records


def _plain(value: Any) -> Any:
    """A value JSON cannot write as it is (numpy numbers, dates), as one it can."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"an import plan holds {value!r} ({type(value).__name__}), not a value")
