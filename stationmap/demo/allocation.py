"""How many demo stations each county gets: a floor for all, the rest by population.

Every county first receives ``floor`` stations so that no county is empty on the
map; what is left is shared in proportion to modelled population with
largest-remainder rounding, so the counts always sum to exactly the requested total.
When the total is too small for the floor (fewer than ``floor`` x counties), the
floor drops to the largest value that fits, ``total // counties``: with 5,000
stations over 2,852 counties every county still gets one, and with fewer stations
than counties the floor is 0 and stations go to the most populous counties.
"""

from __future__ import annotations

import numpy as np

DEFAULT_FLOOR = 3
"""Stations every county receives before the population-weighted share."""


def allocate_stations(
    populations: np.ndarray, total: int, floor: int = DEFAULT_FLOOR
) -> np.ndarray:
    """Stations per county (int64, same order as ``populations``), summing to ``total``."""
    if total < 0:
        raise ValueError(f"station count must be zero or more, got {total}")
    counties = len(populations)
    if counties == 0:
        raise ValueError("cannot allocate stations: the county layer is empty")
    floor = floor_that_fits(total, counties, floor)
    spare = total - floor * counties
    return floor + _largest_remainder(_population_weights(populations), spare)


def floor_that_fits(total: int, counties: int, floor: int = DEFAULT_FLOOR) -> int:
    """The per-county floor actually used: ``floor``, or less when ``total`` is too small."""
    return min(floor, total // counties)


def _population_weights(populations: np.ndarray) -> np.ndarray:
    """Shares of the population, equal shares when no county has any population."""
    weights = np.clip(np.asarray(populations, dtype=np.float64), 0.0, None)
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    return weights / weights.sum()


def _largest_remainder(shares: np.ndarray, seats: int) -> np.ndarray:
    """Whole numbers proportional to ``shares`` that sum to exactly ``seats``.

    Ties between equal remainders go to the earlier county, so the result depends
    only on the inputs.
    """
    quotas = shares * seats
    whole = np.floor(quotas).astype(np.int64)
    left = seats - int(whole.sum())
    by_remainder = np.lexsort((np.arange(len(quotas)), -(quotas - whole)))
    if left >= 0:
        whole[by_remainder[:left]] += 1
    else:  # float rounding overshot by a seat: take it from the smallest remainder
        whole[by_remainder[left:]] -= 1
    return whole
