"""Signing in and out as a clerk does, in Chromium at phone size, against a real server."""

# ruff: noqa: F811  (the fixtures imported from browser.py are test parameters too)

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser import PASSWORD, _phone, browser, save_screenshot, serving_with_users  # noqa: F401
from playwright.sync_api import Browser, Page, expect


@pytest.fixture(scope="module")
def clerk_server(tmp_path_factory: pytest.TempPathFactory):
    """``stationmap serve`` on an empty store with one user, clerk (added by the command)."""
    users = [("clerk", "320102", "editor")]
    with serving_with_users(tmp_path_factory.mktemp("login"), users) as server:
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
