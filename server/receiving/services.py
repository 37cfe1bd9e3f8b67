"""Receiving against expected receipts (PO/ASN) or blind, into a dock, staging spot or license plate."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ..catalog import services as catalog
from ..catalog.models import Item
from ..csvio import CsvImport, CsvRow, RowError
from ..db import utcnow
from ..errors import DomainError, InvalidInput, get_or_404
from ..extensions import db
from ..inventory import ledger
from ..inventory.codes import CONTAINER_KINDS, LocationKind, MoveKind, VirtualLocation
from ..inventory.ledger import Actor
from ..inventory.locations import create_location, find_location, get_location
from ..inventory.models import Location
from ..scanning import gs1
from ..scanning.resolve import resolve_code
from .models import Receipt, ReceiptLine, ReceiptStatus
from .schemas import ReceiptRowIn

RECEIVING_KINDS = {LocationKind.DOCK, LocationKind.STAGING}


class ReceiptClosed(DomainError):
    code, title = "receipt_closed", "Receipt closed"


class NotAReceivingLocation(InvalidInput):
    code, title = "not_a_receiving_location", "Receive into a dock or staging location"


def create_receipt(reference: str, *, lines: list[tuple[str, int]], supplier: str | None = None,
                   expected_at: datetime | None = None) -> Receipt:
    """Create an expected receipt (purchase order or advance ship notice) with its lines."""
    reference = reference.strip()
    if not reference:
        raise InvalidInput(_("A receipt needs a reference (PO or ASN number)."), field="reference")
    if db.session.scalar(sa.select(Receipt.id).where(Receipt.reference == reference)):
        raise InvalidInput(_("Receipt %(ref)s exists already.", ref=reference), field="reference")
    receipt = Receipt(reference=reference, supplier=supplier, expected_at=expected_at, blind=False)
    db.session.add(receipt)
    for n, (code, qty) in enumerate(lines):
        item = catalog.get_item(code, field=f"lines.{n}.item")
        if qty <= 0:
            raise InvalidInput(_("Expected quantities are above zero."), field=f"lines.{n}.qty")
        line = next((ln for ln in receipt.lines if ln.item_id == item.id), None)
        if line is None:
            receipt.lines.append(ReceiptLine(item_id=item.id, expected_qty=qty, received_qty=0))
        else:
            line.expected_qty += qty
    db.session.flush()
    return receipt


def start_blind_receipt(*, supplier: str | None = None) -> Receipt:
    """Open a receipt with no expected lines: what arrives is what gets counted."""
    # Numbered by the row id, so two receivers starting one at the same moment never collide.
    receipt = Receipt(reference=f"BLIND-PENDING-{uuid.uuid4().hex}", supplier=supplier, blind=True)
    db.session.add(receipt)
    db.session.flush()
    receipt.reference = f"BLIND-{utcnow():%Y%m%d}-{receipt.id:05d}"
    db.session.flush()
    return receipt


def get_receipt(receipt_id: int) -> Receipt:
    return get_or_404(Receipt, receipt_id, _("There is no receipt %(id)d.", id=receipt_id), "receipt_id")


def _item_from_scan(code: str) -> tuple[Item, int, dict]:
    """Resolve an item scan; GS1 strings give lot and expiry too. Returns (item, units per scan, extras)."""
    result = resolve_code(code)
    if result["kind"] != "item":
        raise InvalidInput(_("%(code)s is not an item barcode.", code=code), field="code",
                           expected="an item barcode")
    view = result["item"]
    return catalog.get_item(view["sku"], field="code"), view["units"], view


def _receiving_target(location_code: str, license_plate: str | None) -> Location:
    loc = ledger.require_open(get_location(location_code, field="location"), field="location")
    base = loc
    while base.is_container and base.parent is not None:
        base = base.parent
    if base.kind not in RECEIVING_KINDS:
        raise NotAReceivingLocation(_("%(code)s is not a dock or staging location.", code=loc.code),
                                    field="location", expected="a dock or staging location")
    if not license_plate:
        return loc
    sscc = license_plate.strip()
    if sscc.startswith("00") and len(sscc) == 20:
        sscc = sscc[2:]  # scanned with its AI
    if not (len(sscc) == 18 and gs1.is_valid_gs1_key(sscc)):
        raise InvalidInput(_("%(lp)s is not a valid SSCC (18 digits with a check digit).", lp=license_plate),
                           field="license_plate", expected="an 18-digit SSCC")
    plate = find_location(sscc)
    if plate is None:
        plate = create_location(sscc, kind=LocationKind.PALLET, parent=loc, zone=loc.zone, pickable=False)
    elif plate.kind not in CONTAINER_KINDS:
        raise InvalidInput(_("%(lp)s is not a license plate.", lp=sscc), field="license_plate")
    return plate


def receive(receipt: Receipt, *, code: str, qty: int, location_code: str, actor: Actor,
            lot: str | None = None, expiry: date | None = None, license_plate: str | None = None) -> dict:
    """Receive qty units of the scanned item into the location.

    qty always counts units: the handheld starts it at the units one scan stands for (12 for a case-pack
    barcode) and the receiver corrects it, so a case scan never multiplies by surprise.
    """
    if receipt.status != ReceiptStatus.OPEN:
        raise ReceiptClosed(_("Receipt %(ref)s is closed.", ref=receipt.reference))
    item, _units, extras = _item_from_scan(code)
    lot = lot or extras.get("lot")
    if expiry is None and extras.get("expiry"):
        expiry = date.fromisoformat(extras["expiry"])
    if item.tracks_lot and not lot:
        raise InvalidInput(_("%(sku)s is tracked by lot: scan or type the lot.", sku=item.sku), field="lot")
    if item.tracks_expiry and expiry is None:
        raise InvalidInput(_("%(sku)s needs an expiry date.", sku=item.sku), field="expiry")
    target = _receiving_target(location_code, license_plate)
    total = qty
    moves = ledger.post_move(kind=MoveKind.RECEIVE, item=item, qty=total,
                             src=ledger.virtual(VirtualLocation.SUPPLIER), dst=target, lot=lot, expiry=expiry,
                             ref_type="receipt", ref_id=receipt.id, actor=actor)
    line = next((ln for ln in receipt.lines if ln.item_id == item.id), None)
    flags = []
    if line is None:
        line = ReceiptLine(item_id=item.id, expected_qty=0, received_qty=0)
        receipt.lines.append(line)
        if not receipt.blind:
            flags.append("unexpected_item")
    line.received_qty += total
    if not receipt.blind and line.received_qty > line.expected_qty and "unexpected_item" not in flags:
        flags.append("over_receipt")
    db.session.flush()
    return {"movement": moves[0], "line": line_out(line), "flags": flags, "location": target.code}


def close_receipt(receipt: Receipt) -> Receipt:
    """Close a receipt; lines received short or over stay visible as variances."""
    if receipt.status == ReceiptStatus.CLOSED:
        raise ReceiptClosed(_("Receipt %(ref)s is closed already.", ref=receipt.reference))
    receipt.status = ReceiptStatus.CLOSED
    receipt.closed_at = utcnow()
    return receipt


def line_out(line: ReceiptLine) -> dict:
    item = line.item or db.session.get(Item, line.item_id)
    variance = line.received_qty - line.expected_qty
    return {"item": item.sku, "name": item.name, "expected": line.expected_qty, "received": line.received_qty,
            "variance": variance}


def receipt_out(receipt: Receipt) -> dict:
    return {"id": receipt.id, "reference": receipt.reference, "supplier": receipt.supplier, "blind": receipt.blind,
            "status": receipt.status.value, "expected_at": receipt.expected_at, "created_at": receipt.created_at,
            "lines": [line_out(ln) for ln in receipt.lines]}


def list_receipts(status: str | None = None, limit: int = 100) -> list[Receipt]:
    stmt = sa.select(Receipt).order_by(Receipt.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Receipt.status == status)
    return db.session.scalars(stmt).all()


def _receipt_saver(_params: dict):
    """Import expected receipts: one row per line (reference, supplier, item, qty), each a line of the API's
    ReceiptIn. A receipt with a bad row is not imported; the others are."""

    def save(rows: list[CsvRow]) -> str:
        for row in rows:
            if catalog.find_item_by_code(row.values["item"]) is None:
                raise RowError(_("Unknown item %(i)s.", i=row.values["item"]), line=row.line)
        first = rows[0].values
        create_receipt(first["reference"], lines=[(r.values["item"], r.values["qty"]) for r in rows],
                       supplier=first["supplier"])
        return "created"

    return save


RECEIPTS_IMPORT = CsvImport("import_receipts", ReceiptRowIn, _receipt_saver, key="reference",
                            required=frozenset({"reference", "item", "qty"}))


def import_receipts_csv(data: bytes | str) -> dict:
    """Import expected receipts (RECEIPTS_IMPORT) in the caller's transaction."""
    return RECEIPTS_IMPORT.run(data)
