"""A new station from a clerk: in the county of its point, owned by that county's union."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ..accounts import Principal
from ..errors import BadRequest
from ..regions import RegionIndex
from ..store import Store, receipts, stations, unions
from ..store.validation import one_station
from ..types import Station, StationDraft
from .access import audit_writer, within_jurisdiction, writer
from .bodies import new_station_fields


def create_station(
    store: Store, principal: Principal | None, body: Mapping[str, Any], idempotency_key: str | None
) -> tuple[Station, bool]:
    """Store the station ``body`` describes; returns it and whether it was created now.

    A repeat of ``idempotency_key`` by the same user returns the station the first request
    created (``False``) and writes nothing; of two racing requests with one key, the
    receipts' unique constraint lets one commit. The station's union is its county's
    (created in the same transaction if the county has none yet).
    """
    principal = writer(principal)
    key = _checked_key(idempotency_key)
    fields = new_station_fields(body, store.regions)
    adcode = county_at(store.regions, fields["lon"], fields["lat"])
    within_jurisdiction(principal, adcode, store.regions)
    try:
        with store.transaction() as conn:
            station_id, created = _write(conn, store.regions, principal, fields, adcode, key)
    except IntegrityError:
        first = _first_created(store, principal, key)
        if first is None:
            raise
        station_id, created = first, False
    return store.get_station(station_id), created


def county_at(regions: RegionIndex, lon: float, lat: float) -> str:
    """The adcode of the county holding the WGS-84 point (checked by ``wgs84_point``)."""
    return str(regions.locate(np.array([lon]), np.array([lat]))[0])


def _write(
    conn: Connection,
    regions: RegionIndex,
    principal: Principal,
    fields: dict[str, Any],
    adcode: str,
    key: str | None,
) -> tuple[str, bool]:
    """On ``conn``: the first station of ``key`` if there is one, else a new one."""
    if key is not None and (first := receipts.created_by(conn, principal.user_id, key)):
        return first, False
    draft = StationDraft(
        **fields, adcode=adcode, union_id=_county_union(conn, regions, principal, adcode)
    )
    with one_station():
        values = stations.clean_new(
            conn, pd.DataFrame([dataclasses.asdict(draft)], dtype=object), regions
        )
    [station_id] = stations.add(conn, values, audit_writer(principal))
    if key is not None:
        receipts.keep(conn, principal.user_id, key, station_id)
    return station_id, True


def _county_union(conn: Connection, regions: RegionIndex, principal: Principal, adcode: str) -> str:
    """The public id of the county's union, created (and audited) when it has none yet."""
    found = unions.of_jurisdiction(conn, adcode)
    if found is not None:
        return found.id
    name = unions.county_union_name(regions, adcode)
    [created] = unions.add(conn, [{"name": name, "jurisdiction": adcode}], audit_writer(principal))
    return created.id


def _first_created(store: Store, principal: Principal, key: str | None) -> str | None:
    """After a clash on the receipts' key: the station the request that won created."""
    if key is None:
        return None
    with store.reading() as conn:
        return receipts.created_by(conn, principal.user_id, key)


def _checked_key(key: str | None) -> str | None:
    """The idempotency key, if given: 1 to 64 printable ASCII characters."""
    if key is None:
        return None
    if not (0 < len(key) <= receipts.MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
        raise BadRequest(
            f"Idempotency-Key: got {key[:80]!r}, expected 1 to {receipts.MAX_KEY_LENGTH} "
            "printable ASCII characters such as a UUID",
            code="invalid_parameter",
            parameter="Idempotency-Key",
        )
    return key
