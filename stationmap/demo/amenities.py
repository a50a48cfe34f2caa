"""Which amenities each demo station offers, by host kind and how well kept it is.

Each kind has a likelihood per amenity (restaurants: discounted meals and a
microwave; petrol stations: e-bike charging, toilets, repair tools; smart kiosks:
drinking and hot water, phone charging, air conditioning; banks: seating, water,
first aid, wifi). A station's quality shifts every likelihood on the log-odds
scale. The amenities with a published national share (first aid, discounted
meals, battery swapping) are drawn to exactly that share, favouring the stations
the model finds most likely; the rest are independent draws. Every station has
at least a seat.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..vocabulary import AMENITIES, amenities_from_mask
from .profiles import KIND_KEYS
from .published import published_share
from .sampling import pick_exact_share

AMENITY_KEYS: tuple[str, ...] = tuple(AMENITIES)
QUALITY_PULL = 2.5
"""Log-odds an amenity gains from the worst-kept (quality 0) to the best-kept station."""
EXACT_SHARE_AMENITIES = ("first_aid", "discount_meals", "battery_swap")
"""Amenities whose national share is fixed by the published figures."""

TYPICAL_LIKELIHOOD: dict[str, float] = {
    "drinking_water": 0.90,
    "hot_water": 0.60,
    "seating": 0.92,
    "phone_charging": 0.75,
    "ebike_charging": 0.15,
    "battery_swap": 0.01,
    "toilet": 0.45,
    "microwave": 0.35,
    "refrigerator": 0.20,
    "air_conditioning": 0.65,
    "first_aid": 0.60,
    "wifi": 0.45,
    "repair_tools": 0.20,
    "rain_gear": 0.30,
    "books": 0.30,
    "discount_meals": 0.005,
}
"""Likelihood of each amenity at a station of no particular kind."""

LIKELIHOOD_BY_KIND: dict[str, dict[str, float]] = {
    "restaurant": {
        "microwave": 0.75,
        "refrigerator": 0.45,
        "hot_water": 0.80,
        "toilet": 0.60,
        "discount_meals": 0.10,
        "first_aid": 0.45,
        "books": 0.15,
    },
    "smart_kiosk": {
        "drinking_water": 0.98,
        "hot_water": 0.92,
        "phone_charging": 0.95,
        "air_conditioning": 0.95,
        "seating": 0.96,
        "microwave": 0.70,
        "refrigerator": 0.35,
        "wifi": 0.70,
        "first_aid": 0.80,
        "battery_swap": 0.05,
        "ebike_charging": 0.30,
        "toilet": 0.10,
    },
    "shop": {
        "microwave": 0.60,
        "phone_charging": 0.80,
        "toilet": 0.25,
        "rain_gear": 0.35,
        "battery_swap": 0.03,
        "first_aid": 0.50,
    },
    "bank": {
        "seating": 0.98,
        "drinking_water": 0.97,
        "first_aid": 0.85,
        "wifi": 0.80,
        "air_conditioning": 0.92,
        "toilet": 0.55,
        "books": 0.50,
        "rain_gear": 0.50,
        "microwave": 0.25,
        "phone_charging": 0.85,
    },
    "petrol_station": {
        "ebike_charging": 0.55,
        "toilet": 0.92,
        "repair_tools": 0.55,
        "battery_swap": 0.06,
        "hot_water": 0.70,
        "air_conditioning": 0.55,
    },
    "community_centre": {
        "discount_meals": 0.02,
        "books": 0.70,
        "seating": 0.95,
        "toilet": 0.75,
        "first_aid": 0.70,
        "microwave": 0.45,
        "wifi": 0.55,
        "rain_gear": 0.40,
        "repair_tools": 0.30,
    },
    "government_hall": {
        "toilet": 0.90,
        "first_aid": 0.75,
        "wifi": 0.70,
        "books": 0.60,
        "air_conditioning": 0.90,
        "seating": 0.95,
    },
    "enterprise": {"toilet": 0.70, "microwave": 0.50, "refrigerator": 0.30, "repair_tools": 0.35},
    "sanitation_point": {
        "toilet": 0.60,
        "hot_water": 0.70,
        "microwave": 0.55,
        "rain_gear": 0.45,
        "first_aid": 0.45,
        "wifi": 0.15,
        "books": 0.10,
        "air_conditioning": 0.50,
        "repair_tools": 0.30,
    },
}
"""Where a kind differs from ``TYPICAL_LIKELIHOOD``."""


def choose_amenities(
    kinds: np.ndarray, quality: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A boolean matrix (stations x amenities, vocabulary order) of what each offers."""
    log_odds = _log_odds_table()[kinds] + QUALITY_PULL * (quality[:, None] - 0.5)
    offered = rng.random(log_odds.shape) < 1.0 / (1.0 + np.exp(-log_odds))
    for key in EXACT_SHARE_AMENITIES:
        column = AMENITY_KEYS.index(key)
        offered[:, column] = pick_exact_share(log_odds[:, column], published_share(key), rng)
    offered[~offered.any(axis=1), AMENITY_KEYS.index("seating")] = True
    return offered


def amenity_tuples(offered: np.ndarray) -> list[tuple[str, ...]]:
    """Each row of an amenity matrix as a tuple of keys, in vocabulary order."""
    masks = offered.astype(np.int64) @ (1 << np.arange(len(AMENITY_KEYS), dtype=np.int64))
    by_mask = {int(mask): amenities_from_mask(int(mask)) for mask in np.unique(masks)}
    return [by_mask[mask] for mask in masks.tolist()]


@cache
def _log_odds_table() -> np.ndarray:
    """Log-odds of each amenity (columns) for each kind (rows), read-only."""
    table = np.array(
        [
            [
                LIKELIHOOD_BY_KIND.get(kind, {}).get(key, TYPICAL_LIKELIHOOD[key])
                for key in AMENITY_KEYS
            ]
            for kind in KIND_KEYS
        ]
    )
    log_odds = np.log(table / (1.0 - table))
    log_odds.flags.writeable = False
    return log_odds
