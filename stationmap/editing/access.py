"""Who may do what: the checks every write and every history read make first."""

from __future__ import annotations

from ..accounts import Principal
from ..errors import Forbidden, OutsideJurisdiction, Unauthenticated
from ..regions import RegionIndex
from ..store import Writer


def signed_in(principal: Principal | None) -> Principal:
    """``principal``, or :class:`Unauthenticated` for an anonymous caller."""
    if principal is None:
        raise Unauthenticated(
            "请先登录 / sign in first: send Authorization: Bearer TOKEN, or the session "
            "cookie with the X-CSRFToken header"
        )
    return principal


def writer(principal: Principal | None) -> Principal:
    """``principal`` if its role writes stations, else :class:`Forbidden` (a viewer)."""
    principal = signed_in(principal)
    if not principal.can_write:
        raise Forbidden(
            f"只读账号不能修改驿站 / {principal.username} is a {principal.role}: got a write, "
            "expected only reads; an admin of the union can make the account an editor"
        )
    return principal


def within_jurisdiction(principal: Principal, adcode: str, regions: RegionIndex) -> None:
    """Refuse (:class:`OutsideJurisdiction`) a county outside the principal's union's area."""
    if principal.covers(adcode):
        return
    county = regions.county(adcode)
    name = county.name if county else adcode
    raise OutsideJurisdiction(
        f"{name}（{adcode}）不在{principal.union_name}的管辖范围内 / county {adcode} is "
        f"outside {principal.union_name}'s jurisdiction (adcodes starting "
        f"{principal.jurisdiction!r})",
        adcode=adcode,
    )


def audit_writer(principal: Principal) -> Writer:
    """How the audit trail names this user's writes: the user and the union."""
    return Writer(principal.username, principal.union_name)
