"""用户管理: an admin adds, disables and resets users and revokes tokens, through the app."""

from __future__ import annotations

import logging
import re

import pytest
from builders import add_token, table_dump
from conftest import _make_app
from test_auth_web import PASSWORD, sign_in
from test_manage_imports import form_token, page_text, signed_in_client

from stationmap.accounts.tokens import authenticate_token
from stationmap.accounts.users import add_user as add_account
from stationmap.accounts.users import authenticate, list_users
from stationmap.store import Store
from stationmap.store.backend import create_store_engine
from stationmap.web import close_app

SHOWN_PASSWORD = re.compile(r'<code id="password">([^<]+)</code>')


def _web(database_url):
    """A 南京市 (320100) admin, a 玄武区 editor, a 秦淮区 viewer and an 江苏省 admin above
    them all, each signing in with PASSWORD."""
    app = _make_app(database_url)
    store = app.extensions["stationmap.store"]
    add_account(store, "nanjing", "320100", "admin", PASSWORD)
    add_account(store, "clerk", "320102", "editor", PASSWORD)
    add_account(store, "qinhuai", "320104", "viewer", PASSWORD)
    add_account(store, "jiangsu", "320000", "admin", PASSWORD)
    return app, store


@pytest.fixture
def web(spatialite_url):
    app, store = _web(spatialite_url)
    yield app, store
    close_app(app)


@pytest.fixture
def web_both(database_url):
    app, store = _web(database_url)
    yield app, store
    close_app(app)


def post(client, path: str, **data):
    return client.post(path, data={"csrf_token": form_token(client, "/manage/users"), **data})


def test_a_fresh_database_has_no_users(database_url):
    with Store(create_store_engine(database_url)) as store:
        store.init_schema()
        assert list_users(store) == []
        assert table_dump(store)["users"] == [] and table_dump(store)["api_tokens"] == []


def test_the_admin_sees_the_users_of_its_union_and_below(web):
    app, _ = web
    client = signed_in_client(app, "nanjing")
    page = client.get("/manage/users")
    text = page_text(page)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert "clerk" in text and "qinhuai" in text and "nanjing" in text
    assert "jiangsu" not in text  # above the admin's union
    assert "玄武区总工会（320102）" in text and "编辑" in text and "正常" in text
    assert 'name="union" type="text" value="320100"' in page.get_data(as_text=True)
    assert "用户管理" in text  # in the menu, for admins


def test_adding_a_user_shows_its_password_once(web_both, caplog):
    app, store = web_both
    client = signed_in_client(app, "nanjing")
    caplog.set_level(logging.DEBUG)
    added = post(client, "/manage/users", username="Xuanwu.Reader", union="320102", role="viewer")
    assert added.status_code == 201 and added.headers["Cache-Control"] == "no-store"
    password = SHOWN_PASSWORD.search(added.get_data(as_text=True)).group(1)
    assert "只显示这一次" in page_text(added) and "xuanwu.reader" in page_text(added)
    assert authenticate(store, "xuanwu.reader", password).union_name == "玄武区总工会"
    listed = client.get("/manage/users").get_data(as_text=True)
    assert "xuanwu.reader" in listed and password not in listed
    assert password not in caplog.text


def test_an_admin_cannot_add_a_user_above_its_union(web_both):
    app, store = web_both
    client = signed_in_client(app, "nanjing")
    before = table_dump(store)
    refused = post(client, "/manage/users", username="sneaky", union="320000", role="admin")
    assert refused.status_code == 403
    assert "只能管理本级及下级工会的用户" in page_text(refused)
    assert 'value="sneaky"' in refused.get_data(as_text=True)  # the form as it was typed
    assert table_dump(store) == before


@pytest.mark.parametrize(
    "username, union, role, status, says",
    [
        ("a", "320102", "editor", 400, "用户名须为 3 到 64 个"),
        ("newbie", "32010", "editor", 400, "6 位行政区划代码"),
        ("newbie", "320102", "boss", 400, "角色只能是"),
        ("clerk", "320102", "editor", 409, "已被使用"),
    ],
)
def test_bad_new_users_are_refused_with_the_reason(web, username, union, role, status, says):
    app, store = web
    client = signed_in_client(app, "nanjing")
    before = table_dump(store)
    refused = post(client, "/manage/users", username=username, union=union, role=role)
    assert refused.status_code == status and says in page_text(refused)
    assert table_dump(store) == before


def test_disabling_a_user_ends_its_sign_in_and_tokens(web_both):
    app, store = web_both
    secret = add_token(store, "clerk")
    clerk = signed_in_client(app, "clerk")
    admin = signed_in_client(app, "nanjing")
    done = post(admin, "/manage/users/clerk/disable")
    assert done.status_code == 303
    shown = page_text(admin.get(done.headers["Location"]))
    assert "已停用用户 clerk" in shown and "已停用（" in shown
    assert clerk.get("/manage/imports").status_code == 303  # signed out
    assert authenticate_token(store, secret) is None
    assert sign_in(app.test_client(), "clerk").status_code == 401


def test_resetting_a_password_shows_the_new_one_once_and_never_logs_it(web_both, caplog):
    app, store = web_both
    clerk = signed_in_client(app, "clerk")
    admin = signed_in_client(app, "nanjing")
    caplog.set_level(logging.DEBUG)
    reset = post(admin, "/manage/users/clerk/reset-password")
    assert reset.status_code == 200 and reset.headers["Cache-Control"] == "no-store"
    password = SHOWN_PASSWORD.search(reset.get_data(as_text=True)).group(1)
    assert password not in caplog.text
    assert clerk.get("/manage/imports").status_code == 303  # its session ended
    assert authenticate(store, "clerk", PASSWORD) is None
    assert authenticate(store, "clerk", password) is not None
    assert password not in admin.get("/manage/users").get_data(as_text=True)


def test_tokens_are_listed_and_revoked(web_both):
    app, store = web_both
    secret = add_token(store, "clerk", label="夜间同步脚本")
    admin = signed_in_client(app, "nanjing")
    page = page_text(admin.get("/manage/users"))
    assert "夜间同步脚本" in page and "从未使用" in page and secret not in page
    [token_id] = re.findall(
        r"/manage/tokens/([^/]+)/revoke", admin.get("/manage/users").get_data(as_text=True)
    )
    revoked = post(admin, f"/manage/tokens/{token_id}/revoke")
    assert revoked.status_code == 303
    assert "已撤销（" in page_text(admin.get(revoked.headers["Location"]))
    assert authenticate_token(store, secret) is None


def test_actions_above_the_admins_union_write_nothing(web):
    app, store = web
    add_token(store, "jiangsu")
    county_admin = signed_in_client(app, "nanjing")
    token_id = store_token_id(store, "jiangsu")
    before = table_dump(store)
    for path in (
        "/manage/users/jiangsu/disable",
        "/manage/users/jiangsu/reset-password",
        f"/manage/tokens/{token_id}/revoke",
    ):
        refused = post(county_admin, path)
        assert refused.status_code == 403, path
        assert "只能管理本级及下级工会的用户" in page_text(refused)
    assert post(county_admin, "/manage/users/nobody/disable").status_code == 404
    assert table_dump(store) == before


def store_token_id(store, username: str) -> str:
    from stationmap.accounts.tokens import list_tokens

    return list_tokens(store, username)[0].id


def test_non_admins_get_403_and_anonymous_visitors_sign_in(web):
    app, store = web
    editor = signed_in_client(app, "clerk")
    assert "用户管理" not in page_text(editor.get("/manage/imports"))
    before = table_dump(store)
    refused = editor.get("/manage/users")
    assert refused.status_code == 403 and "只有管理员可以管理用户" in page_text(refused)
    token = form_token(editor)
    for path in (
        "/manage/users",
        "/manage/users/qinhuai/disable",
        "/manage/users/qinhuai/reset-password",
    ):
        answer = editor.post(
            path, data={"csrf_token": token, "username": "x1x", "union": "320102", "role": "viewer"}
        )
        assert answer.status_code == 403, path
    assert table_dump(store) == before
    anonymous = app.test_client().get("/manage/users")
    assert (
        anonymous.status_code == 303
        and anonymous.headers["Location"] == "/login?next=/manage/users"
    )


def test_forms_without_the_csrf_token_are_refused(web):
    app, store = web
    admin = signed_in_client(app, "nanjing")
    before = table_dump(store)
    for path in (
        "/manage/users",
        "/manage/users/clerk/disable",
        "/manage/users/clerk/reset-password",
    ):
        answer = admin.post(path, data={"username": "x1x", "union": "320102", "role": "viewer"})
        assert answer.status_code == 403, path
    assert table_dump(store) == before
