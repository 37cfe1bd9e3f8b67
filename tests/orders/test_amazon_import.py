"""The Amazon unshipped-orders report import (issue 8, item 2): rule tests in the rolled-back tier, files written
by tests/orders/reports.py to the documented layout."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import make_item, unique
from tests.orders.reports import AMAZON_COLUMNS, BUYERS, UNKNOWN_COLUMNS, item_row, report

pytestmark = pytest.mark.rollback


@pytest.fixture
def skus(tx):
    """Three active items with SKUs of their own for this test."""
    return [make_item(unique("AMZ-"), f"Thing {n}").sku for n in range(3)]


def run(data: bytes, **params) -> dict:
    from server.orders.imports import ORDERS_IMPORT
    return ORDERS_IMPORT.run(data, {"format": "amazon", "channel": "amazon", **params})


def order(channel_order_id: str):
    from server.orders.services import find_order
    return find_order("amazon", channel_order_id)


def oid() -> str:
    return unique("114-0000000-")


def test_names_and_addresses_in_four_scripts_round_trip_exactly_with_a_bom_and_crlf(skus):
    ids = {lang: oid() for lang in ("es", "it", "ru", "zh")}
    rows = [item_row(ids[lang], unique("4000"), skus[0], 2, buyer=lang) for lang in ids]
    rows.insert(2, item_row(ids["es"], unique("4000"), skus[1], 1, buyer="es"))  # a second line, not adjacent

    result = run(report(rows, newline="\r\n", bom=True))

    assert result["errors"] == []
    assert (result["imported"], result["duplicates"]) == (4, 0)
    for lang, channel_order_id in ids.items():
        got, want = order(channel_order_id), BUYERS[lang]
        assert got.customer_name == want["buyer-name"]
        assert got.ship_to_name == want["recipient-name"]
        assert got.ship_to_address1 == want["ship-address-1"]
        assert got.ship_to_address2 == (want["ship-address-2"] or None)
        assert (got.ship_to_city, got.ship_to_state or "") == (want["ship-city"], want["ship-state"])
        assert (got.ship_to_postal_code, got.ship_to_country) == (want["ship-postal-code"], want["ship-country"])
        assert got.channel == "amazon" and got.status.value == "open"
    assert [(ln.item.sku, ln.qty) for ln in order(ids["es"]).lines] == [(skus[0], 2), (skus[1], 1)]


def test_a_latin_1_report_is_read(skus):
    channel_order_id = oid()
    data = report([item_row(channel_order_id, unique("4000"), skus[0], buyer="es")], encoding="latin-1")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    assert run(data)["imported"] == 1
    assert order(channel_order_id).ship_to_name == "María José Peña"
    assert order(channel_order_id).ship_to_city == "Málaga"


def test_columns_are_found_by_name_in_any_order_and_unknown_ones_ignored(skus):
    channel_order_id = oid()
    shuffled = tuple(reversed(AMAZON_COLUMNS + UNKNOWN_COLUMNS)) + ("some-new-column",)
    row = item_row(channel_order_id, unique("4000"), skus[0], 3, **{"some-new-column": "whatever"})
    assert run(report([row], columns=shuffled))["imported"] == 1
    assert order(channel_order_id).lines[0].qty == 3


def test_ship_by_is_the_channels_when_given_else_computed_from_the_purchase(skus, app, monkeypatch):
    given, computed = oid(), oid()
    rows = [item_row(given, unique("4000"), skus[0], purchased="2026-05-08T10:00:00+00:00",
                     **{"promise-date": "2026-05-12T06:59:59+00:00", "delivery-end-date": "2026-05-15T20:00:00Z"}),
            item_row(computed, unique("4000"), skus[0], purchased="2026-05-08T10:00:00+00:00")]
    for key, value in dict(WAREHOUSE_TIMEZONE="UTC", HANDLING_DAYS="2", ORDER_CUTOFF="14:00", HOLIDAYS="").items():
        monkeypatch.setitem(app.config, key, value)

    assert run(report(rows, columns=AMAZON_COLUMNS + ("delivery-end-date",)))["imported"] == 2

    assert order(given).ship_by == datetime(2026, 5, 12, 6, 59, 59, tzinfo=UTC)
    assert order(given).ship_by_source.value == "channel"
    assert order(given).deliver_by == datetime(2026, 5, 15, 20, tzinfo=UTC)
    # Friday before the cut-off, two business days: Tuesday, end of the day.
    assert order(computed).ship_by.date().isoformat() == "2026-05-12"
    assert order(computed).ship_by_source.value == "computed"
    assert order(computed).ordered_at == datetime(2026, 5, 8, 10, tzinfo=UTC)


def test_latest_ship_date_wins_over_promise_date(skus):
    channel_order_id = oid()
    columns = AMAZON_COLUMNS + ("latest-ship-date",)
    row = item_row(channel_order_id, unique("4000"), skus[0], **{"promise-date": "2026-05-20T00:00:00Z",
                                                                 "latest-ship-date": "2026-05-06T23:59:59-07:00"})
    assert run(report([row], columns=columns))["imported"] == 1
    assert order(channel_order_id).ship_by == datetime(2026, 5, 7, 6, 59, 59, tzinfo=UTC)


def test_continuation_rows_are_no_lines_and_quantity_to_ship_is_what_is_picked(skus):
    channel_order_id = oid()
    rows = [item_row(channel_order_id, unique("4000"), skus[0], 3, **{"quantity-to-ship": "2",
                                                                       "quantity-shipped": "1"}),
            {"order-id": channel_order_id, "product-name": "promotion continuation row"}]
    assert run(report(rows))["errors"] == []
    assert [(ln.item.sku, ln.qty) for ln in order(channel_order_id).lines] == [(skus[0], 2)]


def test_without_a_quantity_to_ship_column_the_quantity_purchased_is_used(skus):
    channel_order_id = oid()
    columns = tuple(c for c in AMAZON_COLUMNS if c != "quantity-to-ship")
    assert run(report([item_row(channel_order_id, unique("4000"), skus[0], 4)], columns=columns))["imported"] == 1
    assert order(channel_order_id).lines[0].qty == 4


def test_bad_rows_are_reported_with_their_file_line_and_only_their_orders_are_left_out(skus):
    good, two_lines, ids = oid(), oid(), [oid() for _ in range(6)]
    rows = [
        item_row(good, unique("4000"), skus[0]),                                   # line 2: fine
        item_row(two_lines, unique("4000"), skus[0]),                              # line 3: fine, but...
        item_row(two_lines, unique("4000"), "NO-SUCH-SKU"),                        # line 4: unknown SKU
        item_row(ids[0], unique("4000"), skus[0], **{"quantity-to-ship": "two"}),  # line 5: bad quantity
        item_row(ids[1], unique("4000"), skus[0], **{"purchase-date": "yesterday"}),  # line 6: bad date
        item_row("", unique("4000"), skus[0]),                                     # line 7: no order-id
        item_row(ids[2], unique("4000"), skus[0], **{"ship-country": "Spain"}),    # line 8: not alpha-2
        item_row(ids[3], unique("4000"), skus[0], **{"recipient-name": ""}),       # line 9: no recipient
        item_row(ids[4], unique("4000"), skus[1], 2),                              # line 10: fine
    ]
    result = run(report(rows, newline="\r\n"))

    assert result["imported"] == 2
    reasons = {e["line"]: e["reason"] for e in result["errors"]}
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "NO-SUCH-SKU" in reasons[4]
    assert reasons[5].startswith("quantity-to-ship") and "two" in reasons[5]
    assert reasons[6].startswith("purchase-date")
    assert reasons[7].startswith("order-id")
    assert reasons[8].startswith("ship-country")
    assert "recipient-name" in reasons[9]
    assert order(good) is not None and order(ids[4]) is not None
    assert order(two_lines) is None  # its good line 3 is not imported without line 4
    assert all(order(i) is None for i in ids[:4])


def test_a_file_without_a_required_column_is_one_line_1_error(skus):
    columns = tuple(c for c in AMAZON_COLUMNS if c != "ship-country")
    result = run(report([item_row(oid(), unique("4000"), skus[0])], columns=columns))
    assert result["imported"] == 0
    assert result["errors"] == [{"line": 1, "reason": "The file lacks the column(s): ship-country."}]


def test_a_re_import_creates_nothing_and_counts_duplicates(skus):
    ids = [oid() for _ in range(3)]
    data = report([item_row(i, unique("4000"), skus[0]) for i in ids])
    assert run(data)["imported"] == 3

    again = run(data)

    assert (again["imported"], again["duplicates"], again["errors"]) == (0, 3, [])
    from server.extensions import db
    from server.orders.models import Order, OrderLine
    import sqlalchemy as sa
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrderLine).join(Order)
                             .where(Order.channel_order_id.in_(ids))) == 3


def test_a_known_order_gets_a_new_line_item_while_open_and_an_error_row_once_allocated(skus):
    from server.orders.models import OrderStatus
    from server.orders.status import change_status

    open_id, allocated_id = oid(), oid()
    first = [item_row(open_id, "A1" + open_id[-4:], skus[0]), item_row(allocated_id, "B1" + allocated_id[-4:], skus[0])]
    assert run(report(first))["imported"] == 2
    change_status(order(allocated_id), OrderStatus.ALLOCATED, actor=None)

    later = first + [item_row(open_id, "A2" + open_id[-4:], skus[1], 2),       # line 4: added
                     item_row(allocated_id, "B2" + allocated_id[-4:], skus[1])]  # line 5: refused
    result = run(report(later))

    assert (result["imported"], result["updated"], result["duplicates"]) == (0, 1, 0)
    assert [e["line"] for e in result["errors"]] == [5]
    assert "allocated" in result["errors"][0]["reason"].lower()
    assert [(ln.item.sku, ln.qty) for ln in order(open_id).lines] == [(skus[0], 1), (skus[1], 2)]
    assert len(order(allocated_id).lines) == 1


def test_an_order_missing_from_a_later_report_is_flagged_for_a_decision_not_cancelled(skus):
    kept, dropped, newer = oid(), oid(), oid()
    first = [item_row(kept, unique("4000"), skus[0], purchased="2026-05-04T08:00:00Z"),
             item_row(dropped, unique("4000"), skus[0], purchased="2026-05-04T09:00:00Z")]
    assert run(report(first))["imported"] == 2

    later = [item_row(kept, unique("4000"), skus[0], purchased="2026-05-04T08:00:00Z"),
             item_row(newer, unique("4000"), skus[0], purchased="2026-05-05T09:00:00Z")]
    result = run(report(later))

    flagged = [f["channel_order_id"] for f in result["cancel_requests"]]
    assert dropped in flagged and kept not in flagged and newer not in flagged
    gone = order(dropped)
    assert gone.status.value == "open"  # never cancelled silently
    assert gone.channel_cancel_requested_at is not None
    assert "Missing from the unshipped-orders report" in gone.channel_cancel_note
    assert gone.events[-1].note.startswith("Channel cancel request")
    # The same report again flags nothing new.
    assert dropped not in [f["channel_order_id"] for f in run(report(later))["cancel_requests"]]


def test_an_order_bought_after_the_reports_newest_purchase_is_not_flagged(skus):
    early, late = oid(), oid()
    assert run(report([item_row(late, unique("4000"), skus[0], purchased="2026-06-01T12:00:00Z")]))["imported"] == 1
    result = run(report([item_row(early, unique("4000"), skus[0], purchased="2026-05-01T12:00:00Z")]))
    assert late not in [f["channel_order_id"] for f in result["cancel_requests"]]
    assert order(late).channel_cancel_requested_at is None


def test_a_cancel_flag_flags_a_known_order_and_a_new_one(skus):
    known, new = oid(), oid()
    assert run(report([item_row(known, unique("4000"), skus[0])]))["imported"] == 1
    columns = AMAZON_COLUMNS + ("verge-of-cancellation",)
    rows = [item_row(known, unique("4000"), skus[0], **{"verge-of-cancellation": "true"}),
            item_row(new, unique("4000"), skus[0], **{"verge-of-cancellation": "true"})]

    result = run(report(rows, columns=columns))

    assert result["imported"] == 1
    assert {f["channel_order_id"] for f in result["cancel_requests"]} >= {known, new}
    for channel_order_id in (known, new):
        assert order(channel_order_id).status.value == "open"
        assert "flags it as cancelled" in order(channel_order_id).channel_cancel_note
