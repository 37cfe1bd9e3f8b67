"""Counts read as English: one item, one unit; no "1 Items" or "31 of 0 units received"."""

from __future__ import annotations

import re

from server.http import run_in_transaction
from server.inventory.ledger import Actor


def _cards(page: str) -> dict[str, tuple[str, str]]:
    """Each dashboard card's count and label, by card id."""
    card = r'id="card-([\w-]+)".*?<span class="count">(\d+)</span>\s*<span class="label">([^<]*)</span>'
    found = re.findall(card, page, re.S)
    return {card: (count, label) for card, count, label in found}


def test_the_dashboard_says_one_item_and_two_items(admin, users):
    from server.catalog.services import create_item
    from server.inventory.locations import create_location
    from server.receiving.services import create_receipt

    run_in_transaction(lambda: (create_item("ONE-1", "Only one"), create_location("L-01"),
                                create_receipt("PO-1", lines=[("ONE-1", 1)])))
    cards = _cards(admin.get("/dashboard").text)
    assert cards["items"] == ("1", "Active item")
    assert cards["locations"] == ("1", "Active location")
    assert cards["open-receipts"] == ("1", "Open receipt")
    assert cards["users"] == ("5", "Active users")
    assert cards["on-hand"] == ("0", "Units on hand")

    run_in_transaction(lambda: create_item("TWO-2", "Another"))
    assert _cards(admin.get("/dashboard").text)["items"] == ("2", "Active items")


def _receive(receipt_id: int, users, qty: int) -> None:
    from server.receiving import services

    def receive():
        actor = Actor(user_id=users["receiver"].id, device_id="HH-7")
        services.receive(services.get_receipt(receipt_id), code="MUG-1", qty=qty, location_code="DOCK-1",
                         actor=actor)
    run_in_transaction(receive)


def test_a_blind_receipt_counts_what_arrived_without_an_expected_total(supervisor, floor, users):
    from server.receiving.services import start_blind_receipt

    blind = run_in_transaction(lambda: start_blind_receipt().id)
    _receive(blind, users, 31)
    page = supervisor.get(f"/receipts/{blind}").text
    assert '<dd id="receipt-progress">31 units received</dd>' in page
    assert "of 0" not in page
    assert re.search(r'<span class="progress"[^>]*>31 units received</span>', supervisor.get("/receipts").text)


def test_an_expected_receipt_of_one_unit_says_unit(supervisor, floor, users):
    from server.receiving.services import create_receipt

    receipt = run_in_transaction(lambda: create_receipt("PO-ONE", lines=[("MUG-1", 1)]).id)
    assert '<dd id="receipt-progress">0 of 1 unit received</dd>' in supervisor.get(f"/receipts/{receipt}").text
    _receive(receipt, users, 1)
    assert '<dd id="receipt-progress">1 of 1 unit received</dd>' in supervisor.get(f"/receipts/{receipt}").text


def test_reversing_one_unit_asks_about_one_unit(supervisor, floor):
    from server.inventory.moves import move_stock

    moved = run_in_transaction(lambda: move_stock(item_code="MUG-1", qty=1, from_code="A-01", to_code="B-01",
                                                  lot=None, actor=floor["actor"])[0].id)
    page = supervisor.get(f"/movements/{moved}").text
    assert f"Reverse movement {moved}? A mirror movement puts the 1 unit back." in page
