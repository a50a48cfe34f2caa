"""The union clerks' pages (工作台 and what hangs off it), behind sign-in.

Every page here is for a signed-in user of a union: :func:`signed_in_page` sends anyone
else to ``/login`` and back. The pages call the use cases (``editing``,
``importing.uploads``, ``accounts``) with the signed-in :class:`Principal`, which
check the role and the jurisdiction themselves; a page never writes by another path.
Forms post here with Flask-WTF's CSRF field (checked for every state-changing request
in :mod:`.auth`); the map pickers and previews read the public API.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from flask import Blueprint, redirect, request

from ..accounts import Principal
from .auth import current_principal

blueprint = Blueprint("manage", __name__, url_prefix="/manage")


def signed_in_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """``view`` for signed-in users, called with the :class:`Principal` first; anyone
    else is sent to the sign-in page, which comes back here afterwards."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        principal = current_principal()
        if principal is None:
            return redirect(f"/login?next={quote(request.full_path.rstrip('?'))}", code=303)
        return view(principal, *args, **kwargs)

    return guarded


def nav_for(principal: Principal) -> list[tuple[str, str]]:
    """The clerk's menu: (label, path), the users page for admins only."""
    items = [
        ("工作台", "/manage"),
        ("新增驿站", "/manage/stations/new"),
        ("导入", "/manage/imports"),
    ]
    if principal.role == "admin":
        items.append(("用户管理", "/manage/users"))
    return items


@blueprint.context_processor
def _menu() -> dict[str, Any]:
    """Every clerk's page knows who is signed in and shows the menu for that role."""
    principal = current_principal()
    return {"principal": principal, "nav": nav_for(principal) if principal else []}
