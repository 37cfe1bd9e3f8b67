"""Every page works under its Content-Security-Policy: no inline script, handler or style is refused.

Chromium reports each refusal as a securitypolicyviolation event and a console message ("Refused to
execute inline event handler..."); either fails the test. The supervisor's pages are the ones
tests/supervisor/test_layout.py walks; the handheld's are its screens, opened as a worker does.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from handheld_web.screens import SCREENS
from tests.handheld.steps import sign_in

RECORD_VIOLATIONS = """window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


@pytest.fixture
def violations(page):
    """The CSP refusals the page reported, as text; the test asserts it stays empty."""
    found: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text
            or msg.text.startswith("Refused to") else None)

    def collect(where: str) -> list[str]:
        found.extend(f"{where}: {v}" for v in page.evaluate("window.__csp || []"))
        page.evaluate("window.__csp = []")
        return found

    return collect


def test_every_handheld_screen_runs_under_the_policy(page, live_server, users, violations):
    sign_in(page, live_server, users["supervisor"])
    violations("/hh/ home")
    for screen in SCREENS:
        if not screen.endpoint:
            continue
        page.goto(live_server + "/hh/")
        page.locator(f"#tile-{screen.name}").click()
        expect(page.locator(f"#{screen.name}-screen")).to_be_visible()
        expect(page.locator("#scan")).to_be_focused()  # its module ran
        violations(screen.name)
    page.goto(live_server + "/hh/no-such-screen")  # the plain error page too
    assert violations("error page") == []


def _sign_in_as_admin(page, live_server: str) -> None:
    """The demo's admin (seeded by test_layout's _seed) signs in to the supervisor pages."""
    page.goto(live_server + "/login")
    page.fill("#username", "admin")
    page.fill("#password", "shipfloor-admin")
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def test_every_supervisor_page_runs_under_the_policy(app, live_server, page, violations):
    from tests.supervisor.test_layout import _pages, _seed

    values = _seed()
    _sign_in_as_admin(page, live_server)
    for path in _pages(app, values):
        response = page.goto(live_server + path)
        assert response.status == 200, (path, response.status)
        violations(path)
    assert violations("supervisor pages") == []


def test_the_reversal_still_asks_before_it_posts(app, live_server, page, violations):
    """The confirm() moved from an onsubmit attribute into supervisor.js: cancelling still posts nothing."""
    from tests.supervisor.test_layout import _seed

    values = _seed()
    _sign_in_as_admin(page, live_server)
    page.goto(live_server + f"/movements/{values['move_id'] - 1}")
    page.select_option("#reason", index=1)
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("#reverse-submit")
    expect(page.locator("#reverse-form")).to_be_visible()
    assert asked and asked[0].startswith("Reverse movement"), asked
    assert violations("reversal") == []
