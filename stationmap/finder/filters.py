"""What a rider asks of a station: amenities it must have, kinds, status, open hours."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..errors import BadRequest
from ..vocabulary import AMENITIES, KINDS, STATUSES, amenity_mask


@dataclass(frozen=True)
class StaticFilter:
    """The part of a filter that does not depend on the clock (cacheable per index)."""

    amenity_mask: int = 0
    """Bits of the amenities a station must all have."""
    kinds: frozenset[str] = frozenset()
    """Any of these host kinds; empty means every kind."""
    statuses: frozenset[str] = frozenset({"active"})
    open_24h: bool = False
    """Only stations whose hours are ``24/7``."""


@dataclass(frozen=True)
class StationFilter:
    """A rider's filter. Build with :meth:`build`, which checks every key."""

    static: StaticFilter = field(default_factory=StaticFilter)
    open_at: datetime | None = None
    """Only stations open at this moment (evaluated in Asia/Shanghai)."""
    include_unknown_hours: bool = False
    """With ``open_at``: also keep stations whose hours are unknown."""

    @classmethod
    def build(
        cls,
        amenities: Iterable[str] = (),
        kinds: Iterable[str] = (),
        statuses: Iterable[str] = ("active",),
        open_24h: bool = False,
        open_at: datetime | None = None,
        include_unknown_hours: bool = False,
    ) -> StationFilter:
        """A filter from vocabulary keys; an unknown key is a :class:`BadRequest`."""
        amenities, kinds, statuses = list(amenities), list(kinds), list(statuses)
        _check_keys("amenities", amenities, AMENITIES)
        _check_keys("kinds", kinds, KINDS)
        _check_keys("status", statuses, STATUSES)
        if not statuses:
            raise BadRequest(
                "status: got nothing, expected at least one status", code="invalid_parameter"
            )
        static = StaticFilter(
            amenity_mask(amenities), frozenset(kinds), frozenset(statuses), open_24h
        )
        return cls(static, open_at, include_unknown_hours)


def _check_keys(parameter: str, keys: list[str], vocabulary: dict[str, str]) -> None:
    unknown = [k for k in keys if k not in vocabulary]
    if unknown:
        raise BadRequest(
            f"{parameter}: got {unknown[0]!r}, expected any of {', '.join(vocabulary)}",
            code="invalid_parameter",
        )
