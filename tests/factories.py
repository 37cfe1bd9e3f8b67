"""Small factory functions for tests: users, tokens, zones, locations, items, stock, receipts, floors.

Each `make_*` flushes and never commits, like the services it calls: call it inside a transaction (the
rolled-back tier's `tx` is one; in the fresh-database tier wrap it in server.http.run_in_transaction).
Stock only ever enters through the ledger (adjust_stock, reason opening_balance), so every balance a
factory makes has the movements that explain it.

A floor is data: a FloorPlan names the zones, locations, items and opening stock of a test module,
and the one `floor` fixture (tests/conftest.py) builds the module's FLOOR in one committed transaction.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    """A code no other factory call in this run has made (tests share one database in the rolled-back tier)."""
    return f"{prefix}{next(_seq)}"


# --- people ------------------------------------------------------------------------------------------

def make_user(role: str = "picker", *, password: str = "password123", pin: str = "1234", **kw):
    """A user of that role with a badge, PIN and password."""
    from server.auth import services
    n = next(_seq)
    return services.create_user(kw.pop("username", f"{role}{n}"), role=role, password=password,
                                badge=kw.pop("badge", f"BADGE-{role.upper()}-{n}"), pin=pin, **kw)


def make_token(user) -> str:
    """An API token for the user, committed (in its own transaction, or savepoint under `tx`)."""
    from server.auth import services
    from server.auth.models import TokenKind
    from server.extensions import db
    from server.http import run_in_transaction

    def issue():
        plain, _row = services.issue_token(db.session.merge(user), kind=TokenKind.API, name="test")
        return plain
    return run_in_transaction(issue)


def make_actor(user=None, **kw):
    """Who a movement is booked to (nobody by default: opening stock)."""
    from server.inventory.ledger import Actor
    return Actor(user_id=user.id if user is not None else None, **kw)


# --- the floor ---------------------------------------------------------------------------------------

def make_zone(code: str | None = None):
    from server.inventory.locations import get_or_create_zone
    return get_or_create_zone(code or unique("Z"))


def make_location(code: str | None = None, *, kind: str = "bin", zone=None, parent=None, **attrs):
    """A location; `zone` and `parent` may be objects or codes."""
    from server.inventory.locations import find_location
    from server.inventory.locations import create_location
    if isinstance(zone, str):
        zone = make_zone(zone)
    if isinstance(parent, str):
        parent = find_location(parent)
    return create_location(code or unique("LOC-"), kind=kind, zone=zone, parent=parent, **attrs)


def make_item(sku: str | None = None, name: str = "Widget", *, barcodes=(), home_zone: str | None = None,
              **attrs):
    from server.catalog.services import create_item
    if home_zone is not None:
        attrs["home_zone_id"] = make_zone(home_zone).id
    return create_item(sku or unique("SKU-"), name, barcodes=list(barcodes), **attrs)


def make_stock(item, location, qty: int, *, lot: str | None = None, expiry: date | None = None, actor=None,
               reason: str = "opening_balance"):
    """Put qty units of item (object or code) into location (object or code) through the ledger."""
    from server.inventory.moves import adjust_stock
    return adjust_stock(item_code=getattr(item, "sku", item), location_code=getattr(location, "code", location),
                        delta=qty, reason=reason, lot=lot, expiry=expiry, actor=actor or make_actor())


def make_receipt(lines=(), *, reference: str | None = None, supplier: str | None = "ACME", blind: bool = False):
    """An expected receipt with lines [(item code, qty)], or a blind one."""
    from server.receiving import services
    if blind:
        return services.start_blind_receipt(supplier=supplier)
    return services.create_receipt(reference or unique("PO-"), lines=list(lines), supplier=supplier)


# --- floor plans: a test module's warehouse as data ---------------------------------------------------

def place(code: str, kind: str = "bin", *, zone: str | None = None, parent: str | None = None,
          seq: int | None = None, **attrs) -> dict:
    """One location of a FloorPlan (seq is its pick_sequence)."""
    if seq is not None:
        attrs["pick_sequence"] = seq
    return {"code": code, "kind": kind, "zone": zone, "parent": parent, **attrs}


def sku(code: str, name: str, *, barcodes=(), home_zone: str | None = None, **attrs) -> dict:
    """One item of a FloorPlan."""
    return {"sku": code, "name": name, "barcodes": tuple(barcodes), "home_zone": home_zone, **attrs}


@dataclass(frozen=True)
class FloorPlan:
    """Locations (place), items (sku) and opening stock rows (item, location, qty[, lot[, expiry]]).

    by: the role of the user the opening stock is booked to (None: nobody), on device_id at scanned_at.
    """

    locations: tuple = ()
    items: tuple = ()
    stock: tuple = ()
    by: str | None = None
    device_id: str | None = None
    scanned_at: datetime | None = None
    extra: object = field(default=None, compare=False)  # fn(floor dict) run in the same transaction


class Floor(dict):
    """What build_floor made: floor["actor"] or floor.actor, and the keys of the plan's extra."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def build_floor(plan: FloorPlan, users: dict | None = None) -> Floor:
    """Build the plan in one committed transaction; → {"actor": the actor of its stock, ...extra's keys}."""
    from server.http import run_in_transaction

    actor = make_actor(users[plan.by] if plan.by else None, device_id=plan.device_id,
                       scanned_at=plan.scanned_at)

    def build() -> dict:
        for spec in plan.locations:
            make_location(**spec)
        for spec in plan.items:
            make_item(spec["sku"], spec["name"], **{k: v for k, v in spec.items() if k not in ("sku", "name")})
        for row in plan.stock:
            item, loc, qty, *rest = row
            lot, expiry = (list(rest) + [None, None])[:2]
            make_stock(item, loc, qty, lot=lot, expiry=expiry, actor=actor)
        floor = Floor(actor=actor)
        if plan.extra is not None:
            floor.update(plan.extra(floor) or {})
        return floor

    return run_in_transaction(build)


# --- orders ------------------------------------------------------------------------------------------

def make_order(*lines, ship_by: datetime | None = None, ordered_at: datetime | None = None,
               status: str = "open", channel: str = "test"):
    """An order with lines [(item, qty)] straight into the tables (no calendar, no history): for the rules
    downstream of orders (allocation, reservations, picking). Its lines are order.lines, in the order given."""
    from server.db import utcnow
    from server.extensions import db
    from server.orders.models import Order, OrderLine, OrderStatus

    order = Order(channel=channel, channel_order_id=unique("ORD-"), ship_to_name="Giulia Rossi",
                  ship_to_address1="Via Roma 1", ship_to_city="Milano", ship_to_postal_code="20121",
                  ship_to_country="IT", ship_by=ship_by, ordered_at=ordered_at or utcnow(),
                  status=OrderStatus(status), lines=[OrderLine(item_id=item.id, qty=qty) for item, qty in lines])
    db.session.add(order)
    db.session.flush()
    return order
