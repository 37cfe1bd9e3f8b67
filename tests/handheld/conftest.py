"""Fixtures of the handheld browser tests: fast PIN hashes, a small floor, no silent script errors."""

from __future__ import annotations

import pytest

from tests.handheld.steps import CASE_GTIN14, GTIN13
from tests.helpers import cheap_hash_secret


@pytest.fixture(autouse=True)
def _fast_secrets(monkeypatch):
    # The users fixture makes five users; real scrypt costs ~80 ms each. Badge login still checks a hash.
    monkeypatch.setattr("server.auth.services.hash_secret", cheap_hash_secret)


@pytest.fixture(autouse=True)
def _no_script_errors(page):
    """Fail a test whose page threw an uncaught error: a broken module is a blank screen on the floor."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def floor(app):
    """A dock with a tote, three empty bins in pick order, two items (one with a case-of-12 barcode)."""
    from server.catalog.services import create_item
    from server.http import run_in_transaction
    from server.inventory.locations import create_location, get_or_create_zone

    def build():
        zone = get_or_create_zone("A")
        dock = create_location("DOCK-1", kind="dock")
        for n in (1, 2, 3):
            create_location(f"A-01-0{n}", zone=zone, pick_sequence=n)
        create_location("TOTE-9", kind="tote", parent=dock)
        create_item("SKU-1001", "Blue mug", barcodes=[GTIN13])
        create_item("COLA-12", "Cola can", barcodes=[f"{CASE_GTIN14}*12"])
    run_in_transaction(build)
