"""How far a worker will go to a station: a radius, or riding minutes turned into one.

No road network is available offline, so riding minutes are an approximation: the
distance ridden in that time at the stated speed, divided by a detour factor (how much
longer the way by road is than the straight geodesic), as a radius. Answers carry the
label so nobody mistakes it for a network catchment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import BadRequest

DEFAULT_RADIUS_M = 1000.0
MIN_RADIUS_M = 100.0
MAX_RADIUS_M = 50_000.0
DEFAULT_SPEED_KMH = 15.0
"""An e-bike in town traffic."""
DEFAULT_DETOUR = 1.3
"""Road distance over straight distance, a common figure for dense street grids."""


@dataclass(frozen=True)
class Catchment:
    """A catchment radius in geodesic metres, and how it was chosen."""

    radius_m: float = DEFAULT_RADIUS_M
    minutes: float | None = None
    speed_kmh: float | None = None
    detour: float | None = None

    @classmethod
    def by_radius(cls, radius_m: float) -> Catchment:
        """A plain radius; a 400 naming ``radius_m`` outside 100 m .. 50 km."""
        return cls(_checked_radius("radius_m", radius_m))

    @classmethod
    def by_riding(
        cls,
        minutes: float,
        speed_kmh: float = DEFAULT_SPEED_KMH,
        detour: float = DEFAULT_DETOUR,
    ) -> Catchment:
        """The radius reached in ``minutes`` at ``speed_kmh`` with roads ``detour`` times
        longer than the straight line."""
        _check_range("ride_minutes", minutes, 0.5, 120)
        _check_range("speed_kmh", speed_kmh, 3, 40)
        _check_range("detour", detour, 1.0, 3.0)
        radius = minutes / 60 * speed_kmh * 1000 / detour
        return cls(_checked_radius("ride_minutes", radius), minutes, speed_kmh, detour)

    def describe(self) -> dict[str, Any]:
        """The catchment as an answer states it."""
        if self.minutes is None:
            return {"radius_m": self.radius_m, "method": "geodesic radius"}
        return {
            "radius_m": round(self.radius_m, 1),
            "method": "riding time, approximated",
            "ride_minutes": self.minutes,
            "speed_kmh": self.speed_kmh,
            "detour": self.detour,
            "note": "骑行时间按直线距离乘以绕行系数估算（无路网），仅为近似 / "
            "riding time approximated from straight distance times a detour factor "
            "(no road network offline)",
        }


def _checked_radius(parameter: str, radius_m: float) -> float:
    if not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:
        raise BadRequest(
            f"{parameter}: gives a catchment of {radius_m:,.0f} m, expected "
            f"{MIN_RADIUS_M:,.0f} to {MAX_RADIUS_M:,.0f} m",
            code="invalid_parameter",
            parameter=parameter,
        )
    return float(radius_m)


def _check_range(parameter: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise BadRequest(
            f"{parameter}: got {value:g}, expected {low:g} to {high:g}",
            code="invalid_parameter",
            parameter=parameter,
        )
