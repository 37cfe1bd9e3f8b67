"""Returns on the handheld at 360x640 (issue 10): a shipped order's return found by its tracking number, one unit
graded sellable and restocked to a bin, one damaged and scrapped: the bin holds one more and the ledger has a
return move into the bin and a scrap move."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.factories import FloorPlan, make_order, place, sku
from tests.handheld.steps import GTIN13, fresh_session, open_task, sign_in, stock_by_location, wedge_scan

MUG, BIN, TRACKING = "SKU-1001", "A-01-01", "1ZRETURN0000000042"


def _shipped_order(floor) -> dict:
    from server.catalog.models import Item
    from server.extensions import db
    from server.packing.models import Package

    mug = db.session.scalar(sa.select(Item).where(Item.sku == MUG))
    order = make_order((mug, 2), status="shipped")
    db.session.add(Package(order_id=order.id, number=1, tracking_number=TRACKING))
    db.session.flush()
    return {"order_id": order.id}


@pytest.fixture
def floor_plan():
    return FloorPlan(
        locations=(place(BIN, zone="A", seq=1),),
        items=(sku(MUG, "Blue mug", barcodes=[GTIN13]),),
        stock=((MUG, BIN, 3),),
        by="supervisor",
        extra=_shipped_order,
    )


def _return_one(page, condition: str, disposition: str) -> None:
    screen = page.locator("#returns-screen")
    wedge_scan(page, GTIN13)
    expect(screen).to_have_attribute("data-step", "condition")
    page.locator(f"#cond-{condition}").click()
    expect(screen).to_have_attribute("data-step", "disposition")
    page.locator(f"#disp-{disposition}").click()


def test_a_return_by_tracking_number_restocks_one_unit_and_scraps_another(floor, page, live_server, users, api):
    from server.extensions import db
    from server.inventory.codes import MoveKind
    from server.inventory.ledger_models import StockMove

    sign_in(page, live_server, users["receiver"])
    open_task(page, "returns", "returns")
    screen = page.locator("#returns-screen")
    wedge_scan(page, TRACKING)
    expect(page.locator("#outcome")).to_contain_text("started")
    expect(screen).to_have_attribute("data-step", "item")

    _return_one(page, "sellable", "restock")
    expect(screen).to_have_attribute("data-step", "bin")
    wedge_scan(page, BIN)
    expect(page.locator("#outcome")).to_have_text(f"1 × {MUG} back in {BIN}.")
    expect(screen).to_have_attribute("data-step", "item")

    _return_one(page, "damaged", "scrap")
    expect(page.locator("#outcome")).to_have_text(f"1 × {MUG} scrapped.")
    expect(page.locator("#return-lines")).to_have_text("2")
    page.locator("#return-close").click()
    expect(page.locator("#outcome")).to_contain_text("closed")
    expect(screen).to_have_attribute("data-step", "return")

    assert stock_by_location(api, MUG) == {BIN: 4}
    fresh_session()
    moves = db.session.scalars(sa.select(StockMove).where(StockMove.kind.in_([MoveKind.RETURN, MoveKind.SCRAP]))
                               .order_by(StockMove.id)).all()
    assert [(m.kind, m.qty, m.src.code, m.dst.code) for m in moves] == [
        (MoveKind.RETURN, 1, "CUSTOMER", BIN), (MoveKind.SCRAP, 1, "CUSTOMER", "SCRAP")]
    fresh_session()
