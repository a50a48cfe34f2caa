"""Nearest stations answered by the database on every request, without the memory index.

Used when ``STATIONMAP_FINDER=database`` (and as the benchmark's per-request peer).
PostGIS orders candidates with its geography KNN operator (sphere distances, from
the geography index); SpatiaLite with the ellipsoidal distance itself. Exact
metres come from the database's spheroid distance, and the answer is accepted
only when no station beyond the candidates could still be nearer: a station left out
has an ordering key at least the last candidate's, so its spheroid distance is at
least that key divided by :data:`KEY_OVER_SPHEROID_MAX`. A point outside the area
served is refused before any SQL runs (:mod:`.service_area`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row

from ..hours import CLOSED, OPEN, STATE_NAMES, hours_state
from ..store import Store
from ..store.backend import geodesic_distance, nearest_first
from ..store.records import station_from_row, station_select
from ..store.schema import stations
from ..types import FoundStation
from .filters import StaticFilter, StationFilter
from .service_area import check_served

KEY_OVER_SPHEROID_MAX = 1.006
"""The ordering key is at most this many times the spheroid (WGS-84) distance.

PostGIS's key is the distance on a sphere of the mean radius (6,371,008.8 m) over the
same latitudes and longitudes: up to 1.0056 times the spheroid's for short
north-south steps at the equator, where the meridian's radius of curvature is
smallest (6,335,439 m), and down to 0.9955 near the poles. SpatiaLite's key is the
spheroid distance itself (ratio 1)."""


def nearest_by_sql(
    store: Store,
    lon: float,
    lat: float,
    k: int = 5,
    station_filter: StationFilter | None = None,
    max_distance_m: float | None = None,
) -> list[FoundStation]:
    """The k nearest stations passing the filter, asked of the database, nearest first."""
    check_served(lon, lat)
    station_filter = station_filter or StationFilter()
    moment = station_filter.open_at
    want = k + 1
    while True:
        rows, exhausted = _candidates(store, lon, lat, want, station_filter.static, max_distance_m)
        found = [_found(row, moment) for row in rows]
        kept = sorted(
            (f for f in found if _open_ok(f, station_filter)),
            key=lambda f: (f.distance_m, f.station.id),
        )[:k]
        last_key = rows[-1].order_key if rows else math.inf
        proven = len(kept) == k and _metres(kept[-1]) * KEY_OVER_SPHEROID_MAX <= last_key
        if exhausted or proven:
            return [f for f in kept if max_distance_m is None or _metres(f) <= max_distance_m]
        want *= 4


def _candidates(
    store: Store,
    lon: float,
    lat: float,
    limit: int,
    static: StaticFilter,
    max_distance_m: float | None,
) -> tuple[Sequence[Row[Any]], bool]:
    order_key = nearest_first(stations.c.geom, lon, lat)
    query = (
        station_select()
        .add_columns(
            geodesic_distance(stations.c.geom, lon, lat).label("distance_m"),
            order_key.label("order_key"),
        )
        .where(*_static_conditions(static))
        .order_by(order_key)
        .limit(limit)
    )
    if max_distance_m is not None:
        query = query.where(order_key <= max_distance_m * KEY_OVER_SPHEROID_MAX)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return rows, len(rows) < limit


def _static_conditions(static: StaticFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [stations.c.status.in_(sorted(static.statuses))]
    if static.amenity_mask:
        mask = static.amenity_mask
        conditions.append(stations.c.amenity_mask.op("&")(mask) == mask)
    if static.kinds:
        conditions.append(stations.c.kind.in_(sorted(static.kinds)))
    if static.open_24h:
        conditions.append(stations.c.opening_hours == "24/7")
    return conditions


def _metres(found: FoundStation) -> float:
    """Its distance: :func:`_found` always gives one (only point-less finds have None)."""
    return math.inf if found.distance_m is None else found.distance_m


def _found(row: Row[Any], moment: datetime | None) -> FoundStation:
    """The row as a result: its state now, and at ``moment`` (the one the filter asks about)."""
    station = station_from_row(row)
    now = STATE_NAMES[hours_state(station.opening_hours, datetime.now().astimezone())]
    then = now if moment is None else STATE_NAMES[hours_state(station.opening_hours, moment)]
    return FoundStation(station, float(row.distance_m), now, then)


def _open_ok(found: FoundStation, station_filter: StationFilter) -> bool:
    if station_filter.open_at is None:
        return True
    state = {True: OPEN, False: CLOSED, None: None}[found.open_then]
    return state == OPEN or (station_filter.include_unknown_hours and state is None)
