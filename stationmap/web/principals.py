"""Who sent a request, for the API's views: the one seam between accounts and the answers.

The answer path (:mod:`.routing`) takes the caller as a :class:`Principal` on the
request; the Flask views find it with :func:`principal_for`, which asks
:func:`.auth.current_principal`: the bearer token of an ``Authorization`` header (a
bad, expired or revoked one is a 401 ``unauthenticated``), else the signed-in session
(its writes carry ``X-CSRFToken``, checked before the view runs), else nobody.
"""

from __future__ import annotations

from flask import Request

from ..accounts import Principal
from .auth import current_principal


def principal_for(request: Request) -> Principal | None:
    """The signed-in user who sent ``request``, or None (anonymous)."""
    return current_principal()
