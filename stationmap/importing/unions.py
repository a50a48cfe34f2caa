"""Which union owns each imported station."""

from __future__ import annotations

from ..errors import BadRequest
from ..store import Store


def union_ids_for(
    store: Store,
    adcodes: list[str],
    union_id: str | None,
    county: str | None,
    create: bool,
    actor: str = "import",
) -> list[str | None]:
    """The owning union's public id per row.

    A union named with ``--union`` owns them all; otherwise the union of the declared
    county, or of each station's own county. Missing county unions are created
    (not in a dry run, where they stay None).
    """
    known = store.list_unions()
    if union_id is not None:
        if union_id not in {u.id for u in known}:
            raise BadRequest(
                f"union: got {union_id!r}, which is no union's id", code="invalid_parameter"
            )
        return [union_id] * len(adcodes)
    wanted = [county or code for code in adcodes]
    by_county = {u.jurisdiction: u.id for u in known}
    missing = sorted({code for code in wanted if code not in by_county})
    if missing and create:
        rows = [{"name": _union_name(store, code), "jurisdiction": code} for code in missing]
        by_county |= {u.jurisdiction: u.id for u in store.add_unions(rows, actor=actor)}
    return [by_county.get(code) for code in wanted]


def _union_name(store: Store, adcode: str) -> str:
    county = store.regions.county(adcode)
    return f"{county.name}总工会" if county else f"{adcode}总工会"
