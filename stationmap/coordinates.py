"""China's three coordinate systems, converted as whole numpy arrays.

The same station has different numbers depending on who wrote them down:

- ``"wgs84"`` -- WGS-84, what a phone's GPS reports, what OpenStreetMap uses and what
  stationmap stores.
- ``"gcj02"`` -- GCJ-02, the state-mandated obfuscation of WGS-84 used by Amap (高德),
  Tencent Maps and most Chinese map pickers. It moves a point by roughly 300 to 600 m,
  by an amount that wanders smoothly from place to place.
- ``"bd09"`` -- BD-09, Baidu Maps' own further distortion of GCJ-02 (about 1 km more).

The numbers do not reveal their system, so every caller names it: the finder converts a
query point to WGS-84 and its results back, the importer converts what a county's
spreadsheet declares into WGS-84 for the store.

The forward transforms are the published formulas: WGS-84 to GCJ-02 on the Krasovsky
1940 ellipsoid, GCJ-02 to BD-09 as Baidu publishes it. Neither has an exact closed-form
inverse (the usual one-step inverses are metres off for GCJ-02 and decimetres off for
BD-09), so the inverses solve ``forward(p) = q`` by fixed-point iteration: the shift
changes so slowly from place to place that each step shrinks the error at least
fortyfold, and two to four steps reach well under a millimetre.

GCJ-02 and BD-09 are defined only for mainland China; elsewhere apps and libraries
disagree about whether to shift at all, so a "GCJ-02" point in Seoul or Hanoi is a
mistake in the data, not something to convert. Every conversion to or from them checks
the WGS-84 side against the mainland outline (``stationmap.regions``, with its coastal
margin) and refuses points elsewhere: it raises ``BadRequest`` (code ``outside_china``),
or with ``on_outside="nan"`` returns NaN for just those points, so an importer can reject
rows one by one; ``on_outside="keep"`` leaves just those points as they were (a map's
viewport corner out at sea, a coastline vertex just past the outline).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from .errors import BadRequest
from .regions import load_regions

CRS_NAMES = ("wgs84", "gcj02", "bd09")
"""The coordinate systems stationmap converts between, by the names callers use."""

OnOutside = Literal["raise", "nan", "keep"]
Pair = tuple[np.ndarray, np.ndarray]
Transform = Callable[[np.ndarray, np.ndarray], Pair]
Side = Literal["input", "result", "input_from_gcj02", "result_from_gcj02"]

_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_BD_X_PI = math.pi * 3000.0 / 180.0
_BD_LON_SHIFT = 0.0065
_BD_LAT_SHIFT = 0.006

_TOLERANCE_DEG = 1e-9
"""How close the inverses get (about 0.1 mm), at the least."""
_STEP_SHRINK = 0.05
"""A bound on the factor by which one iteration step multiplies the error (measured: at
most 0.008 for GCJ-02 and 0.024 for BD-09 across China). A step whose image missed the
target by ``m`` leaves an error below ``_STEP_SHRINK * m``, so iteration stops once that
is within the tolerance, without evaluating the formula again only to confirm it."""
_MAX_STEPS = 10

_ROUGH_BOUNDS = (70.0, 0.0, 140.0, 56.0)
"""A lon/lat box around the outline: points beyond it are refused without any arithmetic."""


def to_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str, *, on_outside: OnOutside = "raise") -> Pair:
    """Points given in ``crs`` as WGS-84 ``(lon, lat)`` arrays.

    ``crs`` is one of ``CRS_NAMES``; ``"wgs84"`` returns the input unchanged (as float
    arrays, unchecked). For the other two, points outside mainland China raise
    ``BadRequest`` or, with ``on_outside="nan"``, come back as NaN.
    """
    return _TO_WGS84[_known_crs(crs)](lon, lat, on_outside=on_outside)


def from_wgs84(
    lon: ArrayLike, lat: ArrayLike, crs: str, *, on_outside: OnOutside = "raise"
) -> Pair:
    """WGS-84 points as ``(lon, lat)`` arrays in ``crs``; the reverse of ``to_wgs84``."""
    return _FROM_WGS84[_known_crs(crs)](lon, lat, on_outside=on_outside)


def point_to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """One point in ``crs`` as WGS-84 ``(lon, lat)`` floats; raises where it cannot be."""
    new_lon, new_lat = to_wgs84(lon, lat, crs)
    return float(new_lon), float(new_lat)


def point_from_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """One WGS-84 point as ``(lon, lat)`` floats in ``crs``; raises where it cannot be."""
    new_lon, new_lat = from_wgs84(lon, lat, crs)
    return float(new_lon), float(new_lat)


def outside_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Which WGS-84 points lie outside mainland China; non-finite points count as outside."""
    lon, lat = _as_float_arrays(lon, lat)
    return ~_in_china(_roughly_in_china(lon, lat), lon, lat)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike, *, on_outside: OnOutside = "raise") -> Pair:
    """WGS-84 to GCJ-02 by the published formula; refuses points outside China."""
    return _convert(lon, lat, _gcj02_forward, check="input", on_outside=on_outside)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike, *, on_outside: OnOutside = "raise") -> Pair:
    """GCJ-02 to WGS-84, exact to well under a millimetre; refuses points outside China."""
    return _convert(lon, lat, _gcj02_inverse, check="result", on_outside=on_outside)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike, *, on_outside: OnOutside = "raise") -> Pair:
    """GCJ-02 to BD-09 by Baidu's published formula; refuses points outside China."""
    return _convert(lon, lat, _bd09_forward, check="input_from_gcj02", on_outside=on_outside)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike, *, on_outside: OnOutside = "raise") -> Pair:
    """BD-09 to GCJ-02, exact to well under a millimetre; refuses points outside China."""
    return _convert(lon, lat, _bd09_inverse, check="result_from_gcj02", on_outside=on_outside)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike, *, on_outside: OnOutside = "raise") -> Pair:
    """WGS-84 to BD-09 (through GCJ-02); refuses points outside China."""
    return _convert(lon, lat, _wgs84_to_bd09, check="input", on_outside=on_outside)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike, *, on_outside: OnOutside = "raise") -> Pair:
    """BD-09 to WGS-84 (through GCJ-02), exact to well under a millimetre; refuses as above."""
    return _convert(lon, lat, _bd09_to_wgs84, check="result", on_outside=on_outside)


def _unchanged(lon: ArrayLike, lat: ArrayLike, *, on_outside: OnOutside = "raise") -> Pair:
    """WGS-84 to WGS-84: the input as float arrays, with no outline check."""
    _known_on_outside(on_outside)
    return _as_float_arrays(lon, lat)


_TO_WGS84 = {"wgs84": _unchanged, "gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
_FROM_WGS84 = {"wgs84": _unchanged, "gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


def _convert(
    lon: ArrayLike, lat: ArrayLike, transform: Transform, *, check: Side, on_outside: OnOutside
) -> Pair:
    """Apply ``transform``, then refuse (or blank) the points outside China.

    The outline is WGS-84, so ``check`` says where the WGS-84 point is: the input, the
    result, or (between GCJ-02 and BD-09) the WGS-84 point under the GCJ-02 input or
    result. Checking the true position keeps every conversion path in agreement.
    """
    _known_on_outside(on_outside)
    lon, lat = _as_float_arrays(lon, lat)
    usable = _roughly_in_china(lon, lat)
    given = np.where(usable, lon, np.nan), np.where(usable, lat, np.nan)
    new_lon, new_lat = transform(*given)
    inside = _in_china(usable, *_wgs84_side(check, given, (new_lon, new_lat)))
    if on_outside == "raise":
        _refuse(lon, lat, inside)
    if on_outside == "keep":
        return np.where(inside, new_lon, lon), np.where(inside, new_lat, lat)
    return np.where(inside, new_lon, np.nan), np.where(inside, new_lat, np.nan)


def _wgs84_side(check: Side, given: Pair, result: Pair) -> Pair:
    """The WGS-84 position of the points a conversion maps ``given`` to ``result``."""
    side = given if check.startswith("input") else result
    return _gcj02_inverse(*side) if check.endswith("_from_gcj02") else side


def _as_float_arrays(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """Fresh float arrays of the broadcast shape of ``lon`` and ``lat``."""
    lon, lat = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return lon.copy(), lat.copy()


def _roughly_in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which points are finite and inside a generous box around China (NaN compares False)."""
    west, south, east, north = _ROUGH_BOUNDS
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def _in_china(candidates: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which points are inside the mainland outline, testing only the ``candidates``."""
    inside = np.zeros(lon.shape, dtype=bool)
    if candidates.any():
        inside[candidates] = load_regions().in_china(lon[candidates], lat[candidates])
    return inside


def _refuse(lon: np.ndarray, lat: np.ndarray, inside: np.ndarray) -> None:
    """Raise ``BadRequest`` for the first kind of bad point found: non-finite, then outside."""
    finite = np.isfinite(lon) & np.isfinite(lat)
    if not finite.all():
        where, details = _describe(lon, lat, ~finite, "not a pair of finite numbers")
        raise BadRequest(
            f"{where}; expected longitude and latitude in degrees",
            code="invalid_parameter",
            **details,
        )
    if not inside.all():
        where, details = _describe(lon, lat, ~inside, "outside mainland China")
        raise BadRequest(
            f"{where}; gcj02 and bd09 coordinates exist only there",
            code="outside_china",
            **details,
        )


def _describe(
    lon: np.ndarray, lat: np.ndarray, bad: np.ndarray, problem: str
) -> tuple[str, dict[str, int]]:
    """An error message's opening naming the ``bad`` points (the first of them), and details."""
    flat = np.flatnonzero(bad)
    first = int(flat[0])
    point = f"({_degrees(lon.flat[first])}, {_degrees(lat.flat[first])})"
    details = {"count": len(flat), "first_index": first}
    if len(flat) > 1:
        return (
            f"{len(flat)} of {lon.size} points are {problem}, the first {point} at index {first}",
            details,
        )
    if lon.size > 1:
        return f"point {point} at index {first} is {problem}", details
    return f"point {point} is {problem}", details


def _degrees(value: float) -> str:
    """A coordinate as a user typed it: at most 6 decimals, no trailing zeros."""
    return repr(round(float(value), 6)) if math.isfinite(value) else repr(float(value))


def _known_crs(crs: str) -> str:
    """``crs`` itself if it names a system stationmap knows, else ``BadRequest``."""
    if crs not in CRS_NAMES:
        raise BadRequest(
            f"crs: got {crs!r}, expected one of {', '.join(CRS_NAMES)}",
            code="invalid_parameter",
        )
    return crs


def _known_on_outside(on_outside: str) -> None:
    """Reject an unknown ``on_outside`` (a programming error)."""
    if on_outside not in ("raise", "nan", "keep"):
        raise ValueError(f"on_outside: got {on_outside!r}, expected 'raise', 'nan' or 'keep'")


def _gcj02_forward(lon: np.ndarray, lat: np.ndarray) -> Pair:
    """WGS-84 to GCJ-02 by the published formula, anywhere (no outline check)."""
    east_m, north_m = _gcj02_shift_metres(lon - 105.0, lat - 35.0)
    lon_m_per_deg, lat_m_per_deg = _krasovsky_metres_per_degree(lat)
    return lon + east_m / lon_m_per_deg, lat + north_m / lat_m_per_deg


def _gcj02_shift_metres(x: np.ndarray, y: np.ndarray) -> Pair:
    """GCJ-02's nominal shift east and north, in metres, ``(x, y)`` degrees from 105°E 35°N."""
    root_x = np.sqrt(np.abs(x))
    sin_2pi_x = np.sin(2.0 * np.pi * x)
    fast_x = 20.0 * _sin_triple(sin_2pi_x) + 20.0 * sin_2pi_x
    east = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * root_x
        + (fast_x + _slow_waves(x, (20.0, 40.0, 150.0, 300.0))) * (2.0 / 3.0)
    )  # fmt: skip
    north = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * root_x
        + (fast_x + _slow_waves(y, (20.0, 40.0, 160.0, 320.0))) * (2.0 / 3.0)
    )  # fmt: skip
    return east, north


def _slow_waves(t: np.ndarray, amplitudes: tuple[float, float, float, float]) -> np.ndarray:
    """The formula's sines of period 2, 6, 24 and 60 degrees, weighted by ``amplitudes``."""
    a2, a6, a24, a60 = amplitudes
    sin_third = np.sin(np.pi / 3.0 * t)
    return (
        a2 * _sin_triple(sin_third)
        + a6 * sin_third
        + a24 * np.sin(np.pi / 12.0 * t)
        + a60 * np.sin(np.pi / 30.0 * t)
    )


def _sin_triple(sin_angle: np.ndarray) -> np.ndarray:
    """sin(3a) from sin(a): cheaper than another ``np.sin``, which dominates the run time."""
    return sin_angle * (3.0 - 4.0 * sin_angle * sin_angle)


def _krasovsky_metres_per_degree(lat: np.ndarray) -> Pair:
    """Metres per degree of longitude and of latitude on the Krasovsky 1940 ellipsoid."""
    sin_lat = np.sin(np.radians(lat))
    cos_lat = np.sqrt(1.0 - sin_lat * sin_lat)  # latitudes here are never beyond +-90
    w = 1.0 - _KRASOVSKY_EE * sin_lat * sin_lat
    per_radian_lat = _KRASOVSKY_A * (1.0 - _KRASOVSKY_EE) / (w * np.sqrt(w))
    per_radian_lon = _KRASOVSKY_A * cos_lat / np.sqrt(w)
    return np.radians(per_radian_lon), np.radians(per_radian_lat)


def _gcj02_inverse(lon: np.ndarray, lat: np.ndarray) -> Pair:
    """GCJ-02 to WGS-84 by iterating the forward formula, starting at the point itself."""
    return _solve(_gcj02_forward, lon, lat, (lon, lat))


def _bd09_forward(lon: np.ndarray, lat: np.ndarray) -> Pair:
    """GCJ-02 to BD-09 by Baidu's published formula (no outline check)."""
    radius = np.hypot(lon, lat) + 2e-5 * np.sin(lat * _BD_X_PI)
    angle = np.arctan2(lat, lon) + 3e-6 * np.cos(lon * _BD_X_PI)
    return radius * np.cos(angle) + _BD_LON_SHIFT, radius * np.sin(angle) + _BD_LAT_SHIFT


def _bd09_inverse(lon: np.ndarray, lat: np.ndarray) -> Pair:
    """BD-09 to GCJ-02: Baidu's approximate inverse (up to 20 cm off), refined by iteration."""
    return _solve(_bd09_forward, lon, lat, _bd09_rough_inverse(lon, lat))


def _bd09_rough_inverse(lon: np.ndarray, lat: np.ndarray) -> Pair:
    """Baidu's published BD-09 to GCJ-02 formula, which undoes the forward only roughly."""
    x, y = lon - _BD_LON_SHIFT, lat - _BD_LAT_SHIFT
    radius = np.hypot(x, y) - 2e-5 * np.sin(y * _BD_X_PI)
    angle = np.arctan2(y, x) - 3e-6 * np.cos(x * _BD_X_PI)
    return radius * np.cos(angle), radius * np.sin(angle)


def _wgs84_to_bd09(lon: np.ndarray, lat: np.ndarray) -> Pair:
    """WGS-84 to BD-09 through GCJ-02 (no outline check)."""
    return _bd09_forward(*_gcj02_forward(lon, lat))


def _bd09_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> Pair:
    """BD-09 to WGS-84 through GCJ-02 (no outline check)."""
    return _gcj02_inverse(*_bd09_inverse(lon, lat))


def _solve(forward: Transform, lon: np.ndarray, lat: np.ndarray, guess: Pair) -> Pair:
    """The point ``forward`` maps onto ``(lon, lat)``, by fixed-point iteration from ``guess``.

    Each step moves the guess back by how far its image misses the target; this converges
    because the shifts vary slowly. It stops once the error left is surely within the
    tolerance for every point (NaN points never hold it up: comparisons with NaN are False).
    """
    x, y = guess
    for _ in range(_MAX_STEPS):
        image_x, image_y = forward(x, y)
        miss_x, miss_y = image_x - lon, image_y - lat
        x, y = x - miss_x, y - miss_y
        if not (np.hypot(miss_x, miss_y) * _STEP_SHRINK > _TOLERANCE_DEG).any():
            break
    return x, y
