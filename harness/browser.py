"""Debian's chromium driven by Playwright, for the browser tests and the replay benchmark."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, Frame, Page, WebSocket, expect, sync_playwright

__all__ = ["Browser", "Frame", "Page", "WebSocket", "expect", "chromium", "as_function"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


FUNCTION = re.compile(r"\s*(async\b|function\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)")


def as_function(expression: str) -> str:
    """`wait_for_function("a.b === 1")` makes Playwright eval() the string on every poll, which
    the app's Content-Security-Policy (no 'unsafe-eval') refuses; a function's source is
    evaluated once and then called, so an expression is passed as `() => (expression)`."""
    return expression if FUNCTION.match(expression) else f"() => ({expression})"


def _wait_without_eval(cls: Any) -> None:
    original = cls.wait_for_function

    def wait_for_function(self: Any, expression: str, *args: Any, **kwargs: Any) -> Any:
        return original(self, as_function(expression), *args, **kwargs)

    cls.wait_for_function = wait_for_function


for _cls in (Page, Frame):
    _wait_without_eval(_cls)


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless chromium, closed on exit (Playwright cannot download browsers here)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
