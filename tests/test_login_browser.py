"""Signing in and out as a clerk does, in Chromium at phone size, against a real server."""

# ruff: noqa: F811  (the fixtures imported from browser.py are test parameters too)

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from browser import _cli, _phone, _run_cli, browser, save_screenshot, serving  # noqa: F401
from commands import clean_environment
from playwright.sync_api import Browser, Page, expect

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def clerk_server(tmp_path_factory: pytest.TempPathFactory):
    """``stationmap serve`` on an empty store with one user, clerk (added by the command)."""
    folder = tmp_path_factory.mktemp("login")
    env = clean_environment(
        STATIONMAP_DATABASE_URL=f"sqlite:///{folder / 'stationmap.sqlite'}",
        STATIONMAP_INSTANCE_DIR=str(folder),
        STATIONMAP_BASEMAP="none",
    )
    _run_cli(env, "init-db")
    command = ["users", "add", "clerk", "--union", "320102", "--role", "editor", "--password-stdin"]
    added = subprocess.run(
        [_cli(), *command],
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
    )
    assert added.returncode == 0, added.stderr
    with serving(env, folder) as server:
        yield server


@pytest.fixture
def phone(browser: Browser, clerk_server) -> Iterator[Page]:
    context = browser.new_context(**_phone(None), base_url=clerk_server.url)
    page = context.new_page()
    page.set_default_timeout(5_000)
    yield page
    context.close()


def test_a_clerk_signs_in_and_out_on_a_phone(phone: Page):
    phone.goto("/login?next=/login")
    save_screenshot(phone, "login.png")
    phone.get_by_label("用户名", exact=True).fill("clerk")
    phone.get_by_label("密码", exact=True).fill("not the password")
    phone.get_by_role("button", name="登录", exact=True).click()
    expect(phone.get_by_role("alert")).to_have_text("用户名或密码错误")
    phone.get_by_label("密码", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="登录", exact=True).click()
    expect(phone.locator(".signed-in")).to_contain_text("clerk")
    save_screenshot(phone, "login-signed-in.png")
    phone.get_by_role("button", name="退出登录").click()
    expect(phone).to_have_url(re.compile(r"/login$"))
    expect(phone.locator(".signed-in")).to_have_count(0)
