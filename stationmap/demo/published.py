"""The published national figures the demo set is made to match.

Source: the All-China Federation of Trade Unions' count at the end of 2024 (cited in
``data/README.md``): 186,100 stations, of which 12,100 open 24 hours,
11,800 "smart" stations, about 2,400 offering discounted meals, 2,000+ with
battery swapping and 110,000 with a medicine kit. The generator hits each share
exactly (to the nearest station) for any station count.
"""

from __future__ import annotations

PUBLISHED_TOTAL = 186_100
"""Stations nationwide in the figure the shares below come from."""

PUBLISHED_COUNTS: dict[str, int] = {
    "open_24_7": 12_100,
    "smart_kiosk": 11_800,
    "discount_meals": 2_400,
    "battery_swap": 2_000,
    "first_aid": 110_000,
}
"""Stations with each feature in the published figure."""


def published_share(feature: str) -> float:
    """The published national share (0 to 1) of stations with ``feature``."""
    return PUBLISHED_COUNTS[feature] / PUBLISHED_TOTAL
