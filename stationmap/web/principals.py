"""Who is asking an API request: the one place a view resolves the signed-in principal.

Sign-in (sessions, bearer tokens) is built apart, in ``web/auth.py``; when it lands,
:func:`principal_for`'s body becomes its ``current_principal()``. Until then the
principal is the one a WSGI layer in front of the app put in the request's environ
under :data:`PRINCIPAL_KEY` (a client cannot set an environ key: its headers arrive
as ``HTTP_*``), which is how the tests sign in.
"""

from __future__ import annotations

from flask import Request

from ..accounts import Principal

PRINCIPAL_KEY = "stationmap.principal"


def principal_for(request: Request) -> Principal | None:
    """The signed-in user making ``request``, or None when nobody is signed in."""
    found = request.environ.get(PRINCIPAL_KEY)
    return found if isinstance(found, Principal) else None
