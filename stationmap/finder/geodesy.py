"""Distances on the WGS-84 ellipsoid, and the 3-D positions the spatial index searches.

Stations are indexed by their Earth-centred (ECEF) position on the ellipsoid, in
metres. The straight-line (chord) distance between two such points never exceeds the
geodesic distance along the surface, so the chord is a lower bound the finder uses to
prove its answers exact; the geodesic itself comes from PROJ (``pyproj.Geod``,
Karney's algorithm). Ordering by degrees, as a plain ``geom <-> point`` does, is
not used anywhere: a degree of longitude shrinks with latitude.
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import Geod

WGS84_A = 6_378_137.0
WGS84_E2 = 6.694379990141317e-3
GEOD = Geod(ellps="WGS84")
MIN_RADIUS_M = WGS84_A * (1.0 - WGS84_E2)
"""The smallest radius of curvature of the ellipsoid (meridian at the equator)."""
MAX_CHORD_FOR_BOUND = 1_000_000.0
"""Past this chord (1,000 km) the finder always settles order with PROJ's geodesic."""


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


def arc_from_chord_m(chord: float, radius: float) -> float:
    """The arc over a chord on a sphere of ``radius``: the geodesic to about 1e-6 nearby.

    Within a few hundred kilometres the ellipsoid's geodesic differs from this by
    well under a millimetre per kilometre, far inside the 0.5% the API promises.
    """
    return 2.0 * radius * math.asin(min(1.0, chord / (2.0 * radius)))


def chord_order_is_exact(shorter: float, longer: float) -> bool:
    """Whether a station at chord ``shorter`` is surely nearer (by geodesic) than one at ``longer``.

    A geodesic of chord c is at least c and at most about c * (1 + c^2 / (24 r^2)), r the
    smallest radius of curvature (6,335 km). With twice that margin the chord order
    is the geodesic order; closer calls are settled with PROJ's geodesic.
    """
    if shorter > MAX_CHORD_FOR_BOUND:
        return False
    return shorter * (1.0 + shorter * shorter / (12.0 * MIN_RADIUS_M**2)) < longer


def geodesic_m(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Geodesic distances in metres from one point to many, on the WGS-84 ellipsoid."""
    count = len(lons)
    _, _, dist = GEOD.inv(np.full(count, lon), np.full(count, lat), lons, lats)
    return np.asarray(dist, dtype=float)
