"""Packing slips: one per package, printed on the pack station's printer when the order is packed, and the
same content as a printable HTML page (templates/supervisor/pack/slip.html)."""

from __future__ import annotations

from ..extensions import db
from ..inventory.ledger import Actor
from ..inventory.models import Location
from ..orders.models import Order
from ..printing.services import printer_for_station, submit_print
from .models import Package


def slip_lines(package: Package) -> list[tuple[str, str, int]]:
    """(sku, name, qty) of what the package holds, a lot's units added up."""
    lines: dict[str, list] = {}
    for line in package.lines:
        entry = lines.setdefault(line.item.sku, [line.item.sku, line.item.name, 0])
        entry[2] += line.qty
    return [tuple(entry) for entry in lines.values()]


def ship_to(order: Order):
    from labels.templates import Address  # labels/ is pure and imports nothing of ours

    return Address(name=order.ship_to_name, company=None, line1=order.ship_to_address1,
                   line2=order.ship_to_address2, line3=order.ship_to_address3, city=order.ship_to_city,
                   state=order.ship_to_state, postal_code=order.ship_to_postal_code, country=order.ship_to_country,
                   phone=order.ship_to_phone)


def packing_slip_zpl(order: Order, package: Package, count: int, *, dpi: int = 203) -> bytes:
    from labels.templates import packing_slip

    return packing_slip(order.channel_order_id, ship_to(order), slip_lines(package), package.number, count, dpi=dpi)


def print_packing_slips(order: Order, packages: list[Package], *, actor: Actor | None) -> list:
    """One slip per package on the printer of the station it was packed at (none assigned: nothing printed,
    the page's HTML slip serves)."""
    jobs = []
    for package in packages:
        station = db.session.get(Location, package.station_id) if package.station_id else None
        printer = printer_for_station(station) if station is not None else None
        if printer is None:
            continue
        payload = packing_slip_zpl(order, package, len(packages), dpi=printer.dpi)
        jobs.append(submit_print(printer=printer, payload=payload, kind="packing_slip", ref_type="package",
                                 ref_id=package.id, actor=actor))
    return jobs
