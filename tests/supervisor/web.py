"""Helpers for driving the supervisor pages through the Flask test client."""

from __future__ import annotations

import html
import re

PASSWORD = "password123"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(page: str) -> str:
    """Read the CSRF token out of a rendered page, as a browser would send it back."""
    found = _CSRF.search(page)
    assert found, "the page has no csrf_token field"
    return found.group(1)


def login(client, username: str, password: str = PASSWORD, *, next: str | None = None):
    """Sign in through the form; returns the POST response (302 on success)."""
    url = "/login" + (f"?next={next}" if next else "")
    token = csrf_token(client.get(url).text)
    return client.post(url, data={"username": username, "password": password, "csrf_token": token})


def submit(client, page_url: str, data: dict, *, action: str | None = None, **kw):
    """Open page_url, then post data (plus the page's CSRF token) to action or back to the page."""
    token = csrf_token(client.get(page_url).text)
    return client.post(action or page_url, data={**data, "csrf_token": token}, **kw)


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-\w+"[^>]*>(.*?)</p>', page, re.S)]


def field_errors(page: str, field: str) -> list[str]:
    pattern = rf'<p class="field-error" data-field="{re.escape(field)}">(.*?)</p>'
    return [html.unescape(m) for m in re.findall(pattern, page, re.S)]


def rows(page: str, attr: str) -> list[str]:
    """The data-<attr> values of the table rows, in page order."""
    pattern = rf'<tr class="[^"]*" (?:id="[^"]*" )?data-{attr}="([^"]*)"'
    return [html.unescape(m) for m in re.findall(pattern, page)]


def total(page: str) -> int:
    return int(re.search(r'id="total" data-total="(\d+)"', page).group(1))


def import_error_lines(page: str) -> list[int]:
    """The file line numbers the import result lists as refused."""
    return [int(n) for n in re.findall(r'<tr class="import-error" data-line="(\d+)">', page)]
