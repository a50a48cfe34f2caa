"""Signing in on the web: sessions, cookies, CSRF, bearer tokens and rate limits, in-process."""

from __future__ import annotations

import logging
import os
import re
import socket
import stat
import threading
import uuid
from urllib.parse import quote

import pytest
from builders import add_token
from conftest import _make_app
from flask import jsonify
from sqlalchemy import select

from stationmap.accounts.tokens import revoke_token
from stationmap.accounts.users import add_user as add_account
from stationmap.accounts.users import disable_user, reset_password
from stationmap.config import load_settings
from stationmap.store.schema import user_sessions
from stationmap.web import close_app, context
from stationmap.web.auth import current_principal, load_secret_key, require_principal

PASSWORD = "correct horse battery"
REQUIRE_REDIS = (
    os.environ.get("STATIONMAP_REQUIRE_REDIS") == "1" or os.environ.get("CI", "").lower() == "true"
)
"""Where the Redis test must run, never skip (CI, as for PostGIS: .ci/run starts Redis)."""
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def _whoami_routes(app):
    """A GET and a POST under /api that answer who is asking (as an endpoint would)."""

    def whoami():
        principal = require_principal()
        return jsonify(username=principal.username, token_id=principal.token_id)

    app.add_url_rule("/api/test/whoami", "whoami", whoami, methods=["GET", "POST"])
    app.add_url_rule("/test/who", "who", lambda: getattr(current_principal(), "username", "nobody"))


def _app(database_url, **settings):
    app = _make_app(database_url, **settings)
    _whoami_routes(app)
    store = context_store(app)
    add_account(store, "clerk", "320102", "editor", PASSWORD)
    return app


def context_store(app):
    with app.app_context():
        return context.service().store


@pytest.fixture
def web(spatialite_url):
    """The app on SpatiaLite with one user, clerk, whose password is PASSWORD."""
    app = _app(spatialite_url)
    yield app
    close_app(app)


@pytest.fixture
def web_both(database_url):
    """The same, on each backend."""
    app = _app(database_url)
    yield app
    close_app(app)


def csrf_token(client) -> str:
    """The CSRF token the sign-in page gives this client's session."""
    return CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)


def sign_in(client, username="clerk", password=PASSWORD, **extra):
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_token(client),
            **extra,
        },
    )


def session_cookie(client):
    return client.get_cookie("stationmap_session")


def who(client) -> str:
    return client.get("/test/who").get_data(as_text=True)


def test_the_sign_in_page_is_a_chinese_form_with_a_csrf_field(web):
    page = web.test_client().get("/login?next=/manage/stations")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "用户名" in text and "密码" in text and 'autocomplete="current-password"' in text
    assert CSRF_FIELD.search(text)
    assert 'name="next" value="/manage/stations"' in text


def test_signing_in_goes_to_manage_and_the_session_works(web_both):
    client = web_both.test_client()
    answer = sign_in(client)
    assert answer.status_code == 303 and answer.headers["Location"] == "/manage"
    assert who(client) == "clerk"
    assert "你已登录为" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    "next_path, goes_to",
    [
        ("/manage/stations?q=1", "/manage/stations?q=1"),
        ("https://evil.example/", "/manage"),
        ("//evil.example/", "/manage"),
        ("/\\evil.example", "/manage"),
        ("javascript:alert(1)", "/manage"),
    ],
)
def test_next_is_followed_only_to_a_local_path(web, next_path, goes_to):
    answer = sign_in(web.test_client(), next=next_path)
    assert answer.headers["Location"] == goes_to


def test_unknown_user_wrong_password_and_disabled_user_get_the_same_answer(web_both):
    store = context_store(web_both)
    add_account(store, "gone", "320102", "editor", PASSWORD)
    disable_user(store, "gone")
    answers = [
        sign_in(web_both.test_client(), "nobody", PASSWORD),
        sign_in(web_both.test_client(), "clerk", "wrong password"),
        sign_in(web_both.test_client(), "gone", PASSWORD),
    ]
    assert {a.status_code for a in answers} == {401}
    pages = {
        CSRF_FIELD.sub("", a.get_data(as_text=True)).replace(name, "NAME")
        for a, name in zip(answers, ("nobody", "clerk", "gone"), strict=True)
    }
    assert len(pages) == 1 and "用户名或密码错误" in pages.pop()


def test_session_cookie_flags(web):
    client = web.test_client()
    sign_in(client)
    [header] = [h for h in _set_cookies(client, "/login") if h.startswith("stationmap_session=")]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header


def test_session_cookie_is_secure_when_the_setting_says_so(spatialite_url):
    app = _app(spatialite_url, cookie_secure=True)
    try:
        [header] = _set_cookies(app.test_client(), "/login")
        assert "; Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    finally:
        close_app(app)


def _set_cookies(client, path):
    return client.get(path).headers.getlist("Set-Cookie")


def test_the_session_key_is_rotated_at_each_sign_in(web_both):
    client = web_both.test_client()
    sign_in(client)
    with client.session_transaction() as cookie:
        first = cookie["_user_id"]
    sign_in(client)
    with client.session_transaction() as cookie:
        second = cookie["_user_id"]
    assert first != second and who(client) == "clerk"
    with context_store(web_both).reading() as conn:
        ended = conn.execute(select(user_sessions.c.ended_at).order_by(user_sessions.c.id)).all()
    assert [row.ended_at is not None for row in ended] == [True, False]


def test_the_cookie_holds_no_user_id(web):
    client = web.test_client()
    sign_in(client)
    with client.session_transaction() as cookie:
        values = dict(cookie)
    principal = current_principal_of(web, client)
    assert principal.user_id not in repr(values) and "clerk" not in repr(values)


def current_principal_of(app, client):
    with client.session_transaction() as cookie:
        key = cookie["_user_id"]
    from stationmap.accounts.sessions import session_principal

    return session_principal(context_store(app), key)


def test_logout_ends_the_session_and_the_old_cookie_replayed_signs_nobody_in(web_both):
    client = web_both.test_client()
    sign_in(client)
    old = session_cookie(client).value
    assert client.post("/logout", data={"csrf_token": csrf_token(client)}).status_code == 303
    assert who(client) == "nobody"
    replay = web_both.test_client()
    replay.set_cookie("stationmap_session", old)
    assert who(replay) == "nobody"


def test_logout_without_the_csrf_token_is_refused(web):
    client = web.test_client()
    sign_in(client)
    answer = client.post("/logout")
    assert answer.status_code == 403 and "安全令牌" in answer.get_data(as_text=True)
    assert who(client) == "clerk"


def test_a_tampered_cookie_signs_nobody_in(web):
    client = web.test_client()
    sign_in(client)
    value = session_cookie(client).value
    payload, _, signature = value.rpartition(".")
    client.set_cookie("stationmap_session", f"{payload}.{signature[:-2]}xx")
    assert who(client) == "nobody"


def test_a_disabled_user_and_a_reset_password_end_sessions(web_both):
    store = context_store(web_both)
    add_account(store, "second", "320102", "editor", PASSWORD)
    clerk, second = web_both.test_client(), web_both.test_client()
    sign_in(clerk)
    sign_in(second, "second")
    disable_user(store, "clerk")
    reset_password(store, "second")
    assert who(clerk) == "nobody" and who(second) == "nobody"


def test_a_cookie_authenticated_write_needs_the_csrf_header(web):
    client = web.test_client()
    sign_in(client)
    missing = client.post("/api/test/whoami")
    wrong = client.post("/api/test/whoami", headers={"X-CSRFToken": "forged"})
    right = client.post("/api/test/whoami", headers={"X-CSRFToken": csrf_token(client)})
    for refused in (missing, wrong):
        assert refused.status_code == 403
        error = refused.get_json()["error"]
        assert error["code"] == "forbidden" and "CSRF" in error["message"]
    assert right.status_code == 200 and right.get_json()["username"] == "clerk"


def test_a_bearer_token_needs_no_csrf_token(web_both):
    secret = add_token(context_store(web_both), "clerk")
    answer = web_both.test_client().post(
        "/api/test/whoami", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 200
    assert answer.get_json()["username"] == "clerk" and answer.get_json()["token_id"]


def test_a_bad_token_is_401_even_with_a_session(web_both):
    store = context_store(web_both)
    revoked = add_token(store, "clerk")
    [token_id] = [t for t in _token_ids(store)]
    revoke_token(store, token_id)
    client = web_both.test_client()
    sign_in(client)
    for header in (f"Bearer {revoked}", "Bearer smt_made_up", "Basic Y2xlcms6eA=="):
        answer = client.get("/api/test/whoami", headers={"Authorization": header})
        assert answer.status_code == 401, header
        assert answer.get_json()["error"]["code"] == "unauthenticated"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def _token_ids(store):
    from stationmap.accounts.tokens import list_tokens

    return [t.id for t in list_tokens(store)]


def test_a_disabled_users_token_is_refused(web):
    store = context_store(web)
    secret = add_token(store, "clerk")
    disable_user(store, "clerk")
    answer = web.test_client().get(
        "/api/test/whoami", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 401


def test_nobody_signed_in_is_401(web):
    answer = web.test_client().get("/api/test/whoami")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "unauthenticated"


def test_sign_in_attempts_are_limited_per_account(web):
    client = web.test_client()
    for _ in range(5):
        assert sign_in(client, "clerk", "wrong password").status_code == 401
    limited = sign_in(client, "CLERK", PASSWORD)
    _assert_limited(limited)
    assert sign_in(web.test_client(), "other", "wrong password").status_code == 401


def test_sign_in_attempts_are_limited_per_address(web):
    client = web.test_client()
    for n in range(30):
        assert sign_in(client, f"user{n}", "wrong password").status_code == 401
    _assert_limited(sign_in(client, "clerk", PASSWORD))
    elsewhere = web.test_client()
    answer = elsewhere.post(
        "/login",
        data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf_token(elsewhere)},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert answer.status_code == 303


def _assert_limited(answer):
    assert answer.status_code == 429
    seconds = int(answer.headers["Retry-After"])
    assert 1 <= seconds <= 3600
    assert f"请{seconds}秒后再试" in answer.get_data(as_text=True)


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_redis_shares_the_limits_between_instances(spatialite_url):
    """Two apps (as two servers) counting in one Redis: the sixth attempt is refused."""
    if not _redis_reachable():
        if REQUIRE_REDIS:
            pytest.fail("Redis on 127.0.0.1:6379 is required here (CI): start redis-server")
        pytest.skip("no Redis on 127.0.0.1:6379")
    first = _app(spatialite_url, ratelimit_storage_url="redis://127.0.0.1:6379")
    second = _make_app(spatialite_url, ratelimit_storage_url="redis://127.0.0.1:6379")
    try:
        name = f"redis-{uuid.uuid4().hex[:12]}"  # counts of other runs stay apart
        clients = [first.test_client(), second.test_client()]
        for n in range(5):
            assert sign_in(clients[n % 2], name, "wrong password").status_code == 401
        _assert_limited(sign_in(clients[1], name, "wrong password"))
    finally:
        close_app(first)
        close_app(second)


def test_no_password_or_token_reaches_the_log(web, caplog):
    caplog.set_level(logging.DEBUG)
    secret = add_token(context_store(web), "clerk")
    client = web.test_client()
    sign_in(client, "clerk", "wrong password")
    sign_in(client)
    client.post("/api/test/whoami", headers={"Authorization": f"Bearer {secret}"})
    client.get("/api/test/whoami", headers={"Authorization": "Bearer " + secret[:-1]})
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    logged = caplog.text + repr([r.args for r in caplog.records])
    for secret_text in (PASSWORD, "wrong password", secret, secret[:-1], quote(PASSWORD)):
        assert secret_text not in logged


def test_the_generated_secret_key_is_private_and_shared(tmp_path):
    settings = load_settings(overrides={"instance_dir": tmp_path / "instance"})
    keys: list[str] = []
    threads = [
        threading.Thread(target=lambda: keys.append(load_secret_key(settings))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    path = tmp_path / "instance" / "secret_key"
    assert len(set(keys)) == 1 and len(keys[0]) >= 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(path.parent) == ["secret_key"]
    assert load_secret_key(settings.replace(secret_key="given")) == "given"


NEW_STATION = {"name": "玄武区新驿站", "kind": "shop", "lon": 118.7975, "lat": 32.0485}


def test_writing_a_station_through_the_api_with_each_credential(web_both):
    """POST /api/v1/stations through Flask: anonymous 401, session without the CSRF header
    403, session with it 201, bearer token without it 201; a bad token 401."""
    secret = add_token(context_store(web_both), "clerk")
    anonymous = web_both.test_client().post("/api/v1/stations", json=NEW_STATION)
    signed_in = web_both.test_client()
    sign_in(signed_in)
    no_header = signed_in.post("/api/v1/stations", json=NEW_STATION)
    with_header = signed_in.post(
        "/api/v1/stations", json=NEW_STATION, headers={"X-CSRFToken": csrf_token(signed_in)}
    )
    bearer = web_both.test_client().post(
        "/api/v1/stations", json=NEW_STATION, headers={"Authorization": f"Bearer {secret}"}
    )
    forged = web_both.test_client().post(
        "/api/v1/stations", json=NEW_STATION, headers={"Authorization": "Bearer smt_forged"}
    )
    codes = [
        (a.status_code, (a.get_json().get("error") or {}).get("code"))
        for a in (anonymous, no_header, with_header, bearer, forged)
    ]
    assert codes == [
        (401, "unauthenticated"),
        (403, "forbidden"),
        (201, None),
        (201, None),
        (401, "unauthenticated"),
    ]
    assert len(context_store(web_both).read_stations()) == 2
