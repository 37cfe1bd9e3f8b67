"""Browser helpers for the handheld UI tests: sign in the way a floor worker does."""

from __future__ import annotations

import pytest

from tests.helpers import cheap_hash_secret

PIN = "1234"


@pytest.fixture(autouse=True)
def _fast_secrets(monkeypatch):
    # The users fixture makes five users; real scrypt costs ~80 ms each. Badge login still checks a hash.
    monkeypatch.setattr("server.auth.services.hash_secret", cheap_hash_secret)


def wedge_scan(page, code: str, *, field: str = "#scan") -> None:
    """Type a code into the scan field as a keyboard-wedge scanner does: a fast burst, then Enter."""
    scan = page.locator(field)
    scan.press_sequentially(code, delay=5)
    scan.press("Enter")


def sign_in(page, live_server: str, user, *, pin: str = PIN) -> None:
    """Open the shell, scan the user's badge, type the PIN and wait for the home screen."""
    from playwright.sync_api import expect

    page.goto(live_server + "/hh/")
    expect(page.locator("#login-screen")).to_be_visible()
    wedge_scan(page, user.badge_code)
    expect(page.locator("#pin")).to_be_visible()
    page.locator("#pin").fill(pin)
    page.locator("#pin").press("Enter")
    expect(page.locator("#home-screen")).to_be_visible()


@pytest.fixture
def signed_in(page, live_server, users):
    """sign_in(role) → the page, on the home screen as that role's user."""
    def go(role: str = "receiver"):
        sign_in(page, live_server, users[role])
        return page
    return go
