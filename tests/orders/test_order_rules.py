"""Order service rules (rolled-back tier): the cancel hook, shipped orders, channel cancel requests."""

from __future__ import annotations

import pytest

from tests.factories import make_actor, make_item, make_user, unique

pytestmark = pytest.mark.rollback


def new_order(sku: str):
    from server.orders.services import create_order
    return create_order({"channel": "shop", "channel_order_id": unique("R-"), "lines": [{"sku": sku, "qty": 1}],
                         "ship_to": {"name": "N", "address1": "A", "city": "C", "postal_code": "1", "country": "DE"}},
                        actor=None)


def test_cancel_runs_the_registered_hooks_and_refuses_a_shipped_order(tx, monkeypatch):
    from server.orders import services
    from server.orders.errors import InvalidTransition
    from server.orders.models import OrderStatus

    seen = []
    monkeypatch.setattr(services, "_cancel_hooks", [lambda order, actor: seen.append((order.id, order.status))])
    sku, user = make_item(unique("RULE-")).sku, make_user("supervisor")
    order, shipped = new_order(sku), new_order(sku)
    shipped.status = OrderStatus.SHIPPED

    services.cancel_order(order, reason="Buyer moved", source="buyer", actor=make_actor(user))

    assert seen == [(order.id, OrderStatus.CANCELLED)]
    assert (order.events[-1].user_id, order.events[-1].from_status) == (user.id, OrderStatus.OPEN)
    with pytest.raises(InvalidTransition):
        services.cancel_order(shipped, reason="late", source="seller", actor=None)
    assert len(seen) == 1


def test_a_channel_request_on_a_closed_or_flagged_order_writes_nothing(tx):
    from server.orders import services

    order = new_order(make_item(unique("RULE-")).sku)
    assert services.request_channel_cancel(order, note="gone", actor=None) is True
    assert services.request_channel_cancel(order, note="gone again", actor=None) is False
    services.decide_channel_cancel(order, cancel=True, actor=None)
    assert (order.status.value, order.cancel_source.value, order.cancel_reason) == ("cancelled", "channel", "gone")
    assert services.request_channel_cancel(order, note="late news", actor=None) is False
    assert [e.to_status.value for e in order.events] == ["open", "open", "cancelled"]
