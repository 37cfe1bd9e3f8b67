"""`flask --app wsgi orders allocate`: the allocation run an operator (or a timer) starts, on a fresh database."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.factories import make_item, make_location, make_order, make_stock


def test_the_allocate_command_runs_allocation_and_says_what_it_did(app):
    from server.db import utcnow
    from server.extensions import db
    from server.http import run_in_transaction
    from server.orders.models import Order, OrderEvent

    def build():
        item = make_item()
        make_stock(item, make_location("CLI-01"), 2)
        due = utcnow() + timedelta(hours=4)
        return make_order((item, 2), ship_by=due).id, make_order((item, 1), ship_by=due + timedelta(hours=1)).id

    done, short = run_in_transaction(build)
    out = app.test_cli_runner().invoke(args=["orders", "allocate"])
    assert out.exit_code == 0, out.output
    assert out.output == "2 open order(s): 1 allocated, 1 short; 2 unit(s) reserved\n"
    db.session.rollback()
    assert (db.session.get(Order, done).status.value, db.session.get(Order, short).short_units) == ("allocated", 1)
    event = db.session.scalar(sa.select(OrderEvent).where(OrderEvent.order_id == done,
                                                          OrderEvent.to_status == "allocated"))
    assert (event.user_id, event.device_id) == (None, "cli")
    assert app.test_cli_runner().invoke(args=["orders", "allocate"]).output.startswith("1 open order(s): 0 allocated")
