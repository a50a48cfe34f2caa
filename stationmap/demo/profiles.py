"""What kind of host each demo station has, how well kept it is, and its status.

Kinds follow urbanness: smart kiosks, banks, shops and restaurants lean to city
centres; petrol stations, government halls, sanitation points and community centres
to towns and the countryside; enterprises sit anywhere. Smart kiosks are drawn
first, to exactly the published national share, favouring the most urban spots;
the other kinds share the rest.

Kinds travel through the generator as integer indices into ``KIND_KEYS``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..vocabulary import KINDS
from .published import published_share
from .sampling import pick_exact_share

KIND_KEYS: tuple[str, ...] = tuple(KINDS)
"""Kind keys in vocabulary order; kind index ``i`` means ``KIND_KEYS[i]``."""
SMART_KIOSK = KIND_KEYS.index("smart_kiosk")
KIOSK_URBAN_PULL = 4.0
"""Log-odds a smart kiosk gains per unit of urbanness."""


class HostTendency(NamedTuple):
    """How common a host kind is, and how it shifts with urbanness."""

    share: float
    """Relative weight at middling urbanness (0.5)."""
    urban_pull: float
    """Log-weight gained per unit of urbanness (negative: prefers the countryside)."""


HOST_TENDENCIES: dict[str, HostTendency] = {
    "restaurant": HostTendency(0.21, 1.5),
    "shop": HostTendency(0.15, 1.2),
    "bank": HostTendency(0.10, 1.8),
    "petrol_station": HostTendency(0.07, -1.5),
    "community_centre": HostTendency(0.18, -0.5),
    "government_hall": HostTendency(0.06, -1.0),
    "enterprise": HostTendency(0.12, 0.0),
    "sanitation_point": HostTendency(0.08, -0.8),
    "other": HostTendency(0.03, 0.0),
}
"""Every kind but the smart kiosk, whose share is fixed by the published figure."""

QUALITY_BY_KIND: dict[str, float] = {
    "smart_kiosk": 0.12,
    "bank": 0.10,
    "government_hall": 0.06,
    "sanitation_point": -0.10,
    "other": -0.05,
}
"""How much better (or worse) kept than average each host kind is; others 0."""

STATUS_SHARES: dict[str, float] = {
    "active": 0.93,
    "temporarily_closed": 0.03,
    "closed": 0.015,
    "pending": 0.025,
}
"""Share of each status key (``vocabulary.STATUSES``); they sum to 1."""


def choose_kinds(urbanness: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A kind index per station: exact share of smart kiosks, the rest by urbanness."""
    kiosk = pick_exact_share(KIOSK_URBAN_PULL * urbanness, published_share("smart_kiosk"), rng)
    kinds = np.full(len(urbanness), SMART_KIOSK, dtype=np.int64)
    kinds[~kiosk] = _draw_host_kinds(urbanness[~kiosk], rng)
    return kinds


def draw_quality(kinds: np.ndarray, urbanness: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """How well kept each station is (0 to 1): mostly chance, a little kind and place."""
    by_kind = np.array([QUALITY_BY_KIND.get(kind, 0.0) for kind in KIND_KEYS])
    chance = rng.beta(2.5, 2.5, size=len(kinds))
    return np.clip(chance + by_kind[kinds] + 0.15 * (urbanness - 0.4), 0.0, 1.0)


def choose_statuses(count: int, rng: np.random.Generator) -> np.ndarray:
    """A status key per station, mostly active."""
    keys = np.array(list(STATUS_SHARES), dtype=object)
    return rng.choice(keys, size=count, p=list(STATUS_SHARES.values()))


def kind_keys(kinds: np.ndarray) -> np.ndarray:
    """Kind indices turned into vocabulary keys (object array of str)."""
    return np.array(KIND_KEYS, dtype=object)[kinds]


def _draw_host_kinds(urbanness: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Kind indices (never the smart kiosk) drawn from the urbanness-shifted mix."""
    hosts = [KIND_KEYS.index(kind) for kind in HOST_TENDENCIES]
    share = np.array([tendency.share for tendency in HOST_TENDENCIES.values()])
    pull = np.array([tendency.urban_pull for tendency in HOST_TENDENCIES.values()])
    cumulative = np.cumsum(share * np.exp(np.outer(urbanness - 0.5, pull)), axis=1)
    target = rng.random(len(urbanness))[:, None] * cumulative[:, -1:]
    column = np.minimum((cumulative <= target).sum(axis=1), len(hosts) - 1)
    return np.array(hosts, dtype=np.int64)[column]
