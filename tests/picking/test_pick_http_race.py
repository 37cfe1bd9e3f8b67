"""Acceptance (issue 8): two pickers at the last units of one bin at once, over real HTTP on a real database.

Each round starts both requests behind a barrier on a threaded live server:
- Ana confirms her pick of the bin's last unit while Ben, whose task wants the same bin, finds it empty and
  reports short: Ana's pick succeeds, Ben is re-routed to the other bin (a new task), never both take it;
- Ana's two handhelds confirm the same last unit at once (two Idempotency-Keys): one 200, one 409, the unit
  moves once;
- Ben moves the bin's last units away with a plain move while Ana picks them: her reserved units are hers,
  his move is refused (409 insufficient_stock).
Afterwards no reservation is negative or above its stock, balance.reserved adds up, the ledger verifies.
"""

from __future__ import annotations

import threading

import httpx
import pytest
import sqlalchemy as sa

from server.extensions import db
from server.http import run_in_transaction
from server.inventory.ledger_models import Reservation, StockBalance
from server.inventory.queries import verify_ledger
from tests.factories import FloorPlan, build_floor, make_actor, make_token, place, sku
from tests.picking.pickfloor import NOW

pytestmark = pytest.mark.slow

RACE_FLOOR = FloorPlan(
    locations=(place("R-1", zone="R", x=3.0, y=1.2, seq=1), place("R-2", zone="R", x=6.0, y=8.4, seq=2),
               place("RCART-A", "cart"), place("RT-A1", "tote", parent="RCART-A"),
               place("RT-A2", "tote", parent="RCART-A"), place("RCART-B", "cart"),
               place("RT-B1", "tote", parent="RCART-B")),
    items=(sku("R-ITEM", "Race item"),),
    stock=(("R-ITEM", "R-1", 2), ("R-ITEM", "R-2", 5)),
)


def at_once(*calls):
    """Run the calls in threads released together; → their answers in the same order."""
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        answers[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return answers


@pytest.fixture
def race(app, users, live_server):
    """Ana's batch (one order, R-1's first unit) on RCART-A and Ben's (another order, R-1's second) on RCART-B."""
    from server.picking import batching, services
    from tests.picking.pickfloor import allocated, make_order

    build_floor(RACE_FLOOR)
    boss, ana, ben = (make_actor(users[r]) for r in ("supervisor", "picker", "packer"))

    def setup():
        from server.auth.models import Role, User
        db.session.get(User, users["packer"].id).role = Role.PICKER  # a second picker
        allocated(make_order([("R-ITEM", 1)], hours=2), actor=boss)
        first = batching.build_batch(size=1, actor=boss, release=True, now=NOW)
        allocated(make_order([("R-ITEM", 1)], hours=3), actor=boss)
        second = batching.build_batch(size=1, actor=boss, release=True, now=NOW)
        services.start_batch_on_cart("RCART-A", actor=ana)
        services.start_batch_on_cart("RCART-B", actor=ben)
        return first.tasks[0].id, second.tasks[0].id

    ana_task, ben_task = run_in_transaction(setup)
    clients = {name: httpx.Client(base_url=live_server, timeout=30, headers={
        "Authorization": f"Bearer {make_token(users[role])}"}) for name, role in (("ana", "picker"), ("ben", "packer"))}
    yield {"ana_task": ana_task, "ben_task": ben_task, **clients}
    for client in clients.values():
        client.close()


def post(client, path, body, key):
    return client.post(path, json=body, headers={"Idempotency-Key": key})


def check_stock():
    db.session.rollback()  # read what the server committed
    for b in db.session.scalars(sa.select(StockBalance)):
        held = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Reservation.qty), 0))
                                 .where(Reservation.balance_id == b.id))
        assert 0 <= b.reserved <= b.qty and held == b.reserved, b
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reservation).where(Reservation.qty <= 0)) == 0
    assert verify_ledger() == []


def balance(code):
    from server.inventory.models import Location
    return db.session.scalar(sa.select(StockBalance).join(Location, Location.id == StockBalance.location_id)
                             .where(Location.code == code))


def test_one_picker_takes_the_last_unit_the_other_is_rerouted(race):
    pick = {"location": "R-1", "item": "R-ITEM", "qty": 1, "tote": "RT-A1"}
    ana, ben = at_once(lambda: post(race["ana"], f"/api/picking/tasks/{race['ana_task']}/pick", pick, "a-1"),
                       lambda: post(race["ben"], f"/api/picking/tasks/{race['ben_task']}/short", {"found": 0}, "b-1"))
    assert ana.status_code == 200, ana.text
    assert ben.status_code == 200, ben.text
    assert ana.json()["task"]["status"] == "picked"
    [new] = ben.json()["new_tasks"]
    assert (new["location"], new["qty"]) == ("R-2", 1) and ben.json()["missing"] == 0
    check_stock()
    assert (balance("R-1").qty, balance("R-1").reserved) == (1, 0)  # the unit Ben missed waits for its count
    assert (balance("RT-A1").qty, balance("RT-A1").reserved) == (1, 1)
    assert balance("R-2").reserved == 1


def test_two_handhelds_confirming_one_last_unit_move_it_once(race):
    pick = {"location": "R-1", "item": "R-ITEM", "qty": 1, "tote": "RT-A1"}
    url = f"/api/picking/tasks/{race['ana_task']}/pick"
    one, two = at_once(lambda: post(race["ana"], url, pick, "hh-1"), lambda: post(race["ana"], url, pick, "hh-2"))
    assert sorted([one.status_code, two.status_code]) == [200, 409], (one.text, two.text)
    refused = one if one.status_code == 409 else two
    assert refused.json()["code"] == "task_closed"
    check_stock()
    assert balance("RT-A1").qty == 1 and balance("R-1").qty == 1


def test_a_plain_move_never_takes_units_promised_to_a_pick(race):
    pick = {"location": "R-1", "item": "R-ITEM", "qty": 1, "tote": "RT-A1"}
    move = {"item": "R-ITEM", "qty": 1, "from": "R-1", "to": "R-2"}
    ana, ben = at_once(lambda: post(race["ana"], f"/api/picking/tasks/{race['ana_task']}/pick", pick, "a-2"),
                       lambda: post(race["ben"], "/api/moves", move, "b-2"))
    assert ana.status_code == 200, ana.text
    assert ben.status_code == 409 and ben.json()["code"] == "insufficient_stock", ben.text
    check_stock()
    assert (balance("R-1").qty, balance("R-1").reserved) == (1, 1)  # Ben's task still has its unit
