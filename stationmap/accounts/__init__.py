"""Accounts: unions' users, their roles and API tokens, and who a request comes from.

A use-case package: it composes the store's ``users`` and ``tokens`` writers and
knows nothing of HTTP. The web layer turns a session cookie or a bearer token into a
:class:`Principal` through it; the CLI creates the first admin with it.
"""

from .principals import ADMIN, EDITOR, ROLES, VIEWER, Principal, adcode_of, jurisdiction_of

__all__ = [
    "ADMIN",
    "EDITOR",
    "ROLES",
    "VIEWER",
    "Principal",
    "adcode_of",
    "jurisdiction_of",
]
