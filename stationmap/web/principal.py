"""Who sent a request, for the API's views: the one seam between accounts and the answers.

The answer path (:mod:`.routing`) takes the caller as a :class:`Principal` on the
request; the Flask views find it with :func:`principal_for`. Signing in (tokens,
sessions, CSRF) is ``web/auth.py``'s work: at its merge this function's body becomes
``return auth.current_principal()``, and nothing else changes.
"""

from __future__ import annotations

from flask import Request

from ..accounts import Principal


def principal_for(request: Request) -> Principal | None:
    """The signed-in user who sent ``request``, or None (anonymous).

    Until sign-in is merged every caller is anonymous: writes answer 401.
    """
    return None
