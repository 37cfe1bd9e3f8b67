"""THE ACCEPTANCE TEST of the pack flow (issue 9): at the desktop pack station (1366x768, keyboard-wedge
scanner and scale) a packer packs a picked Amazon order with one wrong-item scan and two packages, ships it with
the local carrier, both labels print to a real virtual printer on a loopback port, and the Amazon shipping
confirmation lists the order with both tracking numbers. Afterwards stock, reservations and the ledger agree."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from server.http import run_in_transaction
from tests.handheld.steps import PIN, fresh_session, movements_by_kind, wedge_scan
from tests.packing.packfloor import CASE, FLOOR, MUG_GTIN, picked, tote_of
from tests.printing.conftest import make_printer, virtual_printer  # noqa: F401 (the fixture)

SHOTS = Path("/tmp/shots-pack")
ORDER_REF = "114-3941689-8772232"


def _picked_order(floor) -> dict:
    """The boxes, and an Amazon order of a mug and a case of 12 cans, picked into a tote (the floor's work)."""
    from server.orders.services import create_order

    FLOOR.extra(floor)
    ship_to = {"name": "Jordan Smith", "address1": "100 High St", "city": "Columbus", "state": "OH",
               "postal_code": "43215", "country": "US"}
    order = create_order({"channel": "amazon", "channel_order_id": ORDER_REF, "ship_to": ship_to,
                          "lines": [{"sku": "KP-MUG", "qty": 1, "channel_line_id": "52986411826454"},
                                    {"sku": "KP-CAN", "qty": 12, "channel_line_id": "52986411826455"}]},
                         actor=floor.actor)
    picked(order, boss=floor.actor, picker=floor.actor)
    return {"order_id": order.id, "tote": tote_of(order)}


@pytest.fixture
def floor_plan():
    return dataclasses.replace(FLOOR, by="supervisor", extra=_picked_order)


@pytest.fixture
def station_printer(floor, virtual_printer):
    """KPACK-1 prints on a real virtual printer listening on a loopback port."""
    from server.printing.services import assign_station

    def setup():
        assign_station("KPACK-1", make_printer("ZEBRA-PACK-1", port=virtual_printer.port))
    run_in_transaction(setup)
    return virtual_printer


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def sign_in(page, live_server: str, user) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(live_server + "/pack/")
    page.locator("#station").select_option("KPACK-1")
    if user.role.value not in ("supervisor", "admin"):  # floor staff: the badge scanned (Enter moves on), the PIN
        wedge_scan(page, user.badge_code, field="#username")
        expect(page.locator("#password")).to_be_focused()
        page.locator("#password").fill(PIN)
    else:  # a supervisor: name and password
        page.locator("#sign-in-mode").click()
        expect(page.locator("#username-label")).to_have_text("Name")
        page.locator("#username").fill(user.username)
        page.locator("#password").fill("password123")
    page.locator("#sign-in-go").click()
    expect(page.locator("#bench")).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()


def test_a_packer_packs_two_packages_with_a_wrong_scan_ships_and_the_confirmation_lists_both(
        floor, station_printer, page, live_server, users, api, app):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, users["packer"])
    expect(page.locator("#prompt")).to_have_text("Scan a tote, cart slot or order")

    wedge_scan(page, floor["tote"])
    expect(page.locator("#order-ref")).to_have_text(ORDER_REF)
    expect(page.locator("#prompt")).to_have_text(f"Scan each item of order {ORDER_REF} into package 1")
    expect(page.locator('#lines tr[data-sku="KP-CAN"] td').nth(5)).to_have_text("12")
    shot(page, "01-order")

    wedge_scan(page, "KP-BOOK")  # the wrong item: refused loudly, nothing packed
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error")).to_have_attribute("data-code", "wrong_item")
    expect(page.locator("#error-detail")).to_have_text(
        f"Wrong item: KP-BOOK is not in order {ORDER_REF}. Still to pack: KP-MUG ×1, KP-CAN ×12.")
    shot(page, "02-wrong-item")
    expect(page.locator("#scan")).to_be_focused()

    wedge_scan(page, MUG_GTIN)
    expect(page.locator("#outcome")).to_have_text("Packed 1 × KP-MUG into package 1")
    expect(page.locator("#error")).to_be_hidden()
    expect(page.locator("#box")).to_have_value("BX-S")  # the smallest box the mug fits
    wedge_scan(page, "0.45 kg", field="#weight")  # the scale types its reading, then Enter: package 1 closes
    expect(page.locator("#outcome")).to_have_text("Package 1 closed: 450 g")

    page.keyboard.press("F2")  # a new package
    expect(page.locator("#prompt")).to_have_text(f"Scan each item of order {ORDER_REF} into package 2")
    wedge_scan(page, CASE)  # a case of 12 counts 12
    expect(page.locator("#outcome")).to_have_text("Packed 12 × KP-CAN into package 2")
    expect(page.locator("#box")).to_have_value("BX-M")
    page.locator("#weight").fill("4620")
    page.keyboard.press("F4")
    expect(page.locator("#order-status")).to_have_text("packed")
    expect(page.locator("#ship")).to_be_visible()
    local = page.locator('#quotes tr[data-carrier="local"] input')
    expect(local).to_have_count(1)
    local.check()
    shot(page, "03-packed-rates")
    page.keyboard.press("F8")
    expect(page.locator("#outcome")).to_contain_text("Shipped with local: ")
    expect(page.locator("#packages tr")).to_have_count(2)
    shot(page, "04-shipped")
    assert not errors, errors

    _labels_printed_and_confirmed(app, station_printer, floor)


def _labels_printed_and_confirmed(app, printer, floor) -> None:
    from server.extensions import db
    from server.inventory.ledger_models import Reservation, StockBalance
    from server.inventory.locations import find_location
    from server.orders.models import Order, OrderLine
    from server.packing.models import Package
    from server.printing import worker
    from server.shipping.services import ship_confirmation_file

    fresh_session()
    packages = db.session.scalars(sa.select(Package).where(Package.order_id == floor["order_id"])
                                  .order_by(Package.number)).all()
    numbers = [p.tracking_number for p in packages]
    assert len(packages) == 2 and all(numbers) and len(set(numbers)) == 2
    assert [p.status.value for p in packages] == ["shipped", "shipped"]

    # The print worker (one per deployment) sends the stored jobs: two packing slips and two labels.
    assert worker.run_due() == 4
    jobs = printer.wait_for_jobs(4)
    labels = [job for job in jobs if b"^XA" in job and any(n.encode() in job for n in numbers)]
    assert len(jobs) == 4 and len(labels) == 2
    for number in numbers:
        assert sum(number.encode() in job for job in labels) == 1
    assert printer.wait_for_jobs(5, timeout=0.5) == jobs  # nothing printed twice

    fresh_session()
    order = db.session.get(Order, floor["order_id"])
    assert order.status.value == "shipped"
    text = ship_confirmation_file()
    rows = [line.split("\t") for line in text.splitlines()[1:] if line.startswith(ORDER_REF)]
    assert len(rows) == 2, text
    assert sorted((row[1], row[2]) for row in rows) == [("52986411826454", "1"), ("52986411826455", "12")]
    assert {row[-2] for row in rows} == set(numbers)

    # Nothing of the order is left in the tote or reserved; the cartons went to the customer.
    tote = find_location(floor["tote"])
    assert db.session.scalar(sa.select(sa.func.sum(StockBalance.qty)).where(StockBalance.location_id == tote.id)) == 0
    lines = [line.id for line in db.session.scalars(sa.select(OrderLine).where(OrderLine.order_id == order.id))]
    assert db.session.scalars(sa.select(Reservation).where(Reservation.order_line_id.in_(lines))).all() == []
    kinds = movements_by_kind()
    assert (kinds.get("pack"), kinds.get("ship")) == (2, 2)
    fresh_session()
    result = app.test_cli_runner().invoke(args=["inventory", "verify"])
    assert result.exit_code == 0, result.output


def test_a_supervisor_signs_in_at_the_station_with_name_and_password(floor, page, live_server, users):
    sign_in(page, live_server, users["supervisor"])
    expect(page.locator("#prompt")).to_have_text("Scan a tote, cart slot or order")
