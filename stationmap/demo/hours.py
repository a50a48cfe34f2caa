"""Opening hours for demo stations, in OpenStreetMap ``opening_hours`` syntax.

Round-the-clock ("24/7") stations are drawn first, to exactly the published national
share, mostly smart kiosks, then petrol stations and shops, more often in cities.
The others get hours typical of their host: restaurants around mealtimes, banks and
government halls office hours with public holidays off, petrol stations and
sanitation points from early morning. A few percent are left unknown (None), as in
real lists.
"""

from __future__ import annotations

import numpy as np

from .profiles import KIND_KEYS
from .published import published_share
from .sampling import pick_exact_share

ROUND_THE_CLOCK = "24/7"
UNKNOWN_SHARE = 0.03
"""Share of the not-round-the-clock stations whose hours are left unknown."""
URBAN_PULL = 1.0
"""Log-odds of being open round the clock gained per unit of urbanness."""

ROUND_THE_CLOCK_LIKELIHOOD: dict[str, float] = {
    "smart_kiosk": 0.90,
    "petrol_station": 0.25,
    "shop": 0.08,
    "sanitation_point": 0.05,
    "enterprise": 0.03,
    "other": 0.03,
    "restaurant": 0.02,
    "community_centre": 0.01,
    "bank": 0.005,
    "government_hall": 0.001,
}
"""How likely each kind is to open round the clock, before the exact national share."""

TYPICAL_HOURS: dict[str, dict[str, float]] = {
    "restaurant": {
        "Mo-Su 10:00-14:00,17:00-21:00": 0.35,
        "Mo-Su 09:00-21:00": 0.25,
        "Mo-Su 07:00-22:00": 0.25,
        "Mo-Sa 10:00-22:00": 0.15,
    },
    "smart_kiosk": {"Mo-Su 06:00-23:00": 0.6, "Mo-Su 07:00-22:00": 0.4},
    "shop": {"Mo-Su 07:00-23:00": 0.45, "Mo-Su 08:00-22:00": 0.40, "Mo-Su 07:30-21:30": 0.15},
    "bank": {
        "Mo-Fr 09:00-17:00; PH off": 0.45,
        "Mo-Fr 08:30-17:30; Sa 09:00-12:00": 0.30,
        "Mo-Fr 09:00-17:00; Sa,Su 10:00-16:00; PH off": 0.25,
    },
    "petrol_station": {"Mo-Su 06:00-22:00": 0.55, "Mo-Su 07:00-23:00": 0.45},
    "community_centre": {
        "Mo-Fr 08:30-17:30; Sa 09:00-12:00": 0.40,
        "Mo-Su 08:00-20:00": 0.30,
        "Mo-Fr 08:30-12:00,14:00-17:30; PH off": 0.30,
    },
    "government_hall": {
        "Mo-Fr 09:00-17:00; PH off": 0.55,
        "Mo-Fr 08:30-12:00,14:00-17:30; PH off": 0.45,
    },
    "enterprise": {"Mo-Fr 08:00-18:00": 0.55, "Mo-Sa 08:00-18:00": 0.45},
    "sanitation_point": {"Mo-Su 05:00-21:00": 0.55, "Mo-Su 06:00-20:00": 0.45},
    "other": {"Mo-Su 08:00-20:00": 0.6, "Mo-Su 07:00-22:00": 0.4},
}
"""For each kind, its usual opening hours and how often each occurs."""


def choose_opening_hours(
    kinds: np.ndarray, urbanness: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Opening hours per station (object array of str, None where unknown)."""
    always = _round_the_clock(kinds, urbanness, rng)
    hours = np.full(len(kinds), ROUND_THE_CLOCK, dtype=object)
    for index, kind in enumerate(KIND_KEYS):
        rows = np.flatnonzero(~always & (kinds == index))
        options = TYPICAL_HOURS[kind]
        weights = np.array(list(options.values()))
        picks = rng.choice(len(options), size=len(rows), p=weights / weights.sum())
        hours[rows] = np.array(list(options), dtype=object)[picks]
    hours[~always & (rng.random(len(kinds)) < UNKNOWN_SHARE)] = None
    return hours


def _round_the_clock(
    kinds: np.ndarray, urbanness: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Which stations open 24/7: exactly the published share, by kind and urbanness."""
    likelihood = np.array([ROUND_THE_CLOCK_LIKELIHOOD[kind] for kind in KIND_KEYS])
    log_odds = np.log(likelihood / (1.0 - likelihood))[kinds] + URBAN_PULL * urbanness
    return pick_exact_share(log_odds, published_share("open_24_7"), rng)
