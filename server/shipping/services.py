"""Shipments: label an order's packed packages with a carrier service, ship them, void, manifest, confirm.

The rules (docs/shipping.md):
- create_shipment labels packages that are packed (closed, weighed): tracking numbers from the carrier
  adapter (ours issues them; an external carrier's are scanned and validated), an SSCC per package, a 4x6
  label per package printed on the pack station's printer (server/printing), packages → labelled.
- When the order ships is a setting (SHIPFLOOR_SHIP_ON): "label" — at once; "dock" — when the last package
  of the shipment is scanned at the dock (mark_loaded). Shipping moves every package's stock from its carton
  to CUSTOMER through the ledger (MoveKind.SHIP), records ship_by_met (shipped_at ≤ the order's ship_by, to the
  microsecond), and the order becomes shipped when none of its packages is left unshipped.
- void_shipment: until the shipment is confirmed to the channel or on a closed manifest (then it has left:
  a return, not a void). A shipped one is put back through the ledger (each SHIP movement reversed) and the
  order goes back to packed; packages go back to packed (their SSCC kept) and can be labelled again.
Services flush, never commit.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..db import claim_write_lock, utcnow
from ..extensions import db
from ..inventory.codes import MoveKind, ReasonCode, VirtualLocation
from ..inventory.ledger import Actor, post_move, reverse_move, virtual
from ..inventory.ledger_models import StockMove
from ..inventory.models import Location
from ..orders.models import Order, OrderLine, OrderStatus
from ..orders.ship_by import WarehouseCalendar, end_of_day, zone as time_zone
from ..orders.status import change_status
from ..packing.models import Package, PackageStatus
from .carriers import get_carrier
from .errors import CannotVoid, NothingToManifest, NotLoadable, NotReadyToShip, TrackingInUse, UnknownService
from .models import Manifest, Shipment, ShipmentStatus
from .rates import RateRequest, card_for, parcels_of
from .sscc import next_sscc

SHIP_ON_LABEL, SHIP_ON_DOCK = "label", "dock"
DEMO_SHIP_FROM = {"name": "Shipfloor Demo Warehouse", "company": "Shipfloor", "line1": "100 Industrial Way",
                  "line2": "", "line3": "", "city": "Columbus", "state": "OH", "postal_code": "43215",
                  "country": "US", "phone": "+1 614 555 0100"}
# Package states a label may be created for (a voided label puts its packages back to packed).
LABELLABLE = (PackageStatus.PACKED,)


# --- settings ------------------------------------------------------------------------------------------

def ship_from_fields() -> dict:
    """The warehouse's address: SHIPFLOOR_SHIP_FROM (a JSON object with the keys of DEMO_SHIP_FROM; the keys it
    leaves out keep the demo's), or the demo warehouse."""
    raw = current_app.config.get("SHIP_FROM") or ""
    given = json.loads(raw) if raw.strip() else {}
    return {**DEMO_SHIP_FROM, **{k: v for k, v in given.items() if k in DEMO_SHIP_FROM}}


def ship_from():
    from labels.templates import Address
    return Address(**{key: value or "" for key, value in ship_from_fields().items()})


def ship_on() -> str:
    value = (current_app.config.get("SHIP_ON") or SHIP_ON_LABEL).strip().lower()
    if value not in (SHIP_ON_LABEL, SHIP_ON_DOCK):
        raise ValueError(f"SHIPFLOOR_SHIP_ON must be 'label' or 'dock', not {value!r}")
    return value


def _calendar() -> WarehouseCalendar:
    return WarehouseCalendar.from_config(current_app.config)


def local_day(moment: datetime) -> date:
    return moment.astimezone(time_zone(_calendar().timezone)).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a warehouse-local day starts at and ends before."""
    tz = time_zone(_calendar().timezone)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    return start, end_of_day(day, tz) + timedelta(microseconds=1)


# --- labels --------------------------------------------------------------------------------------------

def service_entry(carrier: str, service: str) -> dict | None:
    card = card_for(carrier)
    return next((s for s in card["services"] if s["code"] == service), None) if card else None


def service_name(shipment: Shipment) -> str:
    entry = service_entry(shipment.carrier, shipment.service)
    return entry["name"] if entry else shipment.service


def _ship_to(order: Order):
    from labels.templates import Address
    return Address(name=order.ship_to_name, line1=order.ship_to_address1, line2=order.ship_to_address2 or "",
                   line3=order.ship_to_address3 or "", city=order.ship_to_city, state=order.ship_to_state or "",
                   postal_code=order.ship_to_postal_code, country=order.ship_to_country,
                   phone=order.ship_to_phone or "")


def shipment_packages(shipment: Shipment) -> list[Package]:
    return list(db.session.scalars(sa.select(Package).where(Package.shipment_id == shipment.id)
                                   .order_by(Package.number)))


def package_count(order_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Package).where(Package.order_id == order_id))


def _station_printer_dpi(packages: Sequence[Package]) -> int | None:
    from ..printing.services import printer_for_station
    for package in packages:
        station = db.session.get(Location, package.station_id) if package.station_id else None
        printer = printer_for_station(station) if station is not None else None
        if printer is not None:
            return printer.dpi
    return None


def package_label(shipment: Shipment, package: Package, *, dpi: int = 203, count: int | None = None) -> bytes:
    from labels.templates import ShippingLabel, shipping_label
    order = db.session.get(Order, shipment.order_id)
    data = ShippingLabel(ship_from=ship_from(), ship_to=_ship_to(order), carrier=get_carrier(shipment.carrier).name,
                         service=service_name(shipment), weight_g=package.weight_g or 0,
                         order_ref=order.channel_order_id, package_number=package.number,
                         package_count=count or package_count(order.id), tracking_number=package.tracking_number,
                         sscc=package.sscc, ship_date=local_day(shipment.label_created_at))
    return shipping_label(data, dpi=dpi)


def labels_zpl(shipment: Shipment, dpi: int | None = None) -> bytes:
    """Every package label of the shipment, one ^XA…^XZ each; dpi: given, else the station printer's, else 203."""
    packages = shipment_packages(shipment)
    dpi = dpi or _station_printer_dpi(packages) or 203
    count = package_count(shipment.order_id)
    return b"".join(package_label(shipment, p, dpi=dpi, count=count) for p in packages)


def _print_labels(shipment: Shipment, packages: Sequence[Package], station: Location | None, actor: Actor) -> int:
    """Queue each package's label on its pack station's printer; → labels queued (0 without a printer)."""
    from ..printing.services import printer_for_station, submit_print
    queued, count = 0, package_count(shipment.order_id)
    for package in packages:
        where = station or (db.session.get(Location, package.station_id) if package.station_id else None)
        printer = printer_for_station(where) if where is not None else None
        if printer is None:
            continue
        submit_print(printer=printer, payload=package_label(shipment, package, dpi=printer.dpi, count=count),
                     kind="shipping_label", ref_type="package", ref_id=package.id, actor=actor)
        queued += 1
    return queued


# --- creating ------------------------------------------------------------------------------------------

def _lock_order(order: Order) -> Order:
    claim_write_lock(db.session)
    return db.session.scalars(sa.select(Order).where(Order.id == order.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def _check_packages(order: Order, packages: Sequence[Package]) -> list[Package]:
    if not packages:
        raise NotReadyToShip(_("Order %(order)s has no packed package to label.", order=order.channel_order_id))
    for package in packages:
        if package.order_id != order.id:
            raise NotReadyToShip(_("Package %(id)d belongs to another order.", id=package.id), field="packages")
        if package.status not in LABELLABLE:
            raise NotReadyToShip(_("Package %(n)d of order %(order)s is %(status)s: only packed packages get a "
                                   "label.", n=package.number, order=order.channel_order_id,
                                   status=package.status.label), field="packages")
    return sorted(packages, key=lambda p: p.number)


def _check_unused(numbers: Sequence[str]) -> None:
    used = db.session.scalars(sa.select(Package.tracking_number).where(Package.tracking_number.in_(numbers))
                              .where(Package.status != PackageStatus.VOIDED)).first()
    if used:
        raise TrackingInUse(_("Tracking number %(number)s is on another package already: scan this package's "
                              "own label.", number=used), field="tracking_numbers")


def _rate(order: Order, packages: Sequence[Package], carrier, service: str):
    """The rate of this service for these packages (None when not priced: no card, or a package unweighed)."""
    if not all(p.weight_g for p in packages):
        return None
    request = RateRequest(origin_postal=ship_from_fields()["postal_code"], dest_postal=order.ship_to_postal_code,
                          dest_country=order.ship_to_country, parcels=parcels_of(packages))
    return next((r for r in carrier.rate(request) if r.service == service), None)


def create_shipment(order: Order, packages: Sequence[Package], *, carrier: str, service: str,
                    tracking_numbers: Sequence[str] | None = None, actor: Actor, print: bool = True,
                    station: Location | None = None) -> Shipment:
    """Label these packed packages of the order with the carrier's service (see the module docstring)."""
    order = _lock_order(order)
    adapter = get_carrier(carrier)
    if card_for(adapter.code) and service_entry(adapter.code, service) is None:
        names = ", ".join(s["code"] for s in card_for(adapter.code)["services"])
        raise UnknownService(_("%(carrier)s has no service %(service)s.", carrier=adapter.name, service=service),
                             field="service", expected=names)
    if order.status != OrderStatus.PACKED:  # packing decides when every unit is in (or a supervisor overrode)
        raise NotReadyToShip(_("Order %(order)s is %(status)s: only a packed order gets a label.",
                               order=order.channel_order_id, status=order.status.label))
    packages = _check_packages(order, packages)
    rate = _rate(order, packages, adapter, service)
    shipment = Shipment(order_id=order.id, carrier=adapter.code, service=service, status=ShipmentStatus.LABELLED,
                        rate_cents=rate.cents if rate else None, currency=rate.currency if rate else None,
                        label_created_at=utcnow(), created_by=actor.user_id)
    db.session.add(shipment)
    db.session.flush()
    numbers = adapter.create_label(shipment, packages, tracking_numbers=tracking_numbers)
    _check_unused(numbers)
    if rate is not None:
        from .rates import add_business_days
        shipment.promised_delivery = add_business_days(local_day(shipment.label_created_at), rate.transit_days,
                                                       _calendar())
    for package, number in zip(packages, numbers):
        package.shipment_id, package.tracking_number = shipment.id, number
        package.sscc = package.sscc or next_sscc()
        package.status = PackageStatus.LABELLED
    db.session.flush()
    if print:
        _print_labels(shipment, packages, station, actor)
    if ship_on() == SHIP_ON_LABEL:
        ship(shipment, actor=actor)
    return shipment


# --- shipping ------------------------------------------------------------------------------------------

def ship(shipment: Shipment, *, actor: Actor, at: datetime | None = None) -> Shipment:
    """Hand the shipment to its carrier: stock leaves through the ledger, ship-by met or missed is recorded,
    and the order is shipped once none of its packages is left behind."""
    if shipment.status != ShipmentStatus.LABELLED:
        return shipment
    at = at or utcnow()
    customer = virtual(VirtualLocation.CUSTOMER)
    for package in shipment_packages(shipment):
        if package.container_id is not None:
            carton = db.session.get(Location, package.container_id)
            for line in package.lines:
                post_move(kind=MoveKind.SHIP, item=line.item, qty=line.qty, src=carton, dst=customer, lot=line.lot,
                          actor=actor, ref_type="shipment", ref_id=shipment.id)
            # The carton has left the building: no longer a place in the warehouse (a scan of its label now
            # finds the package, and the location lists and counts stay the warehouse's, not every box ever sent).
            carton.active = False
        package.status = PackageStatus.SHIPPED
    order = db.session.get(Order, shipment.order_id)
    shipment.status, shipment.shipped_at = ShipmentStatus.SHIPPED, at
    shipment.ship_by_met = order.ship_by is None or at <= order.ship_by
    left = db.session.scalar(sa.select(sa.func.count()).select_from(Package).where(
        Package.order_id == order.id, Package.status != PackageStatus.SHIPPED))
    if left == 0:
        change_status(order, OrderStatus.SHIPPED, actor=actor)
    db.session.flush()
    return shipment


def mark_loaded(package: Package, *, actor: Actor) -> Package:
    """A dock scan of the package's label: loaded; with SHIPFLOOR_SHIP_ON=dock the last package of a shipment
    to be loaded ships it. Scanning a loaded or shipped package again changes nothing."""
    claim_write_lock(db.session)
    package = db.session.scalars(sa.select(Package).where(Package.id == package.id).with_for_update()
                                 .execution_options(populate_existing=True)).one()
    if package.status in (PackageStatus.LOADED, PackageStatus.SHIPPED):
        package.loaded_at = package.loaded_at or utcnow()
        db.session.flush()
        return package
    if package.status != PackageStatus.LABELLED or package.shipment_id is None:
        raise NotLoadable(_("Package %(n)d of this order is %(status)s: only a labelled package goes on the truck.",
                            n=package.number, status=package.status.label), field="package")
    package.status, package.loaded_at = PackageStatus.LOADED, utcnow()
    db.session.flush()
    shipment = db.session.get(Shipment, package.shipment_id)
    if ship_on() == SHIP_ON_DOCK and all(p.status == PackageStatus.LOADED for p in shipment_packages(shipment)):
        ship(shipment, actor=actor)
    return package


def void_shipment(shipment: Shipment, *, reason: str, actor: Actor) -> Shipment:
    """Void the shipment's labels so its packages can be labelled again (see the module docstring)."""
    claim_write_lock(db.session)
    shipment = db.session.scalars(sa.select(Shipment).where(Shipment.id == shipment.id).with_for_update()
                                  .execution_options(populate_existing=True)).one()
    reason = (reason or "").strip()
    if not reason:
        raise CannotVoid(_("Say why the label is voided."), field="reason")
    if shipment.status == ShipmentStatus.VOIDED:
        raise CannotVoid(_("Shipment %(id)d is voided already.", id=shipment.id))
    if shipment.confirmed_at is not None or shipment.manifest_id is not None:
        raise CannotVoid(_("Shipment %(id)d has been handed over (manifest or channel confirmation): take it "
                           "back as a return.", id=shipment.id))
    get_carrier(shipment.carrier).void(shipment)
    order = db.session.get(Order, shipment.order_id)
    if shipment.status == ShipmentStatus.SHIPPED:
        moves = db.session.scalars(sa.select(StockMove).where(
            StockMove.ref_type == "shipment", StockMove.ref_id == shipment.id, StockMove.kind == MoveKind.SHIP,
            StockMove.reverses_id.is_(None)).order_by(StockMove.id))
        for move in list(moves):
            reverse_move(move, actor=actor, reason=ReasonCode.CORRECTION)
        if order.status == OrderStatus.SHIPPED:
            change_status(order, OrderStatus.PACKED, actor=actor, note=_("Label voided: %(reason)s", reason=reason))
    _cancel_unprinted_labels([p.id for p in shipment_packages(shipment)], actor)
    for package in shipment_packages(shipment):
        package.status, package.shipment_id, package.tracking_number = PackageStatus.PACKED, None, None
        package.loaded_at = None
    shipment.status, shipment.voided_at, shipment.void_reason = ShipmentStatus.VOIDED, utcnow(), reason[:200]
    shipment.shipped_at, shipment.ship_by_met = None, None
    db.session.flush()
    return shipment


def _cancel_unprinted_labels(package_ids: list[int], actor: Actor) -> None:
    """A voided label still waiting for its printer must not come out of it."""
    from ..printing.models import PrintJob, PrintJobStatus
    from ..printing.services import cancel
    if not package_ids:
        return
    waiting = db.session.scalars(sa.select(PrintJob).where(
        PrintJob.ref_type == "package", PrintJob.ref_id.in_(package_ids),
        PrintJob.status.in_((PrintJobStatus.QUEUED, PrintJobStatus.WAITING))))
    for job in list(waiting):
        cancel(job, actor=actor)


# --- end of day ----------------------------------------------------------------------------------------

def close_manifest(carrier: str, *, day: date | None = None, actor: Actor) -> Manifest:
    """Put the carrier's shipped shipments not yet on a manifest (shipped up to the end of `day`, default
    today) on a new manifest for that day: the list the driver signs."""
    claim_write_lock(db.session)
    adapter = get_carrier(carrier)
    day = day or local_day(utcnow())
    _start, end = day_bounds(day)
    shipments = list(db.session.scalars(sa.select(Shipment).where(
        Shipment.carrier == adapter.code, Shipment.status == ShipmentStatus.SHIPPED,
        Shipment.manifest_id.is_(None), Shipment.shipped_at < end).order_by(Shipment.id).with_for_update()))
    if not shipments:
        raise NothingToManifest(_("No %(carrier)s shipment is waiting for a manifest.", carrier=adapter.name))
    number = (db.session.scalar(sa.select(sa.func.max(Manifest.number)).where(
        Manifest.carrier == adapter.code, Manifest.day == day)) or 0) + 1
    manifest = Manifest(carrier=adapter.code, day=day, number=number, closed_at=utcnow(), closed_by=actor.user_id)
    db.session.add(manifest)
    db.session.flush()
    for shipment in shipments:
        shipment.manifest_id = manifest.id
    db.session.flush()
    return manifest


CONFIRMATION_HEADER = ("order-id", "order-item-id", "quantity", "ship-date", "carrier-code", "carrier-name",
                       "tracking-number", "ship-method")


def _cell(value) -> str:
    return " ".join(str(value if value is not None else "").split())  # no tab or line break inside a cell


def shipments_shipped_on(day: date, channel: str | None = "amazon") -> list[Shipment]:
    start, end = day_bounds(day)
    query = (sa.select(Shipment).join(Order, Order.id == Shipment.order_id)
             .where(Shipment.status == ShipmentStatus.SHIPPED, Shipment.shipped_at >= start, Shipment.shipped_at < end)
             .order_by(Shipment.shipped_at, Shipment.id))
    if channel:
        query = query.where(Order.channel == channel)
    return list(db.session.scalars(query))


def confirmation_rows(shipments: Sequence[Shipment]) -> list[tuple]:
    """Rows of Amazon's shipping-confirmation file (amazon-fbm.md §2): an order shipped whole in one package
    is one row without order-item-id; an order in several packages (or split over shipments) gets a row per
    package and order item, with the quantity in that package and the package's tracking number."""
    rows = []
    for shipment in shipments:
        order = db.session.get(Order, shipment.order_id)
        adapter = get_carrier(shipment.carrier)
        entry = service_entry(shipment.carrier, shipment.service)
        method = (entry or {}).get("method") or service_name(shipment)
        common = (local_day(shipment.shipped_at).isoformat(), adapter.amazon_code,
                  adapter.name if adapter.amazon_code == "Other" else "")
        packages = shipment_packages(shipment)
        if len(packages) == 1 and package_count(order.id) == 1:
            rows.append((order.channel_order_id, "", "", *common, packages[0].tracking_number, method))
            continue
        item_ids = dict(db.session.execute(sa.select(OrderLine.id, OrderLine.channel_line_id)
                                           .where(OrderLine.order_id == order.id)).all())
        for package in packages:
            qty = defaultdict(int)
            for line in package.lines:
                qty[line.order_line_id] += line.qty
            for line_id, n in qty.items():
                rows.append((order.channel_order_id, item_ids.get(line_id) or "", n, *common,
                             package.tracking_number, method))
    return rows


def ship_confirmation_file(day: date | None = None, *, shipments: Sequence[Shipment] | None = None) -> str:
    """The tab-separated Amazon shipping-confirmation file of the day's shipped Amazon orders (or of these
    shipments). Reading it changes nothing: mark_confirmed records the upload."""
    if shipments is None:
        shipments = shipments_shipped_on(day or local_day(utcnow()))
    lines = ["\t".join(CONFIRMATION_HEADER)]
    lines += ["\t".join(_cell(v) for v in row) for row in confirmation_rows(shipments)]
    return "\n".join(lines) + "\n"


def mark_confirmed(shipments: Sequence[Shipment]) -> int:
    """Record that these shipments went to the channel (the first time counts); → how many were new."""
    now, fresh = utcnow(), 0
    for shipment in shipments:
        if shipment.confirmed_at is None:
            shipment.confirmed_at, fresh = now, fresh + 1
    db.session.flush()
    return fresh
