"""Helpers for driving the supervisor pages through the Flask test client."""

from __future__ import annotations

import csv
import html
import io
import re
from html.parser import HTMLParser

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


class _TableParser(HTMLParser):
    """Collect the text of each body cell of the table with one id."""

    def __init__(self, table_id: str):
        super().__init__(convert_charrefs=True)
        self.table_id, self.depth, self.in_body = table_id, 0, False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            if self.depth or dict(attrs).get("id") == self.table_id:
                self.depth += 1
        elif self.depth == 1 and tag == "tbody":
            self.in_body = True
        elif self.depth == 1 and self.in_body and tag == "tr":
            self.rows.append([])
        elif self.depth == 1 and self.in_body and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "tbody":
            self.in_body = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(page: str, table_id: str) -> list[list[str]]:
    """The text of every body cell of <table id=table_id>, row by row (whitespace collapsed)."""
    parser = _TableParser(table_id)
    parser.feed(page)
    return parser.rows


def csv_rows(response) -> list[list[str]]:
    """A CSV download's lines (header first), after checking it is one."""
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads UTF-8 with the byte-order mark
    return list(csv.reader(io.StringIO(text[1:])))


def post_form(client, page_url: str, form_action: str, data: dict | None = None, **kw):
    """Press a button-only form (reverse, close) found on page_url, with the page's CSRF token."""
    return submit(client, page_url, data or {}, action=form_action, **kw)
