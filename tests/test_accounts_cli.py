"""``stationmap users`` and ``stationmap tokens`` as the contract says, on both backends."""

from __future__ import annotations

import json
import logging

import pytest
from builders import table_dump
from click.testing import CliRunner

from stationmap.accounts.tokens import authenticate_token
from stationmap.accounts.users import authenticate
from stationmap.cli import main


def run(*args: str, stdin: str | None = None):
    """``stationmap ARGS`` through click's runner, stdout and stderr apart."""
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_users_add_prints_a_generated_password_once(cli_store):
    result = run("users", "add", "admin", "--union", "100000", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert "中华全国总工会" in result.stdout
    [password] = [
        line.split(": ", 1)[1] for line in result.stdout.splitlines() if "password:" in line
    ]
    assert "will not be shown again" in result.stdout
    principal = authenticate(cli_store, "admin", password)
    assert principal is not None and principal.jurisdiction == ""
    listed = run("users", "list")
    assert "admin" in listed.stdout and password not in listed.stdout


def test_users_add_reads_a_password_from_stdin(cli_store):
    result = run(
        "users",
        "add",
        "clerk",
        "--union",
        "320102",
        "--role",
        "editor",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    assert "correct horse battery" not in result.output and "password:" not in result.stdout
    assert authenticate(cli_store, "clerk", "correct horse battery") is not None


@pytest.mark.parametrize(
    "args, stdin, says",
    [
        (("users", "add", "clerk", "--union", "3201", "--role", "editor"), None, "6-digit"),
        (("users", "add", "clerk", "--union", "329900", "--role", "editor"), None, "counties"),
        (("users", "add", "clerk", "--union", "320102", "--role", "boss"), None, "admin, editor"),
        (("users", "add", "taken", "--union", "320102", "--role", "editor"), None, "taken"),
        (("users", "add", "x", "--union", "320102", "--role", "editor"), None, "3 to 64"),
        (
            ("users", "add", "clerk", "--union", "320102", "--role", "editor", "--password-stdin"),
            "\n",
            "empty",
        ),
        (
            ("users", "add", "clerk", "--union", "320102", "--role", "editor", "--password-stdin"),
            "short\n",
            "at least 10",
        ),
        (("users", "disable", "nobody"), None, "users list"),
        (("users", "reset-password", "nobody"), None, "users list"),
        (("users", "reset-password", "taken", "--password-stdin"), "short\n", "at least 10"),
        (("tokens", "create", "nobody"), None, "users list"),
        (("tokens", "create", "taken", "--expires-days", "0"), None, "1 to 3650"),
        (("tokens", "create", "taken", "--expires-days", "3651"), None, "1 to 3650"),
        (("tokens", "create", "taken", "--expires-days", "soon"), None, "1 to 3650"),
        (("tokens", "revoke", "0000000000"), None, "tokens list"),
        (("tokens", "revoke", "smt_abc"), None, "its id"),
        (("tokens", "list", "nobody"), None, "users list"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(cli_store, args, stdin, says):
    run("users", "add", "taken", "--union", "320102", "--role", "editor")
    before = table_dump(cli_store)
    result = run(*args, stdin=stdin)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and says in line
    assert table_dump(cli_store) == before


def test_tokens_create_prints_the_token_alone_on_the_last_line(cli_store):
    run("users", "add", "clerk", "--union", "320102", "--role", "editor")
    result = run("tokens", "create", "clerk", "--expires-days", "7", "--label", "sync")
    assert result.exit_code == 0, result.output
    secret = result.stdout.splitlines()[-1]
    assert secret.startswith("smt_") and " " not in secret
    principal = authenticate_token(cli_store, secret)
    assert principal is not None and principal.username == "clerk"
    listed = run("tokens", "list", "clerk", "--json")
    [token] = json.loads(listed.stdout)
    assert token["id"] == principal.token_id and token["user"] == "clerk"
    assert {
        "id",
        "user",
        "union",
        "label",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    } <= set(token)
    assert token["label"] == "sync" and token["union"] == "320102"
    assert token["last_used_at"] is not None and token["revoked_at"] is None
    assert secret not in listed.stdout


def test_tokens_revoke_ends_a_token(cli_store):
    run("users", "add", "clerk", "--union", "320102", "--role", "editor")
    secret = run("tokens", "create", "clerk").stdout.splitlines()[-1]
    [token] = json.loads(run("tokens", "list", "--json").stdout)
    assert run("tokens", "revoke", token["id"]).exit_code == 0
    assert authenticate_token(cli_store, secret) is None
    [token] = json.loads(run("tokens", "list", "--json").stdout)
    assert token["revoked_at"] is not None


def test_reset_and_disable(cli_store):
    run("users", "add", "clerk", "--union", "320102", "--role", "editor")
    reset = run("users", "reset-password", "clerk")
    assert reset.exit_code == 0, reset.output
    [password] = [
        line.split(": ", 1)[1] for line in reset.stdout.splitlines() if "password:" in line
    ]
    assert authenticate(cli_store, "clerk", password) is not None
    assert run("users", "disable", "clerk").exit_code == 0
    assert authenticate(cli_store, "clerk", password) is None
    assert "disabled" in run("users", "list").stdout


def test_no_password_or_token_reaches_the_log(cli_store, caplog):
    caplog.set_level(logging.DEBUG)
    added = run("users", "add", "clerk", "--union", "320102", "--role", "editor")
    reset = run("users", "reset-password", "clerk", "--password-stdin", stdin="a chosen secret\n")
    created = run("tokens", "create", "clerk")
    secrets_shown = [
        added.stdout.split("password: ")[1].split()[0],
        "a chosen secret",
        created.stdout.splitlines()[-1],
    ]
    assert reset.exit_code == 0
    assert authenticate_token(cli_store, secrets_shown[2]) is not None
    logged = caplog.text + repr([r.args for r in caplog.records])
    assert not [s for s in secrets_shown if s in logged]
    assert not [s for s in secrets_shown if s in repr(table_dump(cli_store))]
