"""Signing in on the web: sessions (Flask-Login), CSRF (Flask-WTF), rate limits (Flask-Limiter).

Who a request comes from (:func:`current_principal`): the bearer token of an
``Authorization: Bearer`` header when there is one (a bad, expired or revoked token is a
401, whatever cookie comes with it), else the signed-in session, else nobody.

The session: Flask's signed cookie holds the random session key Flask-Login knows the
user by (plus Flask-WTF's CSRF secret and Flask-Login's bookkeeping), never a user id;
the session itself is a row on the server (:mod:`stationmap.accounts.sessions`), so
logout, a disable and a password reset end it for real. Every sign-in draws a new key
and clears what the cookie held before. The cookie is HttpOnly, SameSite=Lax, and
Secure when ``STATIONMAP_COOKIE_SECURE`` is set (serving over HTTPS).

CSRF: every POST, PUT, PATCH and DELETE form, and every such API call made with a
signed-in session, must carry the session's CSRF token, in the form's ``csrf_token``
field or an ``X-CSRFToken`` header; a bearer-token call is judged by its token alone,
an API call without a session is anonymous (:func:`_needs_csrf_token`). A missing or
wrong token is 403 ``forbidden``.

Rate limits on ``POST /login``: :data:`ACCOUNT_LIMITS` per account (by the username
typed, known or not) and :data:`ADDRESS_LIMITS` per client address; on the API's and the
clerks' pages' writes, ``STATIONMAP_WRITE_RATE_LIMIT`` per user (:func:`limit_writes`);
all counted in ``STATIONMAP_RATELIMIT_STORAGE_URL``. Past them: 429 with ``Retry-After``.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, g, redirect, render_template, request, session
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.wrappers import Response as BaseResponse

from ..accounts import Principal
from ..accounts.sessions import MAX_AGE, end_session, session_principal, start_session
from ..accounts.tokens import authenticate_token
from ..accounts.users import authenticate, normalise_username
from ..config import Settings
from ..errors import Forbidden, RateLimited, Unauthenticated
from . import context

ACCOUNT_LIMITS = "5 per minute; 30 per hour"
"""Sign-in attempts per username: a person mistyping twice is not hindered; guessing is."""
ADDRESS_LIMITS = "30 per minute"
"""Sign-in attempts per client address (an office behind one address has room)."""
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRONG_CREDENTIALS = "用户名或密码错误"
"""The one answer to an unknown user, a wrong password and a disabled user alike."""
AFTER_SIGN_IN = "/manage"
"""Where a sign-in goes when it was not sent from elsewhere: the union's 工作台."""
SECRET_KEY_FILE = "secret_key"
SESSION_COOKIE = "stationmap_session"


class SignedIn:
    """Flask-Login's user: a :class:`Principal` signed in by one server-side session."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, principal: Principal, session_key: str) -> None:
        self.principal = principal
        self.session_key = session_key

    def get_id(self) -> str:
        """What the cookie keeps: the random session key, not the user's id."""
        return self.session_key


def register(app: Flask, settings: Settings) -> Limiter:
    """Sessions, CSRF protection, rate limits and the sign-in pages, on ``app``; returns
    the rate limiter, for :func:`limit_writes`."""
    app.secret_key = load_secret_key(settings)
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=MAX_AGE,
        SESSION_REFRESH_EACH_REQUEST=False,  # the cookie ends when the server's session does
        WTF_CSRF_CHECK_DEFAULT=False,  # _protect_writes decides, to let bearer tokens through
        WTF_CSRF_TIME_LIMIT=None,  # a form is good as long as its session (MAX_AGE)
    )
    _login_manager(app)
    csrf = CSRFProtect(app)
    app.before_request(lambda: _protect_writes(csrf))
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.ratelimit_storage_url,
        strategy="moving-window",
    )
    app.register_error_handler(RateLimitExceeded, lambda error: _rate_limited(limiter))
    limited = limiter.limit(ACCOUNT_LIMITS, key_func=_account_key)(
        limiter.limit(ADDRESS_LIMITS, key_func=get_remote_address)(login)
    )
    app.add_url_rule("/login", "auth.login_form", login_form, methods=["GET"])
    app.add_url_rule("/login", "auth.login", limited, methods=["POST"])
    app.add_url_rule("/logout", "auth.logout", logout, methods=["POST"])
    return limiter


def limit_writes(limiter: Limiter, blueprint: Blueprint, limits: str) -> None:
    """Hold every write of ``blueprint`` (its POST, PUT, PATCH and DELETE) to ``limits``
    per signed-in user (per address for anyone else); reads are not counted. Call it
    before the blueprint is registered."""
    limiter.limit(
        limits,
        key_func=_writer_key,
        exempt_when=lambda: request.method not in UNSAFE_METHODS,
        per_method=False,
    )(blueprint)


def _writer_key() -> str:
    """The write limit's key: the signed-in user, else the client's address."""
    try:
        principal = current_principal()
    except Unauthenticated:
        principal = None
    return f"user:{principal.user_id}" if principal else f"address:{get_remote_address()}"


def current_principal() -> Principal | None:
    """Who this request comes from: its bearer token, else its session, else None.

    An ``Authorization`` header that is no valid bearer token raises
    :class:`Unauthenticated`, even when a signed-in session comes with it.
    """
    if "stationmap_principal" not in g:
        g.stationmap_principal = _principal_of_request()
    return g.stationmap_principal


def require_principal() -> Principal:
    """The signed-in user; :class:`Unauthenticated` (401) when there is none."""
    principal = current_principal()
    if principal is None:
        raise Unauthenticated("请先登录 (sign in, or send Authorization: Bearer TOKEN)")
    return principal


def _principal_of_request() -> Principal | None:
    header = request.headers.get("Authorization")
    if header is not None:
        return _bearer_principal(header)
    if SESSION_COOKIE not in request.cookies:
        return None  # anonymous, and the session untouched: no Vary: Cookie on public reads
    user = current_user
    return user.principal if isinstance(user, SignedIn) else None


def _bearer_principal(header: str) -> Principal:
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated(
            "Authorization: expected 'Bearer TOKEN' with a token from `stationmap tokens create`"
        )
    principal = authenticate_token(context.service().store, secret.strip())
    if principal is None:
        raise Unauthenticated("令牌无效、已过期或已撤销 (the token is unknown, expired or revoked)")
    return principal


def _has_bearer() -> bool:
    return request.headers.get("Authorization", "").strip().lower().startswith("bearer ")


class SessionLoginManager(LoginManager):
    """Flask-Login without its remember-me cookie, which stationmap never sets (a sign-in
    lasts as long as its server session). Flask-Login's hook for that cookie reads the
    session after every request, and a read session makes Flask add ``Vary: Cookie``:
    to every answer, the public API's included, which then differ from the fast path's."""

    def _update_remember_cookie(self, response: Response) -> Response:
        return response


def _login_manager(app: Flask) -> LoginManager:
    manager = SessionLoginManager()
    manager.init_app(app, add_context_processor=False)  # pages ask current_principal()
    manager.session_protection = None  # the session is the server's row, not the cookie's
    manager.user_loader(_load_user)
    manager.unauthorized_handler(_unauthorized)
    return manager


def _unauthorized() -> Response:
    """What ``flask_login.login_required`` answers nobody signed in: 401."""
    raise Unauthenticated("请先登录 (sign in first)")


def _load_user(session_key: str) -> SignedIn | None:
    """Flask-Login's loader: the session key in the cookie → the signed-in user, if the
    server still holds that session open."""
    principal = session_principal(context.service().store, session_key)
    return SignedIn(principal, session_key) if principal is not None else None


def _protect_writes(csrf: CSRFProtect) -> None:
    """Refuse a state-changing request without the session's CSRF token (403) when
    :func:`_needs_csrf_token` says it must carry one."""
    if not _needs_csrf_token():
        return
    try:
        csrf.protect()
    except CSRFError as refused:
        raise Forbidden(
            "缺少或无效的安全令牌，请刷新页面后重试 (CSRF token missing or wrong: reload the "
            "page, or send the X-CSRFToken header with a cookie-authenticated call)",
            reason=str(refused.description),
        ) from None


def _needs_csrf_token() -> bool:
    """Whether this request must carry the CSRF token: every state-changing form (the
    sign-in form too), and every state-changing API call a signed-in session makes.

    Not a bearer-token call (the token alone judges it; a browser never adds the header
    by itself), nor an API call without a signed-in session (nobody's rights to borrow:
    the endpoint answers it as anonymous, 401 for a write), nor a request no view will
    answer (its 404 or 405 stands).
    """
    if request.method not in UNSAFE_METHODS or _has_bearer():
        return False
    if request.routing_exception is not None:
        return False
    if request.path.startswith("/api/"):
        return isinstance(current_user, SignedIn)
    return True


def _account_key() -> str:
    """The rate limit's key for an account: the username as typed, normalised."""
    return "account:" + normalise_username(request.form.get("username", ""))


def _rate_limited(limiter: Limiter) -> Response:
    """429 with ``Retry-After``: the sign-in page saying how long to wait, or the error."""
    limit = limiter.current_limit
    seconds = max(1, math.ceil(limit.reset_at - time.time())) if limit is not None else 60
    error = RateLimited(seconds)
    if request.path != "/login":
        from .errors import render_error  # here: errors imports api, which imports this

        return render_error(error)
    page = _login_page(error.message, status=429)
    page.headers.extend(error.headers)
    return page


def login_form() -> Response:
    """The sign-in page."""
    return _login_page()


def login() -> BaseResponse:
    """Check the username and password; sign in and go on, or say 用户名或密码错误."""
    store = context.service().store
    principal = authenticate(
        store, request.form.get("username", ""), request.form.get("password", "")
    )
    if principal is None:
        return _login_page(WRONG_CREDENTIALS, status=401)
    _end_current_session()
    session.clear()  # nothing from before the sign-in survives it (a new CSRF secret too)
    key = start_session(store, principal, request.remote_addr)
    login_user(SignedIn(principal, key))
    session.permanent = True  # the cookie lasts as long as the server's session
    return redirect(_local_path(request.form.get("next")) or AFTER_SIGN_IN, code=303)


def logout() -> BaseResponse:
    """End the session on the server, forget the cookie's contents, back to the sign-in page."""
    _end_current_session()
    logout_user()
    session.clear()
    return redirect("/login", code=303)


def _end_current_session() -> None:
    user = current_user
    if isinstance(user, SignedIn):
        end_session(context.service().store, user.session_key)


def _login_page(error: str | None = None, status: int = 200) -> Response:
    next_path = _local_path(request.values.get("next"))
    user = current_user if isinstance(current_user, SignedIn) else None
    page = render_template(
        "login.html",
        error=error,
        next_path=next_path or "",
        username=request.form.get("username", ""),
        signed_in=user.principal if user is not None else None,
        after_sign_in=AFTER_SIGN_IN,
    )
    return Response(page, status=status, mimetype="text/html")


def _local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site (``/manage/x?y``), else None: a sign-in
    never sends anyone to another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 32 for ch in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def load_secret_key(settings: Settings) -> str:
    """``STATIONMAP_SECRET_KEY``, else the key kept in the instance folder, made on first use.

    Made atomically: written whole to a private temporary file, then linked into place,
    which fails if another worker linked its own first; every worker then reads the
    one that won. The file is readable by its owner only (0600).
    """
    if settings.secret_key:
        return settings.secret_key
    path = settings.instance_dir / SECRET_KEY_FILE
    if not path.exists():
        _create_secret_key(path)
    return path.read_text(encoding="ascii").strip()


def _create_secret_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another worker's key won: use that one
            os.link(draft, path)
    finally:
        draft.unlink()
