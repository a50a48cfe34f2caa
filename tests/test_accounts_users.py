"""Users of unions on both backends: add, list, disable, reset, sign in; who may do what."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from builders import add_user, table_dump
from sqlalchemy import select

from stationmap.accounts import passwords
from stationmap.accounts.sessions import session_principal, start_session
from stationmap.accounts.users import (
    add_user as add_account,
)
from stationmap.accounts.users import (
    authenticate,
    disable_user,
    list_users,
    reset_password,
)
from stationmap.errors import BadRequest, Conflict, Forbidden, NotFound
from stationmap.store import users as stored_users
from stationmap.store.schema import users


def test_a_user_added_with_a_password_signs_in_with_it(store):
    new = add_account(store, "Clerk.One", "320102", "editor", "correct horse battery")
    assert new.password is None
    principal = authenticate(store, "clerk.one", "correct horse battery")
    assert principal == new.principal
    assert (principal.username, principal.role, principal.jurisdiction) == (
        "clerk.one",
        "editor",
        "320102",
    )
    assert principal.union_name == "玄武区总工会"


def test_usernames_are_nfkc_and_case_insensitive(store):
    add_account(store, "ＡＤＭＩＮ", "320100", "admin", "correct horse battery")
    assert authenticate(store, "Admin", "correct horse battery") is not None
    with pytest.raises(Conflict):
        add_account(store, "admin", "320102", "editor", "another good one")


def test_a_generated_password_is_readable_long_and_works(store):
    new = add_account(store, "玄武区管理员", "320102", "admin")
    assert new.password is not None and len(new.password) >= 16
    assert set(new.password) <= set(passwords.READABLE + "-")
    assert authenticate(store, "玄武区管理员", new.password) == new.principal


def test_the_password_is_stored_as_an_argon2id_hash_only(store):
    add_account(store, "clerk", "320102", "editor", "correct horse battery")
    dump = repr(table_dump(store))
    assert "correct horse battery" not in dump
    with store.reading() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=1$")


@pytest.mark.parametrize(
    "adcode, name",
    [
        ("100000", "中华全国总工会"),
        ("320000", "江苏省总工会"),
        ("320100", "南京市总工会"),
        ("320102", "玄武区总工会"),
    ],
)
def test_the_union_is_created_with_its_reference_name(store, adcode, name):
    principal = add_user(store, "someone", adcode, "viewer")
    assert principal.union_name == name
    [union] = store.list_unions()
    assert union.name == name
    assert [e.action for e in store.history(union.id, "union")] == ["create"]


def test_users_of_one_union_share_it(store):
    first = add_user(store, "one", "320102")
    second = add_user(store, "two", "320102")
    assert first.union_id == second.union_id
    assert len(store.list_unions()) == 1


@pytest.mark.parametrize(
    "username, union, role, password, code",
    [
        ("ab", "320102", "editor", None, "bad_username"),
        ("has space", "320102", "editor", None, "bad_username"),
        ("a" * 65, "320102", "editor", None, "bad_username"),
        ("clerk", "3201", "editor", None, "bad_union"),
        ("clerk", "329900", "editor", None, "bad_union"),
        ("clerk", "320102", "owner", None, "bad_role"),
        ("clerk", "320102", "editor", "", "bad_password"),
        ("clerk", "320102", "editor", "short", "bad_password"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(store, username, union, role, password, code):
    before = table_dump(store)
    with pytest.raises(BadRequest) as refused:
        add_account(store, username, union, role, password)
    assert refused.value.code == code
    assert table_dump(store) == before


def test_an_admin_manages_its_union_and_those_below(store):
    admin = add_user(store, "nanjing", "320100", "admin")
    new = add_account(store, "xuanwu", "320102", "editor", by=admin)
    assert new.principal.jurisdiction == "320102"
    disable_user(store, "xuanwu", by=admin)
    assert [u.username for u in list_users(store, by=admin)] == ["nanjing", "xuanwu"]


def test_an_admin_cannot_create_a_user_above_its_union(store):
    admin = add_user(store, "nanjing", "320100", "admin")
    before = table_dump(store)
    with pytest.raises(Forbidden) as refused:
        add_account(store, "jiangsu", "320000", "admin", by=admin)
    assert refused.value.code == "forbidden"
    assert table_dump(store) == before


def test_editors_and_other_cities_admins_manage_nobody(store):
    editor = add_user(store, "editor", "320100", "editor")
    suzhou = add_user(store, "suzhou", "320500", "admin")
    add_user(store, "xuanwu", "320102", "viewer")
    for outsider in (editor, suzhou):
        with pytest.raises(Forbidden):
            add_account(store, "newbie", "320102", "viewer", by=outsider)
        with pytest.raises(Forbidden):
            disable_user(store, "xuanwu", by=outsider)
        with pytest.raises(Forbidden):
            reset_password(store, "xuanwu", by=outsider)


def test_a_disabled_user_fails_to_sign_in_as_a_wrong_password_does(store):
    add_account(store, "clerk", "320102", "editor", "correct horse battery")
    key = start_session(store, authenticate(store, "clerk", "correct horse battery"))
    disable_user(store, "clerk")
    assert authenticate(store, "clerk", "correct horse battery") is None
    assert session_principal(store, key) is None
    [entry] = [e for e in _user_history(store, "clerk") if e.action == "update"]
    assert entry.after == {"disabled": True}


def test_a_reset_gives_a_new_password_and_ends_every_session(store):
    add_account(store, "clerk", "320102", "editor", "correct horse battery")
    principal = authenticate(store, "clerk", "correct horse battery")
    keys = [start_session(store, principal) for _ in range(2)]
    new_password = reset_password(store, "clerk")
    assert new_password is not None
    assert authenticate(store, "clerk", "correct horse battery") is None
    assert authenticate(store, "clerk", new_password) == principal
    assert [session_principal(store, key) for key in keys] == [None, None]
    assert _user_history(store, "clerk")[-1].after == {"password": "reset"}


def test_unknown_users_are_named_as_such(store):
    with pytest.raises(NotFound):
        disable_user(store, "nobody")
    with pytest.raises(NotFound):
        reset_password(store, "nobody")


def test_sign_in_with_old_parameters_rehashes(store):
    add_user(store, "clerk")
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    with store.transaction() as conn:
        user = stored_users.by_username(conn, "clerk")
        stored_users.set_password_hash(conn, user, weak.hash("correct horse battery"), None)
    assert authenticate(store, "clerk", "correct horse battery") is not None
    with store.reading() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert not passwords.needs_rehash(stored)


def _user_history(store, username):
    [account] = [u for u in list_users(store) if u.username == username]
    return store.history(account.id, "user")
