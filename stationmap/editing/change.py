"""A clerk's change to one station: its fields, a move, closing, pausing or reopening it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection

from ..accounts import Principal
from ..errors import Conflict, NotFound, VersionMismatch, VersionRequired
from ..hours import now_in_china
from ..regions import RegionIndex
from ..store import Store, stations
from ..store.validation import check_status_change
from ..types import Station
from .access import audit_writer, within_jurisdiction, writer
from .bodies import changed_fields
from .create import county_at


def change_station(
    store: Store,
    principal: Principal | None,
    station_id: str,
    version: int | None,
    changes: Mapping[str, Any],
) -> Station:
    """Apply ``changes`` to the station at ``version`` and return it as stored now.

    ``version`` is the one the writer read (the API's ``If-Match``): None is
    :class:`VersionRequired`, another than the stored one :class:`VersionMismatch`, and of
    two writers changing one version only the first commits (the store's version-guarded
    UPDATE decides; the other gets :class:`VersionMismatch`). The station's county must be
    in the writer's jurisdiction, and for a move the new point's county too. A station
    becoming active again loses its reason and reopening day. A change that changes
    nothing writes nothing.
    """
    principal = writer(principal)
    if version is None:
        raise VersionRequired(
            "请注明所编辑的版本 / a change must name the version it edits: send the "
            'station\'s ETag as If-Match (e.g. If-Match: "v3")'
        )
    fields = changed_fields(changes, store.regions)
    with store.transaction() as conn:
        current = _current(conn, station_id)
        _check_places(principal, current, fields, store.regions)
        if current.version != version:
            raise _stale(current, version)
        _write(conn, principal, current, _with_status_rules(current, fields), store.regions)
        return _stored(conn, station_id)


def _current(conn: Connection, station_id: str) -> Station:
    """The stored station, read in the writing transaction."""
    current = stations.get(conn, station_id)
    if current is None:
        raise NotFound(f"no station with id {station_id!r}")
    return current


def _check_places(
    principal: Principal, current: Station, fields: dict[str, Any], regions: RegionIndex
) -> None:
    """The station's county, and a move's new county, must both be the writer's."""
    within_jurisdiction(principal, current.adcode, regions)
    if "lon" in fields:
        within_jurisdiction(principal, county_at(regions, fields["lon"], fields["lat"]), regions)


def _with_status_rules(current: Station, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` once the status rules hold: a reason to close, no past reopening day, and
    an active station with neither (both cleared when it becomes active again)."""
    status = fields.get("status", current.status)
    if not isinstance(status, str):
        return fields  # the store boundary names the bad status
    check_status_change(status, fields, current.status, _today())
    if status != current.status and status not in ("closed", "temporarily_closed"):
        return fields | {"status_reason": None, "reopen_on": None}
    return fields


def _write(
    conn: Connection,
    principal: Principal,
    current: Station,
    fields: dict[str, Any],
    regions: RegionIndex,
) -> None:
    """The edit, guarded by the version read; nothing when nothing changes."""
    edit = stations.edit_of(current, fields, regions)
    if edit is None:
        return
    try:
        stations.change(conn, [edit], audit_writer(principal))
    except Conflict:
        raise _stale(current, current.version) from None


def _stored(conn: Connection, station_id: str) -> Station:
    found = stations.get(conn, station_id)
    assert found is not None  # read in the transaction that just wrote it
    return found


def _stale(current: Station, version: int) -> VersionMismatch:
    return VersionMismatch(
        f"驿站已被他人修改，请刷新后重试 / station {current.id}: got version {version}, "
        "expected the stored one, which someone else changed meanwhile: reload it and apply "
        "your change again",
        station_id=current.id,
    )


def _today() -> date:
    """Today in China, where reopening days are meant."""
    return now_in_china().date()
