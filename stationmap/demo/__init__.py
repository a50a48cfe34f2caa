"""The synthetic national demo set: about 173,000 stations that look like the real network.

No public copy of the national station list exists, so the bundled set is made up,
and must be labelled so wherever it is shown (``DEMO_SOURCE_NOTE``). It is built
from real layers (county boundaries, modelled population, GeoNames places) so that
its geography, mix of hosts and amenities, and the published national shares
(24-hour opening, smart kiosks, first aid, discounted meals, battery swapping)
look like the real network's. The same seed always gives the same frame.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from ..identifiers import seeded_public_ids
from ..vocabulary import SYNTHETIC_DATA_NOTICE
from .allocation import allocate_stations
from .amenities import amenity_tuples, choose_amenities
from .hours import choose_opening_hours
from .inputs import load_counties
from .naming import address_stations, draw_roads, name_stations, phone_numbers
from .placement import Sites, place_stations
from .profiles import choose_kinds, choose_statuses, draw_quality, kind_keys

__all__ = ["DEMO_COLUMNS", "DEMO_SOURCE_NOTE", "generate_demo_stations"]

log = logging.getLogger(__name__)

DEMO_SOURCE_NOTE = SYNTHETIC_DATA_NOTICE
"""The label the UI and API show wherever demo stations appear."""

DEMO_COLUMNS = (
    "public_id", "name", "kind", "address", "province", "city", "county", "adcode",
    "lon", "lat", "amenities", "opening_hours", "phone", "status", "source_key",
)  # fmt: skip
"""Columns of the demo frame, in order."""

_STEPS = ("ids", "placement", "kinds", "quality", "amenities", "hours", "status", "naming")
"""One independent random stream per step, so changing one step leaves the others alone."""


def generate_demo_stations(count: int = 173_000, seed: int = 1) -> pd.DataFrame:
    """Exactly ``count`` synthetic stations, identical for the same ``seed``.

    Stations are shared among counties by modelled population (at least three each
    when ``count`` allows, see ``allocation``), placed inside their county near real
    places, given a host kind by how urban the spot is, amenities by kind and upkeep,
    typical opening hours, a status, and a Chinese name, address and masked phone.
    Columns are ``DEMO_COLUMNS``; ``amenities`` holds tuples of vocabulary keys and
    ``opening_hours`` is None where unknown.
    """
    started = time.perf_counter()
    rng = dict(zip(_STEPS, np.random.default_rng(seed).spawn(len(_STEPS)), strict=True))
    sites = place_stations(allocate_stations(load_counties().population, count), rng["placement"])
    kinds = choose_kinds(sites.urbanness, rng["kinds"])
    quality = draw_quality(kinds, sites.urbanness, rng["quality"])
    amenities = choose_amenities(kinds, quality, rng["amenities"])
    hours = choose_opening_hours(kinds, sites.urbanness, rng["hours"])
    roads = draw_roads(count, rng["naming"])
    frame = pd.DataFrame(
        {
            "public_id": seeded_public_ids(count, rng["ids"]),
            "name": name_stations(sites, kinds, roads, rng["naming"]),
            "kind": kind_keys(kinds),
            "address": address_stations(sites, roads, rng["naming"]),
            **_region_columns(sites),
            "lon": sites.lon,
            "lat": sites.lat,
            "amenities": pd.Series(amenity_tuples(amenities), dtype=object),
            "opening_hours": pd.Series(hours, dtype=object),
            "phone": phone_numbers(sites, kinds, rng["naming"]),
            "status": choose_statuses(count, rng["status"]),
            "source_key": [f"demo-{seed}-{index}" for index in range(count)],
        }
    )
    log.info(
        "generated %d demo stations (seed %d) in %.1f s", count, seed, time.perf_counter() - started
    )
    return frame[list(DEMO_COLUMNS)]


def _region_columns(sites: Sites) -> dict[str, np.ndarray]:
    """Province, city and county names and the county adcode of each site."""
    counties = load_counties()
    return {
        "province": counties.province[sites.county_row],
        "city": counties.city[sites.county_row],
        "county": counties.name[sites.county_row],
        "adcode": counties.adcode[sites.county_row],
    }
