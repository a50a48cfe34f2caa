"""用户管理: an admin's page for the users and API tokens of its union and the unions below.

Every action calls :mod:`stationmap.accounts` with ``by=`` the signed-in admin, which
refuses (and writes nothing) outside the admin's reach; the page then shows the form
again with the reason. A new or reset password is shown once, on the answer to the
form that made it (never stored in the page's address, never logged, not cached).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any
from urllib.parse import quote

from flask import Response, make_response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from ..accounts import Principal
from ..accounts.principals import ADMIN, ROLES, adcode_of
from ..accounts.tokens import TokenInfo, list_tokens, revoke_token
from ..accounts.users import (
    UserAccount,
    add_user,
    disable_user,
    list_users,
    normalise_username,
    reset_password,
)
from ..errors import Forbidden, StationmapError
from ..store.schema import now
from . import context
from .manage import blueprint, signed_in_page
from .manage_text import chinese, local_time

ROLE_LABELS = {"admin": "管理员", "editor": "编辑", "viewer": "只读"}
REFUSALS = {
    "bad_username": "用户名须为 3 到 64 个字母、数字、“._-”或汉字，如 xuanwu.editor 或 玄武区编辑",
    "bad_role": "角色只能是 管理员、编辑 或 只读",
    "bad_union": "所属工会请填 6 位行政区划代码，如 100000（全国）、320000（省）、320100（市）、"
    "320102（区县）",
    "conflict": "这个用户名已被使用，请换一个",
    "unknown_user": "没有这个用户",
    "unknown_token": "没有这个令牌",
}
"""What the page says for each refusal whose message is English only (by error code)."""
DONE = {"disabled": "已停用用户 {}，其登录和令牌均已失效。", "revoked": "已撤销令牌 {}。"}


def _admins_only(principal: Principal) -> None:
    if principal.role != ADMIN:
        raise Forbidden("只有管理员可以管理用户 / only admins manage users", role=principal.role)


@blueprint.get("/users")
@signed_in_page
def users(principal: Principal) -> Response:
    """The users and tokens of the admin's union and those below, and the form to add one."""
    _admins_only(principal)
    return _users_page(principal)


@blueprint.post("/users")
@signed_in_page
def add(principal: Principal) -> Response:
    """Add a user; the answer shows its generated password, once."""
    _admins_only(principal)
    form = {key: request.form.get(key, "").strip() for key in ("username", "union", "role")}
    try:
        added = add_user(
            context.service().store, form["username"], form["union"], form["role"], by=principal
        )
    except StationmapError as refusal:
        return _users_page(principal, refusal, form)
    return _password_page(
        added.principal.username, added.principal.union_name, added.password, new=True
    )


@blueprint.post("/users/<username>/disable")
@signed_in_page
def disable(principal: Principal, username: str) -> BaseResponse:
    """Disable a user: its sessions end and its tokens stop working."""
    _admins_only(principal)
    try:
        disable_user(context.service().store, username, by=principal)
    except StationmapError as refusal:
        return _users_page(principal, refusal)
    return redirect(f"/manage/users?disabled={quote(username)}", code=303)


@blueprint.post("/users/<username>/reset-password")
@signed_in_page
def reset(principal: Principal, username: str) -> Response:
    """Give a user a new generated password, shown once; its web sessions end."""
    _admins_only(principal)
    try:
        password = reset_password(context.service().store, username, by=principal)
    except StationmapError as refusal:
        return _users_page(principal, refusal)
    return _password_page(normalise_username(username), "", password, new=False)


@blueprint.post("/tokens/<token_id>/revoke")
@signed_in_page
def revoke(principal: Principal, token_id: str) -> BaseResponse:
    """Revoke an API token."""
    _admins_only(principal)
    try:
        revoke_token(context.service().store, token_id, by=principal)
    except StationmapError as refusal:
        return _users_page(principal, refusal)
    return redirect(f"/manage/users?revoked={quote(token_id)}#tokens", code=303)


def _users_page(
    principal: Principal,
    refusal: StationmapError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    store = context.service().store
    page = render_template(
        "manage/users.html",
        users=[_shown_user(user) for user in list_users(store, by=principal)],
        tokens=[_shown_token(token) for token in list_tokens(store, by=principal)],
        roles=[(role, ROLE_LABELS[role]) for role in ROLES],
        form=form or {"username": "", "union": adcode_of(principal.jurisdiction), "role": "editor"},
        error=_refusal_text(refusal) if refusal else None,
        done=_done_text(),
    )
    response = make_response(page, refusal.status if refusal else 200)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _password_page(username: str, union_name: str, password: str | None, *, new: bool) -> Response:
    """The one answer that shows a generated password; nothing may keep it."""
    page = render_template(
        "manage/user_password.html",
        username=username,
        union_name=union_name,
        password=password,
        new=new,
    )
    response = make_response(page, 201 if new else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


def _refusal_text(refusal: StationmapError) -> str:
    return REFUSALS.get(refusal.code) or chinese(refusal.message)


def _done_text() -> str | None:
    for key, text in DONE.items():
        if request.args.get(key):
            return text.format(request.args[key])
    return None


def _shown_user(user: UserAccount) -> dict[str, Any]:
    return {
        "username": user.username,
        "union": f"{user.union_name}（{user.union_adcode}）",
        "role": ROLE_LABELS.get(user.role, user.role),
        "disabled": user.disabled_at is not None,
        "state": f"已停用（{local_time(user.disabled_at)}）" if user.disabled_at else "正常",
        "created_at": local_time(user.created_at),
    }


def _shown_token(token: TokenInfo) -> dict[str, Any]:
    return {
        "id": token.id,
        "user": token.user,
        "label": token.label or "—",
        "created_at": local_time(token.created_at),
        "expires_at": local_time(token.expires_at),
        "last_used_at": local_time(token.last_used_at) or "从未使用",
        "revoked": token.revoked_at is not None,
        "expired": token.expires_at.replace(tzinfo=token.expires_at.tzinfo or UTC) <= now(),
        "revoked_at": local_time(token.revoked_at),
    }
