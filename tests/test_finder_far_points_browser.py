"""The rider page on a phone far from China, in real Chromium: told at once that its
position is outside the area served, never handed a station 8,600 km away."""

# ruff: noqa: F811  (the fixtures imported from browser.py are test parameters too)

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser import (  # noqa: F401  (fixtures are found by name)
    _is_local,
    _phone,
    browser,
    live_server,
    save_screenshot,
)
from playwright.sync_api import Browser, Page, expect

REFUSED_NEAREST = "400 (BAD REQUEST)"
"""Chromium logs the refused request as a console error; that one is expected here."""


@pytest.fixture
def far_page(browser: Browser, live_server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A phone-sized page whose position is ``request.param`` (lon, lat); like browser.py's
    ``page``, it fails on a request off 127.0.0.1 and on any console error but the 400."""
    context = browser.new_context(**_phone(request.param), base_url=live_server.url)
    problems: list[str] = []
    context.route(lambda url: not _is_local(url), lambda route: problems.append(route.request.url))
    page = context.new_page()
    page.on(
        "console",
        lambda m: m.type == "error" and REFUSED_NEAREST not in m.text and problems.append(m.text),
    )
    page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
    yield page
    context.close()
    assert not problems, problems


@pytest.mark.parametrize(
    "far_page", [(0.0, 0.0), (-91.9, -4.1)], ids=["null-island", "pacific"], indirect=True
)
def test_a_rider_far_from_china_is_told_the_position_is_outside_the_area(far_page: Page, request):
    far_page.goto("/")
    status = far_page.locator("#status")
    expect(status).to_contain_text("超出服务范围", timeout=5_000)
    expect(status).to_contain_text("距中国大陆约")
    expect(status).not_to_contain_text("expected a point")  # the rider reads Chinese only
    expect(far_page.locator("#list li.station")).to_have_count(0)
    save_screenshot(far_page, f"rider-outside-area-{request.node.callspec.id}.png")
