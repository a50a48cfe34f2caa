"""API tokens and web sessions on both backends: shown once, stored hashed, refused once over."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from builders import add_token, add_user, table_dump
from sqlalchemy import select, update

from stationmap.accounts.sessions import (
    MAX_AGE,
    end_session,
    session_principal,
    start_session,
)
from stationmap.accounts.tokens import (
    authenticate_token,
    create_token,
    list_tokens,
    revoke_token,
)
from stationmap.accounts.users import disable_user, reset_password
from stationmap.errors import BadRequest, Forbidden, NotFound
from stationmap.store.schema import api_tokens, now, user_sessions


def test_a_token_signs_its_user_in_and_is_stored_as_sha256(store):
    clerk = add_user(store, "clerk", with_token=False)
    new = create_token(store, "clerk", label="nightly sync")
    assert new.secret.startswith("smt_") and len(new.secret) == 4 + 43
    principal = authenticate_token(store, new.secret)
    assert principal is not None
    assert principal.user_id == clerk.user_id and principal.token_id == new.id
    dump = repr(table_dump(store))
    assert new.secret not in dump
    assert hashlib.sha256(new.secret.encode()).hexdigest() in dump


def test_a_token_expires_after_90_days_by_default(store):
    add_user(store, "clerk", with_token=False)
    new = create_token(store, "clerk")
    assert timedelta(days=89, hours=23) < new.expires_at - now() <= timedelta(days=90)


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_bad_expiry_is_refused_and_writes_nothing(store, days):
    add_user(store, "clerk", with_token=False)
    before = table_dump(store)
    with pytest.raises(BadRequest):
        create_token(store, "clerk", expires_days=days)
    assert table_dump(store) == before


def test_expired_revoked_unknown_and_disabled_users_tokens_are_refused(store):
    add_user(store, "clerk", with_token=False)
    add_user(store, "other", with_token=False)
    expired, revoked, kept = (add_token(store, "clerk") for _ in range(3))
    disabled = add_token(store, "other")
    with store.transaction() as conn:
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.secret_hash == hashlib.sha256(expired.encode()).hexdigest())
            .values(expires_at=now() - timedelta(seconds=1))
        )
    revoke_token(store, _token_id(store, revoked))
    disable_user(store, "other")
    assert authenticate_token(store, expired) is None
    assert authenticate_token(store, revoked) is None
    assert authenticate_token(store, disabled) is None
    assert authenticate_token(store, "smt_" + "x" * 43) is None
    assert authenticate_token(store, "not a token") is None
    assert authenticate_token(store, kept) is not None


def test_a_password_reset_leaves_tokens_working(store):
    add_user(store, "clerk", with_token=False)
    secret = add_token(store, "clerk")
    reset_password(store, "clerk")
    assert authenticate_token(store, secret) is not None


def test_last_use_is_written_at_most_once_a_minute(store):
    add_user(store, "clerk", with_token=False)
    secret = add_token(store, "clerk")
    authenticate_token(store, secret)
    [first] = list_tokens(store)
    assert first.last_used_at is not None
    before = table_dump(store)
    authenticate_token(store, secret)
    assert table_dump(store) == before
    with store.transaction() as conn:
        conn.execute(update(api_tokens).values(last_used_at=now() - timedelta(minutes=2)))
    authenticate_token(store, secret)
    [later] = list_tokens(store)
    assert later.last_used_at is not None and later.last_used_at > first.last_used_at


def test_tokens_are_listed_per_user_and_per_admin(store):
    admin = add_user(store, "nanjing", "320100", "admin", with_token=False)
    add_user(store, "xuanwu", "320102", with_token=False)
    add_user(store, "suzhou", "320500", with_token=False)
    for name in ("xuanwu", "suzhou", "nanjing"):
        create_token(store, name, label=f"{name}'s")
    assert [t.user for t in list_tokens(store)] == ["xuanwu", "suzhou", "nanjing"]
    assert [t.user for t in list_tokens(store, "xuanwu")] == ["xuanwu"]
    assert [t.user for t in list_tokens(store, by=admin)] == ["xuanwu", "nanjing"]
    [listed] = list_tokens(store, "suzhou")
    assert (listed.union, listed.label, listed.revoked_at) == ("320500", "suzhou's", None)
    with pytest.raises(Forbidden):
        revoke_token(store, listed.id, by=admin)
    with pytest.raises(Forbidden):
        create_token(store, "suzhou", by=admin)


def test_revoking_is_audited_and_unknown_tokens_named(store):
    add_user(store, "clerk", with_token=False)
    new = create_token(store, "clerk")
    revoke_token(store, new.id)
    revoke_token(store, new.id)
    actions = [(e.action, e.after) for e in store.history(new.id, "token")]
    assert actions[0][0] == "create" and new.secret not in repr(actions)
    assert actions[1:] == [("update", {"revoked": True})]
    with pytest.raises(NotFound):
        revoke_token(store, "0000000000")


def test_a_session_key_is_stored_hashed_and_ends_at_logout(store):
    clerk = add_user(store, "clerk", with_token=False)
    key = start_session(store, clerk, "203.0.113.9")
    assert key not in repr(table_dump(store))
    assert session_principal(store, key) == clerk
    end_session(store, key)
    assert session_principal(store, key) is None
    assert session_principal(store, "made-up") is None


def test_a_session_older_than_the_max_age_is_over(store):
    clerk = add_user(store, "clerk", with_token=False)
    key = start_session(store, clerk)
    with store.transaction() as conn:
        conn.execute(update(user_sessions).values(created_at=now() - MAX_AGE - timedelta(1)))
    assert session_principal(store, key) is None


def test_a_session_is_touched_at_most_once_a_minute(store):
    clerk = add_user(store, "clerk", with_token=False)
    key = start_session(store, clerk)
    before = table_dump(store)
    session_principal(store, key)
    assert table_dump(store) == before
    old = now() - timedelta(minutes=5)
    with store.transaction() as conn:
        conn.execute(update(user_sessions).values(last_seen_at=old))
    session_principal(store, key)
    with store.reading() as conn:
        assert conn.execute(select(user_sessions.c.last_seen_at)).scalar_one() > old


def _token_id(store, secret):
    principal = authenticate_token(store, secret)
    assert principal is not None and principal.token_id is not None
    return principal.token_id
