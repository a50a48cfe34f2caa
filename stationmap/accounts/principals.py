"""Who is asking: a signed-in user of a union, with a role, acting within a jurisdiction.

A union is named by a 6-digit adcode (``100000`` national, ``320000`` a province,
``320100`` a city, ``320102`` a county). Its jurisdiction is the adcode prefix every
county it covers starts with: ``""`` (all), ``"32"``, ``"3201"``, ``"320102"``. The
checks every write makes are methods of :class:`Principal`, so a use case asks
``principal.may_edit(adcode)`` and never compares prefixes itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BadRequest

NATIONAL_ADCODE = "100000"
"""全国总工会: its jurisdiction is every county."""

ADMIN = "admin"
"""Manages the users of its union and of the unions below it, and edits."""
EDITOR = "editor"
"""Writes stations in the jurisdiction."""
VIEWER = "viewer"
"""Reads what editors read: history, drafts, import reports."""
ROLES = (ADMIN, EDITOR, VIEWER)


@dataclass(frozen=True)
class Principal:
    """A signed-in user as the use cases see it (never a password or a token)."""

    user_id: str
    """The user's public id."""
    username: str
    role: str
    """One of :data:`ROLES`."""
    union_id: str
    """The union's public id."""
    union_name: str
    jurisdiction: str
    """The union's adcode prefix: ``""``, 2, 4 or 6 digits."""
    token_id: str | None = None
    """The API token's public id, when the request came with one (else a web session)."""

    def covers(self, adcode: str) -> bool:
        """Whether the county ``adcode`` lies in this user's jurisdiction."""
        return adcode.startswith(self.jurisdiction)

    @property
    def can_write(self) -> bool:
        """Whether the role writes stations (admins and editors do; viewers only read)."""
        return self.role in (ADMIN, EDITOR)

    def may_edit(self, adcode: str) -> bool:
        """Whether this user may write a station in county ``adcode``."""
        return self.can_write and self.covers(adcode)

    def may_manage(self, jurisdiction: str) -> bool:
        """Whether this user may manage the users of a union with ``jurisdiction``:
        an admin, for its own union and every union below it."""
        return self.role == ADMIN and jurisdiction.startswith(self.jurisdiction)


def jurisdiction_of(adcode: str) -> str:
    """The adcode prefix a union named by ``adcode`` covers (``320100`` → ``3201``).

    Raises :class:`BadRequest` naming what was expected for anything but a 6-digit
    adcode of the nation, a province, a city or a county.
    """
    if len(adcode) != 6 or not adcode.isascii() or not adcode.isdigit():
        raise BadRequest(
            f"union: got {adcode!r}, expected a 6-digit adcode such as 100000 (national), "
            "320000 (a province), 320100 (a city) or 320102 (a county)",
            code="bad_union",
        )
    if adcode == NATIONAL_ADCODE:
        return ""
    if adcode.endswith("0000"):
        return adcode[:2]
    if adcode.endswith("00"):
        return adcode[:4]
    return adcode


def adcode_of(jurisdiction: str) -> str:
    """The 6-digit adcode naming a union with ``jurisdiction`` (``3201`` → ``320100``)."""
    return jurisdiction.ljust(6, "0") if jurisdiction else NATIONAL_ADCODE
