"""Who may do what: every signed-in operation × every kind of caller, with the exact status,
on both backends, through the app with real bearer tokens.

The callers are the issue's: anonymous, a viewer of the station's county, an editor of that
county, an editor of another county, a city editor above it, a province admin, the national
admin, a disabled user, a revoked token and an expired token. Every accepted write leaves
audit entries; every refused one leaves none.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from builders import XUANWU, add_station, add_user, bearer
from flask import Flask
from sqlalchemy import func, select, update

from stationmap import create_app
from stationmap.accounts import Principal
from stationmap.accounts.tokens import list_tokens, revoke_token
from stationmap.accounts.users import disable_user
from stationmap.store import Store
from stationmap.store.schema import api_tokens, audit_entries, users
from stationmap.web import close_app

CALLERS = (
    "anonymous",
    "viewer",
    "county_editor",
    "other_county_editor",
    "city_editor",
    "province_admin",
    "national_admin",
    "disabled_user",
    "revoked_token",
    "expired_token",
)
ACCOUNTS = {
    "viewer": ("320102", "viewer"),
    "county_editor": ("320102", "editor"),  # 玄武区: every station here is in it
    "other_county_editor": ("320104", "editor"),  # 秦淮区, its neighbour
    "city_editor": ("320100", "editor"),  # 南京市
    "province_admin": ("320000", "admin"),  # 江苏省
    "national_admin": ("100000", "admin"),
    "disabled_user": ("320102", "editor"),
    "revoked_token": ("320102", "editor"),
    "expired_token": ("320102", "editor"),
}
SIGNED_OUT = {"anonymous": 401, "disabled_user": 401, "revoked_token": 401, "expired_token": 401}

EXPECTED: dict[str, dict[str, int]] = {
    "create station": {
        "viewer": 403,
        "county_editor": 201,
        "other_county_editor": 403,
        "city_editor": 201,
        "province_admin": 201,
        "national_admin": 201,
    },
    "change station": {
        "viewer": 403,
        "county_editor": 200,
        "other_county_editor": 403,
        "city_editor": 200,
        "province_admin": 200,
        "national_admin": 200,
    },
    "read history": {
        "viewer": 200,
        "county_editor": 200,
        "other_county_editor": 403,
        "city_editor": 200,
        "province_admin": 200,
        "national_admin": 200,
    },
    "upload list": {  # another county's editor may upload: its rows here are rejected
        "viewer": 403,
        "county_editor": 201,
        "other_county_editor": 201,
        "city_editor": 201,
        "province_admin": 201,
        "national_admin": 201,
    },
    "apply county's upload": {  # the uploading union's writers, and admins above it
        "viewer": 403,
        "county_editor": 200,
        "other_county_editor": 403,
        "city_editor": 403,
        "province_admin": 200,
        "national_admin": 200,
    },
}
WRITES = {"create station", "change station", "apply county's upload"}
"""Operations that change stations: an accepted one is audited."""


@dataclass
class World:
    """The app on one backend, its store, and a principal for each signed-in caller."""

    app: Flask
    store: Store
    callers: dict[str, Principal]
    cells: int = 0

    @property
    def client(self) -> Any:
        return self.app.test_client()

    def headers(self, caller: str) -> dict[str, str]:
        return bearer(self.callers.get(caller))

    def fresh(self) -> int:
        """A number no earlier cell used: names and places of its own."""
        self.cells += 1
        return self.cells


@pytest.fixture
def world(store: Store, database_url: str) -> Iterator[World]:
    callers = {name: add_user(store, name, *ACCOUNTS[name]) for name in ACCOUNTS}
    bearer(callers["revoked_token"])  # made before it is revoked
    [token] = list_tokens(store, "revoked_token")
    revoke_token(store, token.id)
    disable_user(store, "disabled_user")
    with store.transaction() as conn:
        expired = select(users.c.id).where(users.c.username == "expired_token")
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.user_id == expired.scalar_subquery())
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    app = create_app({"database_url": database_url})
    yield World(app, store, callers)
    close_app(app)


@dataclass(frozen=True)
class Operation:
    """What one cell does: set up what the request needs (not counted), then send it."""

    prepare: Callable[[World], str]
    """Makes what the request acts on (a station, an upload) and returns its id."""
    send: Callable[[World, str, str], Any]
    """Sends the request as the caller (by name), about that id."""


def _a_list(n: int) -> bytes:
    """Two new stations in 玄武区, named and placed for cell ``n`` alone (WGS-84)."""
    lon, lat = XUANWU[0], XUANWU[1] + n * 0.0003
    rows = [f"清单驿站{n}-{i},玄武区{n}号,{lon + i * 0.001:.6f},{lat:.6f},24小时" for i in (0, 1)]
    return "\r\n".join(["驿站名称,详细地址,经度,纬度,开放时间", *rows, ""]).encode()


def _post_list(world: World, caller: str) -> Any:
    data = {"file": (io.BytesIO(_a_list(world.fresh())), "清单.csv"), "crs": "wgs84"}
    return world.client.post("/api/v1/imports", data=data, headers=world.headers(caller))


def _county_upload(world: World) -> str:
    uploaded = _post_list(world, "county_editor")
    assert uploaded.status_code == 201, uploaded.get_json()
    return uploaded.get_json()["id"]


def _new_station(world: World) -> str:
    return add_station(world.store, f"矩阵驿站{world.fresh()}").id


OPERATIONS = {
    "create station": Operation(
        lambda world: "",
        lambda world, caller, _: world.client.post(
            "/api/v1/stations",
            json={
                "name": f"新驿站{world.fresh()}",
                "kind": "shop",
                "lon": XUANWU[0],
                "lat": XUANWU[1],
            },
            headers=world.headers(caller),
        ),
    ),
    "change station": Operation(
        _new_station,
        lambda world, caller, station_id: world.client.patch(
            f"/api/v1/stations/{station_id}",
            json={"phone": "025-****9999"},
            headers=world.headers(caller) | {"If-Match": '"v1"'},
        ),
    ),
    "read history": Operation(
        _new_station,
        lambda world, caller, station_id: world.client.get(
            f"/api/v1/stations/{station_id}/history", headers=world.headers(caller)
        ),
    ),
    "upload list": Operation(lambda world: "", lambda world, caller, _: _post_list(world, caller)),
    "apply county's upload": Operation(
        _county_upload,
        lambda world, caller, upload_id: world.client.post(
            f"/api/v1/imports/{upload_id}/apply", headers=world.headers(caller)
        ),
    ),
}


def _audit_count(store: Store) -> int:
    with store.reading() as conn:
        return conn.execute(select(func.count()).select_from(audit_entries)).scalar_one()


def _run_cell(world: World, operation: str, caller: str) -> tuple[int, str | None, int]:
    """(status, error code, audit entries written) of one caller doing one operation; the
    audit entries are counted around the request alone, not its set-up."""
    doing = OPERATIONS[operation]
    target = doing.prepare(world)
    before = _audit_count(world.store)
    reply = doing.send(world, caller, target)
    body = reply.get_json(silent=True)
    code = body.get("error", {}).get("code") if isinstance(body, dict) else None
    return reply.status_code, code, _audit_count(world.store) - before


def expected_status(operation: str, caller: str) -> int:
    return SIGNED_OUT.get(caller) or EXPECTED[operation][caller]


def test_every_operation_by_every_caller(world: World):
    """The whole matrix (5 operations × 10 callers) in one table, so a failure shows every
    cell that differs, not only the first."""
    got: dict[tuple[str, str], tuple[int, str | None, int]] = {
        (operation, caller): _run_cell(world, operation, caller)
        for operation in OPERATIONS
        for caller in CALLERS
    }
    wrong = {cell: result for cell, result in got.items() if result[0] != expected_status(*cell)}
    assert wrong == {}, "cells whose status differs (status, code, audit entries)"
    for (operation, _caller), (status, code, audited) in got.items():
        if status == 401:
            assert code == "unauthenticated"
        if status == 403:
            assert code in ("forbidden", "outside_jurisdiction")
        if status >= 400 or operation not in WRITES:
            assert audited == 0, f"{operation}: a refused request or a read wrote audit entries"
        else:
            assert audited >= 1, f"{operation}: an accepted write left no audit entry"


def test_the_refusal_codes_say_why(world: World):
    """A viewer is refused for its role, another county's editor for the place."""
    assert _run_cell(world, "create station", "viewer")[1] == "forbidden"
    assert _run_cell(world, "create station", "other_county_editor")[1] == "outside_jurisdiction"
    assert _run_cell(world, "change station", "other_county_editor")[1] == "outside_jurisdiction"
    assert _run_cell(world, "read history", "other_county_editor")[1] == "outside_jurisdiction"


def test_the_matrix_covers_every_signed_in_operation():
    """A new signed-in write must join the matrix: the API's operations that change
    something are exactly the ones exercised here."""
    from stationmap.web.endpoints import ACTIONS

    changing = {(method, path) for (method, path) in ACTIONS if method != "GET"}
    assert changing == {
        ("POST", "/api/v1/stations"),
        ("PATCH", "/api/v1/stations/{station_id}"),
        ("POST", "/api/v1/imports"),
        ("POST", "/api/v1/imports/{upload_id}/apply"),
    }
