"""Which union owns each imported station (planned, never written while planning)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import BadRequest
from ..identifiers import new_public_id
from ..store import Store, unions


@dataclass
class UnionPlan:
    """The owning union of each row, and the county unions the import must create."""

    ids: list[str | None]
    """Public id of each row's union."""
    new: list[dict[str, str]] = field(default_factory=list)
    """Unions to create when the plan is applied: ``public_id``, ``name``, ``jurisdiction``."""


def plan_unions(
    store: Store, adcodes: list[str], union_id: str | None, county: str | None
) -> UnionPlan:
    """The owning union's public id per row.

    A union named with ``--union`` owns them all; otherwise the union of the declared
    county, or of each station's own county. A county without a union gets one, with
    its id drawn now so that the plan's additions can name it; it is created in the
    same transaction as the stations, so a dry run or a refused import creates none.
    """
    known = store.list_unions()
    if union_id is not None:
        if union_id not in {u.id for u in known}:
            raise BadRequest(
                f"union: got {union_id!r}, which is no union's id", code="invalid_parameter"
            )
        return UnionPlan([union_id] * len(adcodes))
    wanted = [county or code for code in adcodes]
    by_county = {u.jurisdiction: u.id for u in known}
    missing = sorted({code for code in wanted if code not in by_county})
    new = [
        {
            "public_id": new_public_id(),
            "name": unions.county_union_name(store.regions, code),
            "jurisdiction": code,
        }
        for code in missing
    ]
    by_county |= {u["jurisdiction"]: u["public_id"] for u in new}
    return UnionPlan([by_county[code] for code in wanted], new)
