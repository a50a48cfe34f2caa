"""``stationmap users`` and ``stationmap tokens``: accounts from the server's shell.

For the first admin and for scripts. A password or a token is printed once, when it
is made, and never again (nor logged). Bad input is one line on standard error saying
what to do, exit status 2, and nothing written: the ``stationmap`` group renders the
use cases' errors so, and the options that click would refuse with a usage page are
taken as text and checked here instead.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from .cli_store import opened_store
from .errors import BadRequest

if TYPE_CHECKING:
    from .accounts.tokens import TokenInfo
    from .accounts.users import UserAccount
    from .config import Settings


def _stdin_password() -> str:
    """The password on standard input: its first line, without the line end."""
    return sys.stdin.readline().rstrip("\r\n")


def _show_password_once(password: str, username: str) -> None:
    click.echo(f"password: {password}")
    click.echo(
        "this password will not be shown again: hand it over now; "
        f"`stationmap users reset-password {username}` makes a new one"
    )


@click.group("users")
def users_group() -> None:
    """Users of unions: add, list, disable, reset a password."""


@users_group.command("add")
@click.argument("username")
@click.option(
    "--union",
    "union",
    required=True,
    metavar="ADCODE",
    help=(
        "The user's union by 6-digit adcode: 100000 national, 320000 a province, 320100 a "
        "city, 320102 a county (created if missing)."
    ),
)
@click.option(
    "--role",
    required=True,
    metavar="admin|editor|viewer",
    help=(
        "admin manages users of its union and those below, and edits; editor writes "
        "stations; viewer reads history, drafts and import reports."
    ),
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help=(
        "Read the password from standard input (at least 10 characters) instead of generating one."
    ),
)
@click.pass_obj
def add_command(
    settings: Settings, username: str, union: str, role: str, password_stdin: bool
) -> None:
    """Add USERNAME to a union with a role; prints a generated password once."""
    from .accounts.users import add_user

    password = _stdin_password() if password_stdin else None
    new = add_user(opened_store(settings, migrate=True), username, union, role, password)
    user = new.principal
    click.echo(f"added {user.username}: {user.role} of {user.union_name} ({union.strip()})")
    if new.password is not None:
        _show_password_once(new.password, user.username)


@users_group.command("list")
@click.pass_obj
def list_command(settings: Settings) -> None:
    """Every user: name, role, union, state, when added."""
    from .accounts.users import list_users

    accounts = list_users(opened_store(settings))
    for account in accounts:
        click.echo(_user_line(account))
    if not accounts:
        click.echo(
            "no users yet; add the first admin with "
            "`stationmap users add admin --union 100000 --role admin`",
            err=True,
        )


def _user_line(account: UserAccount) -> str:
    state = f"disabled {_when(account.disabled_at)}" if account.disabled_at else "active"
    return (
        f"{account.username}  {account.role:<6}  {account.union_adcode}  "
        f"{account.union_name}  {state}  added {_when(account.created_at)}"
    )


@users_group.command("disable")
@click.argument("username")
@click.pass_obj
def disable_command(settings: Settings, username: str) -> None:
    """Disable USERNAME: its sessions end and its tokens stop working."""
    from .accounts.users import disable_user

    disable_user(opened_store(settings), username)
    click.echo(f"disabled {username}: signed out everywhere, its tokens refused")


@users_group.command("reset-password")
@click.argument("username")
@click.option(
    "--password-stdin",
    is_flag=True,
    help=("Read the new password from standard input instead of generating one."),
)
@click.pass_obj
def reset_password_command(settings: Settings, username: str, password_stdin: bool) -> None:
    """Give USERNAME a new password (printed once) and end its web sessions."""
    from .accounts.users import reset_password

    password = _stdin_password() if password_stdin else None
    shown = reset_password(opened_store(settings), username, password)
    click.echo(f"new password set for {username}; its web sessions have ended")
    if shown is not None:
        _show_password_once(shown, username)


@click.group("tokens")
def tokens_group() -> None:
    """API tokens for scripts: create, list, revoke."""


@tokens_group.command("create")
@click.argument("username")
@click.option(
    "--expires-days",
    default="90",
    metavar="N",
    help=("Days the token works, 1 to 3650 [default: 90]."),
)
@click.option("--label", default="", help="What the token is for (shown by `tokens list`).")
@click.pass_obj
def create_command(settings: Settings, username: str, expires_days: str, label: str) -> None:
    """Create a token for USERNAME; prints it alone on the last line, once."""
    from .accounts.tokens import create_token

    new = create_token(opened_store(settings), username, _days(expires_days), label)
    click.echo(f"token {new.id} for {username}, expires {_when(new.expires_at)}")
    click.echo("it will not be shown again; send it as `Authorization: Bearer TOKEN`:")
    click.echo(new.secret)


def _days(text: str) -> int:
    """``--expires-days`` as a number, or :class:`BadRequest` in one line."""
    from .accounts.tokens import check_expiry_days

    if not (text.strip().isascii() and text.strip().isdigit()):
        raise BadRequest(f"--expires-days: got {text!r}, expected a whole number from 1 to 3650")
    return check_expiry_days(int(text))


@tokens_group.command("list")
@click.argument("username", required=False)
@click.option("--json", "as_json", is_flag=True, help="A JSON list of objects, for scripts.")
@click.pass_obj
def tokens_list_command(settings: Settings, username: str | None, as_json: bool) -> None:
    """Every token (or USERNAME's): id, user, label, expiry, revocation, last use."""
    from .accounts.tokens import list_tokens

    tokens = list_tokens(opened_store(settings), username)
    if as_json:
        click.echo(json.dumps([_token_json(t) for t in tokens], ensure_ascii=False, indent=2))
        return
    for token in tokens:
        click.echo(_token_line(token))
    if not tokens:
        click.echo("no tokens; `stationmap tokens create USERNAME` makes one", err=True)


def _token_json(token: TokenInfo) -> dict[str, Any]:
    return {
        "id": token.id,
        "user": token.user,
        "union": token.union,
        "label": token.label,
        "created_at": _iso(token.created_at),
        "expires_at": _iso(token.expires_at),
        "revoked_at": _iso(token.revoked_at),
        "last_used_at": _iso(token.last_used_at),
    }


def _token_line(token: TokenInfo) -> str:
    state = (
        f"revoked {_when(token.revoked_at)}"
        if token.revoked_at
        else (f"expires {_when(token.expires_at)}")
    )
    used = f"last used {_when(token.last_used_at)}" if token.last_used_at else "never used"
    label = f"  {token.label}" if token.label else ""
    return f"{token.id}  {token.user}  {state}  {used}{label}"


@tokens_group.command("revoke")
@click.argument("token_id")
@click.pass_obj
def revoke_command(settings: Settings, token_id: str) -> None:
    """Revoke the token TOKEN_ID (its id from `tokens list`, not the secret)."""
    from .accounts.tokens import revoke_token

    revoke_token(opened_store(settings), token_id)
    click.echo(f"revoked token {token_id}")


def _iso(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") if at is not None else None


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at is not None else "-"
