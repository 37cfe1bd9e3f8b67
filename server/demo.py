"""`flask demo`: a realistic demo warehouse. Deterministic, and safe to run twice.

Three zones laid out in aisles with floor coordinates and an S-shaped pick sequence, 320 items with
valid GTINs (some with FNSKUs, case packs, lots and expiry), opening stock posted through the ledger,
floor and office users with fixed demo credentials, open orders with ship-by dates and their stock
reserved, and one released pick batch. Box types, the Virtual Zebra printer at every pack station, and a few
orders picked, packed, labelled and shipped through the real services (one in two packages, one on a UPS
manifest), their labels waiting for the printer.
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta

import click
import sqlalchemy as sa

from .auth import services as auth
from .auth.models import User
from .catalog import services as catalog
from .catalog.models import Item
from .db import utcnow
from .extensions import db
from .http import run_in_transaction
from .inventory.codes import LocationKind
from .inventory.ledger import Actor
from .inventory.locations import create_location, find_location, get_or_create_zone
from .inventory.moves import adjust_stock
from .inventory.models import Location
from .orders.models import Order
from .orders.services import create_order
from .packing.box_types import create_box_type
from .packing.services import close_package, new_package, scan_item, start_packing, suggested_box
from .picking.allocation import allocate
from .picking.batching import build_batch
from .picking.services import confirm_pick, start_batch_on_cart
from .printing import services as printing
from .scanning.gs1 import gs1_check_digit
from .shipping.services import close_manifest, create_shipment

# Fixed demo credentials (also in the README). Never use these on a real floor.
DEMO_USERS = [
    # username, display name, role, password, badge, PIN
    ("admin", "Alex Admin", "admin", "shipfloor-admin", None, None),
    ("sam", "Sam Supervisor", "supervisor", "shipfloor-super", "BADGE-SAM", "9999"),
    ("ana", "Ana Picker", "picker", None, "BADGE-ANA", "1111"),
    ("ben", "Ben Picker", "picker", None, "BADGE-BEN", "2222"),
    ("cleo", "Cleo Packer", "packer", None, "BADGE-CLEO", "3333"),
    ("dev", "Dev Receiver", "receiver", None, "BADGE-DEV", "4444"),
]

# zone code, name, first aisle, aisles, bays per aisle, levels, location kind
LAYOUT = [
    ("A", "Ambient pick", 1, 8, 12, "ABC", LocationKind.BIN),
    ("B", "Bulk reserve", 9, 4, 10, "AB", LocationKind.PALLET_POSITION),
    ("C", "Cold room", 13, 2, 10, "ABC", LocationKind.BIN),
]
AISLE_SPACING_M, BAY_WIDTH_M = 3.0, 1.2
COMPANY_PREFIX = "0614141"  # GS1's documentation prefix: valid check digits, never a real product

ADJECTIVES = ["Blue", "Red", "Green", "Steel", "Bamboo", "Ceramic", "Glass", "Linen", "Cotton", "Oak",
              "Compact", "Deluxe", "Travel", "Kids", "Pro", "Mini"]
NOUNS = ["Mug", "Bottle", "Notebook", "Phone case", "Desk lamp", "Yoga mat", "Water filter", "Scarf",
         "Backpack", "Charger", "Cable", "Candle", "Teapot", "Cutting board", "Plant pot", "Headphones",
         "Mouse pad", "Lunch box", "Towel", "Pillow cover"]
COLD_NOUNS = ["Probiotic", "Vaccine cooler pack", "Cheese", "Chocolate", "Insulin pen case"]
CITIES = [("Austin", "TX", "78701"), ("Denver", "CO", "80202"), ("Seattle", "WA", "98101"),
          ("Boston", "MA", "02108"), ("Miami", "FL", "33101"), ("Chicago", "IL", "60601"),
          ("Portland", "OR", "97201"), ("Phoenix", "AZ", "85001")]
NAMES = ["Jordan Lee", "Priya Patel", "María José Núñez", "Tom Becker", "Aiko Tanaka", "Sam O'Neil",
         "Fatima Khan", "Niccolò Ferrè", "陈伟", "Ольга Иванова", "Kwame Mensah", "Lena Vogel"]
SERVICE_LEVELS = ["Standard", "Standard", "Expedited", "Standard", "SecondDay", "NextDay"]
# code, name, inner length, width, height (mm), most it carries (g), empty weight (g)
BOX_TYPES = [
    ("MAILER-S", "Small mailer", 230, 160, 50, 1000, 40),
    ("BOX-S", "Small box", 200, 150, 100, 5000, 120),
    ("BOX-M", "Medium box", 300, 250, 150, 10000, 220),
    ("BOX-L", "Large box", 400, 300, 250, 20000, 380),
    ("BOX-XL", "Extra large box", 600, 400, 400, 30000, 650),
]
VIRTUAL_PRINTER = "Virtual Zebra"
PACK_STATIONS = [f"PACK-{n}" for n in range(1, 5)]
# The demo's shipped orders: how each ships (carrier, service, scanned tracking numbers per package: None for
# our own carrier, which issues them). The UPS numbers are carriers.md's examples (valid check digits); an order
# has at most three lines, so at most three packages.
UPS_NUMBERS = ["1Z5R89390357567127", "1Z879E930346834440", "1Z410E7W0392751591"]
SHIPPED = [("local", "nextday", None), ("ups", "ground", UPS_NUMBERS), ("local", "nextday", None)]


def gtin13(item_ref: int) -> str:
    body = f"{COMPANY_PREFIX}{item_ref:05d}"
    return body + str(gs1_check_digit(body))


def gtin14_case(item_ref: int) -> str:
    body = f"1{COMPANY_PREFIX}{item_ref:05d}"
    return body + str(gs1_check_digit(body))


def s_shape_sequence(aisle: int, bay: int, level: str, bays: int) -> int:
    """Walk order: up odd aisles, down even ones (reference/warehouse-ops.md §3)."""
    walk_bay = bay if aisle % 2 == 1 else bays + 1 - bay
    return aisle * 10000 + walk_bay * 10 + "ABCDEF".index(level)


def seed_locations() -> dict[str, list]:
    bins: dict[str, list] = {}
    for zone_code, zone_name, first, aisles, bays, levels, kind in LAYOUT:
        zone = get_or_create_zone(zone_code, zone_name)
        for aisle in range(first, first + aisles):
            for bay in range(1, bays + 1):
                for level in levels:
                    loc = create_location(
                        f"{zone_code}-{aisle:02d}-{bay:02d}-{level}", kind=kind, zone=zone, aisle=aisle, bay=bay,
                        level=level, x=aisle * AISLE_SPACING_M, y=bay * BAY_WIDTH_M,
                        pick_sequence=s_shape_sequence(aisle, bay, level, bays),
                        capacity_units=400 if kind == LocationKind.PALLET_POSITION else 120,
                        mixed_items_allowed=kind != LocationKind.PALLET_POSITION)
                    bins.setdefault(zone_code, []).append(loc)
    dock_zone = get_or_create_zone("S", "Shipping and receiving")
    for n in (1, 2):
        create_location(f"DOCK-{n}", kind=LocationKind.DOCK, zone=dock_zone, x=0.0, y=n * 4.0, pickable=False)
        create_location(f"STAGE-{n}", kind=LocationKind.STAGING, zone=dock_zone, x=2.0, y=n * 4.0, pickable=False)
    for n in range(1, 5):
        create_location(f"PACK-{n}", kind=LocationKind.PACK_STATION, zone=dock_zone, x=0.0, y=10.0 + n * 2,
                        pickable=False)
    for n in range(1, 4):
        cart = create_location(f"CART-{n}", kind=LocationKind.CART, parent=find_location("STAGE-1"),
                               pickable=False)
        for t in range(1, 9):  # as many totes as a batch has orders (PICK_BATCH_SIZE)
            create_location(f"TOTE-{(n - 1) * 8 + t:03d}", kind=LocationKind.TOTE, parent=cart, pickable=False)
    create_location("QUARANTINE", kind=LocationKind.STAGING, zone=dock_zone, blocked=True, pickable=False)
    return bins


def seed_items(rng: random.Random) -> list[Item]:
    zones = {z: get_or_create_zone(z) for z in ("A", "B", "C")}
    items = []
    for n in range(320):
        cold = n % 16 == 15
        noun = COLD_NOUNS[n % len(COLD_NOUNS)] if cold else NOUNS[n % len(NOUNS)]
        name = f"{ADJECTIVES[(n // len(NOUNS)) % len(ADJECTIVES)]} {noun} {n // 20 + 1}"
        barcodes = [gtin13(n + 1)]
        if n % 5 == 0:
            barcodes.append(f"X00{n:07d}")  # Amazon FNSKU label applied in-house
        if n % 7 == 0:
            barcodes.append(f"{gtin14_case(n + 1)}*12")  # outer case of 12
        home = "C" if cold else ("B" if n % 9 == 0 else "A")
        items.append(catalog.create_item(
            f"SKU-{1000 + n}", name, barcodes=barcodes, unit="each", weight_g=rng.randint(40, 2500),
            length_mm=rng.randint(50, 400), width_mm=rng.randint(30, 300), height_mm=rng.randint(10, 200),
            value_cents=rng.randint(299, 8999), home_zone_id=zones[home].id,
            tracks_lot=cold, tracks_expiry=cold))
    return items


def seed_stock(rng: random.Random, items: list[Item], bins: dict[str, list], actor: Actor) -> int:
    """Opening stock enters through the ledger, like a real go-live import."""
    postings = 0
    free = {zone: list(locs) for zone, locs in bins.items()}
    for zone in free:
        rng.shuffle(free[zone])
    today = date.today()
    for item in items:
        zone = item.home_zone.code
        for _ in range(1 if rng.random() < 0.7 else 2):
            if not free[zone]:
                break
            loc = free[zone].pop()
            lot = expiry = None
            if item.tracks_lot:
                lot = f"L{rng.randint(10000, 99999)}"
                expiry = today + timedelta(days=rng.randint(30, 400))
            adjust_stock(item_code=item.sku, location_code=loc.code, delta=rng.randint(4, 60),
                         reason="opening_balance", lot=lot, expiry=expiry, actor=actor)
            postings += 1
    return postings


def seed_orders(rng: random.Random, items: list[Item], actor: Actor, count: int = 72) -> None:
    """Open orders through the orders service, as an import would make them: most from Amazon, some from a
    web shop; customers in several scripts; deadlines from the warehouse calendar, and a few with the
    channel's own latest-ship-date already past or due within the hour, so every urgency shows."""
    now = utcnow()
    for n in range(count):
        city, state, postal = CITIES[n % len(CITIES)]
        name = NAMES[n % len(NAMES)]
        amazon = n % 6 != 5
        data = {
            "channel": "amazon" if amazon else "webshop",
            "channel_order_id": (f"11{n % 10}-{1000000 + n * 7919:07d}-{2000000 + n * 104729 % 9999999:07d}"
                                 if amazon else f"WS-{5000 + n}"),
            "customer_name": name, "service_level": SERVICE_LEVELS[n % len(SERVICE_LEVELS)],
            "ship_to": {"name": name, "address1": f"{100 + n} Main Street", "city": city, "state": state,
                        "postal_code": postal, "country": "US"},
            "ordered_at": now - timedelta(hours=rng.randint(1, 60)),
            "lines": [{"sku": item.sku, "qty": 1 if rng.random() < 0.8 else 2,
                       "channel_line_id": f"{40000000000000 + n * 100 + k}" if amazon else None}
                      for k, item in enumerate(rng.sample(items, 1 if rng.random() < 0.6 else rng.randint(2, 3)))],
        }
        if n % 12 == 3:  # the channel's latest-ship-date: one overdue, one due within the hour, alternately
            data["ship_by"] = now + (timedelta(hours=-3) if n % 24 == 3 else timedelta(minutes=50))
        create_order(data, actor=actor, source="demo")


def seed_floor_work(actor: Actor) -> None:
    """Reserve stock for the open orders, most urgent first, and put one batch on the floor for a picker."""
    allocate(actor=actor)
    build_batch(size=6, actor=actor, release=True)


def seed_box_types() -> None:
    for code, name, length, width, height, max_weight, tare in BOX_TYPES:
        create_box_type(code, name, length_mm=length, width_mm=width, height_mm=height, max_weight_g=max_weight,
                        tare_g=tare)


def seed_printers() -> None:
    """The virtual printer (`flask virtual-printer`, port SHIPFLOOR_PRINTER_PORT) prints for every pack station."""
    port = int(os.environ.get("SHIPFLOOR_PRINTER_PORT", "9100"))
    printer = printing.create_printer(VIRTUAL_PRINTER, host="127.0.0.1", port=port, dpi=203)
    for station in PACK_STATIONS:
        printing.assign_station(station, printer)


def _pick_batch(batch, picker: Actor) -> None:
    """Pick every task of the batch on CART-3, as a picker with a handheld would."""
    start_batch_on_cart("CART-3", actor=picker)
    totes = {bo.tote_number: db.session.get(Location, bo.tote_id).code for bo in batch.orders}
    for task in list(batch.tasks):
        confirm_pick(task, location_code=task.location.code, item_code=task.item.sku, qty=task.qty,
                     tote_code=totes[task.tote_number], lot=task.lot or None, actor=picker)


def _pack(order, tote: str, packer: Actor) -> list:
    """Pack the order at PACK-1: one package per line when it has several lines (a multi-package shipment),
    each closed in the box suggested for it and weighed."""
    start_packing(tote, station="PACK-1", actor=packer)
    packages = []
    for n, line in enumerate(order.lines):
        if n:
            new_package(order, station="PACK-1", actor=packer)
        package = scan_item(order, line.item.sku, qty=line.qty, actor=packer).package
        box = suggested_box(package)
        weight = sum((pl.item.weight_g or 100) * pl.qty for pl in package.lines) + (box.tare_g if box else 200)
        packages.append(close_package(package, weight_g=weight, box=box.code if box else None,
                                      **({} if box else {"length_mm": 400, "width_mm": 300, "height_mm": 250}),
                                      actor=packer))
    return packages


def seed_shipped(boss: Actor, picker: Actor, packer: Actor) -> None:
    """A few of the most urgent orders all the way through the real services: picked, packed, labelled (the
    labels queued on the Virtual Zebra at PACK-1) and shipped; the UPS ones on today's manifest. So every
    shipping page, the Amazon confirmation file and GET /api/shipments/<id>/labels.zpl show real data."""
    allocate(actor=boss)
    batch = build_batch(size=len(SHIPPED), actor=boss, release=True)
    _pick_batch(batch, picker)
    for bo, (carrier, service, numbers) in zip(sorted(batch.orders, key=lambda bo: bo.tote_number), SHIPPED):
        order = db.session.get(Order, bo.order_id)
        packages = _pack(order, db.session.get(Location, bo.tote_id).code, packer)
        create_shipment(order, packages, carrier=carrier, service=service,
                        tracking_numbers=numbers[:len(packages)] if numbers else None, actor=packer)
    close_manifest("ups", actor=boss)


def seed_demo() -> bool:
    """Seed everything in one transaction; False when the demo is already there."""
    if db.session.scalar(sa.select(Item.id).where(Item.sku_key == "SKU-1000")):
        return False
    rng = random.Random(42)
    for username, display, role, password, badge, pin in DEMO_USERS:
        if not db.session.scalar(sa.select(User.id).where(User.username == username)):
            auth.create_user(username, role=role, display_name=display, password=password, badge=badge, pin=pin)
    admin_id = db.session.scalar(sa.select(User.id).where(User.username == "admin"))
    bins = seed_locations()
    items = seed_items(rng)
    seed_stock(rng, items, bins, Actor(user_id=admin_id, device_id="demo-seed"))
    demo_actor = Actor(user_id=admin_id, device_id="demo-seed")
    seed_orders(rng, items, demo_actor)
    seed_box_types()
    seed_printers()
    user_ids = dict(db.session.execute(sa.select(User.username, User.id)).all())
    seed_shipped(demo_actor, Actor(user_id=user_ids["ana"], device_id="demo-hh-1"),
                 Actor(user_id=user_ids["cleo"], device_id="demo-pack-1"))
    seed_floor_work(demo_actor)
    return True


@click.command("demo")
def demo_command():
    """Seed the demo warehouse; safe to run twice."""
    created = run_in_transaction(seed_demo)
    click.echo("demo warehouse seeded" if created else "demo warehouse already there; nothing changed")
    click.echo("demo credentials (never use on a real floor):")
    for username, display, role, password, badge, pin in DEMO_USERS:
        how = f"password {password}" if password else ""
        if badge:
            how += f"{'; ' if how else ''}badge {badge} PIN {pin}"
        click.echo(f"  {role:<10} {username:<6} {how}")
