"""Distances on the WGS-84 ellipsoid, and the 3-D positions the spatial index searches.

Stations are indexed by their Earth-centred (ECEF) position on the ellipsoid, in
metres. The straight-line (chord) distance between two such points never exceeds the
geodesic distance along the surface, so the chord is a lower bound the finder uses to
prove its answers exact; the geodesic itself comes from PROJ (``pyproj.Geod``,
Karney's algorithm). Far from the point the chord falls well short of the geodesic
(by 19% at 13,000 km), so :func:`chord_reach` gives a tighter bound there, from the
angle at the Earth's centre. Ordering by degrees, as a plain ``geom <-> point`` does, is
not used anywhere: a degree of longitude shrinks with latitude.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from pyproj import Geod

WGS84_A = 6_378_137.0
WGS84_E2 = 6.694379990141317e-3
GEOD = Geod(ellps="WGS84")
MIN_RADIUS_M = WGS84_A * (1.0 - WGS84_E2)
"""The smallest radius of curvature of the ellipsoid (meridian at the equator)."""
POLAR_RADIUS_M = WGS84_A * math.sqrt(1.0 - WGS84_E2)
"""The semi-minor axis: no point of the ellipsoid is nearer the Earth's centre."""


class _Tally(threading.local):
    """Geodesics computed so far by this thread (see :func:`geodesics_computed`)."""

    count = 0


_TALLY = _Tally()


def ecef(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """(n, 3) Earth-centred positions in metres of points on the ellipsoid surface."""
    lam, phi = np.radians(lon), np.radians(lat)
    sin_phi, cos_phi = np.sin(phi), np.cos(phi)
    n = WGS84_A / np.sqrt(1.0 - WGS84_E2 * sin_phi * sin_phi)
    return np.column_stack(
        (n * cos_phi * np.cos(lam), n * cos_phi * np.sin(lam), n * (1.0 - WGS84_E2) * sin_phi)
    )


def ecef_point(lon: float, lat: float) -> tuple[float, float, float]:
    """:func:`ecef` for one point, without numpy's per-call overhead."""
    lam, phi = math.radians(lon), math.radians(lat)
    sin_phi, cos_phi = math.sin(phi), math.cos(phi)
    n = WGS84_A / math.sqrt(1.0 - WGS84_E2 * sin_phi * sin_phi)
    return (
        n * cos_phi * math.cos(lam),
        n * cos_phi * math.sin(lam),
        n * (1.0 - WGS84_E2) * sin_phi,
    )


def mean_radius_m(lat: float) -> float:
    """The Gaussian mean radius of curvature of the ellipsoid at ``lat``, in metres."""
    sin_phi = math.sin(math.radians(lat))
    w2 = 1.0 - WGS84_E2 * sin_phi * sin_phi
    return WGS84_A * math.sqrt(1.0 - WGS84_E2) / w2


def chords_apart(chords: list[float], count: int) -> bool:
    """Whether the first ``count`` chords (ascending) and the next are surely in geodesic order.

    A geodesic of chord c is at least c and at most about c * (1 + c^2 / (24 r^2)), r the
    smallest radius of curvature (6,335 km). When each chord exceeds the one before by
    twice that margin, the chord order is the geodesic order; closer calls are settled
    with PROJ's geodesic. The sphere arc over the chord, 2R asin(c / 2R), is then the
    distance to better than 1e-7 within the 50 km this is used for.
    """
    margin = 1.0 / (12.0 * MIN_RADIUS_M * MIN_RADIUS_M)
    shorter = chords[0]
    for longer in chords[1 : count + 1]:
        if shorter * (1.0 + shorter * shorter * margin) >= longer:
            return False
        shorter = longer
    return True


def chord_reach(point_radius: float, metres: float) -> float:
    """The longest chord from a point to any point of the ellipsoid ``metres`` away or nearer.

    ``point_radius`` is the point's distance from the Earth's centre. Any curve on the
    ellipsoid stays at least :data:`POLAR_RADIUS_M` (b) from the centre, so its length is
    at least b times the angle it turns through as seen from the centre: a geodesic of
    ``metres`` spans an angle of at most metres / b. The chord over that angle is longest
    when the other end is nearest or farthest from the centre (b or a), the law of
    cosines being convex in that radius; and no chord is longer than the geodesic. Within
    a few thousand kilometres the plain chord bound (``metres``) is the tighter one; far
    away this one is within about 0.3% of the truth, where the chord bound is 19% off.
    """
    cos_angle = math.cos(min(metres / POLAR_RADIUS_M, math.pi))
    squares = (
        point_radius * point_radius + r * r - 2.0 * point_radius * r * cos_angle
        for r in (POLAR_RADIUS_M, WGS84_A)
    )
    return min(metres, math.sqrt(max(squares)))


def geodesics_computed() -> int:
    """How many geodesics this thread has computed so far (a measure of a query's work)."""
    return _TALLY.count


def geodesic_m(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Geodesic distances in metres from one point to many, on the WGS-84 ellipsoid."""
    count = len(lons)
    _TALLY.count += count
    _, _, dist = GEOD.inv(np.full(count, lon), np.full(count, lat), lons, lats)
    return np.asarray(dist, dtype=float)
