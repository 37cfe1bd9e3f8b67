"""What a floor worker does with the handheld, as Playwright steps, and quick looks at the result."""

from __future__ import annotations

from playwright.sync_api import expect

PIN = "1234"
GTIN13 = "6291041500213"  # published GS1 example, valid check digit
CASE_GTIN14 = "10614141007346"  # a case of 12 of another item


def wedge_scan(page, code: str, *, field: str = "#scan") -> None:
    """Type a code into the scan field as a keyboard-wedge scanner does: a fast burst, then Enter."""
    scan = page.locator(field)
    scan.press_sequentially(code, delay=5)
    scan.press("Enter")


def sign_in(page, live_server: str, user, *, pin: str = PIN) -> None:
    """Open the shell, scan the user's badge, type the PIN and wait for the home screen."""
    page.goto(live_server + "/hh/")
    expect(page.locator("#login-screen")).to_be_visible()
    wedge_scan(page, user.badge_code)
    expect(page.locator("#pin")).to_be_visible()
    page.locator("#pin").fill(pin)
    page.locator("#pin").press("Enter")
    expect(page.locator("#home-screen")).to_be_visible()


def open_task(page, tile: str, screen: str) -> None:
    """From the home screen, tap a task tile and wait for its screen and a focused scan field."""
    page.locator(f"#tile-{tile}").click()
    expect(page.locator(f"#{screen}-screen")).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()


def start_blind_receipt(page) -> None:
    """On the receive screen, start a blind receipt and wait until it is the one in hand."""
    page.locator("#blind-start").click()
    expect(page.locator("#receipt-ref")).to_contain_text("BLIND-")


def set_qty(page, qty: int) -> None:
    """Type a quantity into the stepper's number, then Enter (back to the scan field)."""
    page.locator("#qty").fill(str(qty))
    page.locator("#qty").press("Enter")
    expect(page.locator("#qty")).to_have_value(str(qty))
    expect(page.locator("#scan")).to_be_focused()


def fresh_session() -> None:
    """Drop the test thread's session so the next query sees what the live server committed."""
    from server.extensions import db
    db.session.remove()


def stock_by_location(api, item: str) -> dict[str, int]:
    fresh_session()
    r = api("supervisor").get(f"/api/stock?item={item}")
    assert r.status_code == 200, r.get_data(as_text=True)
    return {line["location"]: line["qty"] for line in r.json["locations"]}


def movements_by_kind() -> dict[str, int]:
    """How many ledger rows of each kind exist (receive, putaway, move...)."""
    import sqlalchemy as sa

    from server.extensions import db
    from server.inventory.ledger_models import StockMove
    fresh_session()
    rows = db.session.execute(sa.select(StockMove.kind, sa.func.count()).group_by(StockMove.kind)).all()
    fresh_session()
    return {getattr(kind, "value", kind): n for kind, n in rows}
