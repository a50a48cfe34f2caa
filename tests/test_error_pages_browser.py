"""Error pages as a person meets them in Chromium: in Chinese, whatever went wrong."""

# ruff: noqa: F811  (the fixtures imported from browser.py are test parameters too)

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser import _phone, browser, live_server  # noqa: F401
from playwright.sync_api import Browser, Page, expect

ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}")
"""Any English word: an error page must say nothing in English (its footer has no Latin text)."""
DOCUMENT_STATUS = re.compile(r"the server responded with a status of (404|405)")
"""Chromium's console note for the error document itself: expected here, nothing else is."""


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A phone-sized page on the live server that fails its test on any page error, any
    request off the server, or any console error but the error document's own status."""
    context = browser.new_context(**_phone(None), base_url=live_server.url)
    problems: list[str] = []
    page = context.new_page()
    page.on("request", lambda r: r.url.startswith(live_server.url) or problems.append(r.url))
    page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not DOCUMENT_STATUS.search(m.text)
            and problems.append(f"console error: {m.text}")
        ),
    )
    yield page
    context.close()
    assert not problems, problems


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/stations/zzzzzzzzzz", 404, "找不到这个页面"),
        ("/stations/not-an-id!", 404, "找不到这个页面"),
        ("/counties/999999", 404, "找不到这个页面"),
        ("/counties/999999/map.html", 404, "找不到这个页面"),
        ("/no/such/page", 404, "找不到这个页面"),
    ],
)
def test_an_error_page_speaks_chinese(page: Page, path: str, status: int, heading: str):
    response = page.goto(path)

    assert response is not None and response.status == status
    expect(page.locator("h1")).to_have_text(heading)
    _expect_only_chinese(page, asked=path.rsplit("/", 1)[-1])


def test_an_unknown_station_says_which(page: Page):
    page.goto("/stations/zzzzzzzzzz")
    expect(page.locator(".message")).to_contain_text("没有编号为 zzzzzzzzzz 的驿站")


def test_posting_to_a_page_gets_a_chinese_405(page: Page):
    page.goto("/map")
    with page.expect_navigation() as navigation:
        page.evaluate(
            """() => { const form = document.createElement('form');
                       form.method = 'post'; form.action = '/map';
                       document.body.append(form); form.submit(); }"""
        )
    response = navigation.value
    assert response is not None and response.status == 405
    expect(page.locator("h1")).to_have_text("不能这样打开这个页面")
    _expect_only_chinese(page)


def _expect_only_chinese(page: Page, asked: str = "") -> None:
    """The page's visible text (what was asked for aside) has no English word."""
    text = page.locator("main").inner_text().replace(asked, "")
    assert not ENGLISH_WORDS.search(text), f"English on an error page: {text!r}"
    expect(page.locator("a[href='/']").first).to_be_visible()
