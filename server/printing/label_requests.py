"""Labels asked for by code (a handheld at its station, a supervisor page in bulk): look the thing up, render
its template (labels.templates) at the printer's resolution, queue one print job with all of them."""

from __future__ import annotations

from flask_babel import gettext as _

from ..catalog.models import BarcodeKind
from ..catalog.services import find_item_by_code
from ..errors import InvalidInput, NotFound
from ..inventory.codes import LocationKind
from ..inventory.locations import find_location
from .models import Printer, PrintJob
from .services import submit_print

KINDS = ("bin", "item", "tote", "cart", "lpn")
MAX_LABELS = 500  # one request, one job: a shelf of bins, a pallet of cartons


def _location(code: str, kind: str):
    location = find_location(code)
    if location is None:
        raise NotFound(_("There is no location %(code)s.", code=code), field="code")
    if kind in ("tote", "cart") and location.kind != LocationKind(kind):
        raise InvalidInput(_("%(code)s is no %(kind)s.", code=location.code, kind=kind), field="code")
    return location


def render_label(kind: str, code: str, *, dpi: int) -> tuple[bytes, str | None, int | None]:
    """One label's ZPL and what it is for (ref_type, ref_id)."""
    from labels import templates

    code = code.strip()
    if kind == "bin":
        location = _location(code, kind)
        zone = location.zone.code if location.zone is not None else None
        return templates.bin_label(location.code, zone=zone, dpi=dpi), "location", location.id
    if kind in ("tote", "cart"):
        location = _location(code, kind)
        render = templates.tote_label if kind == "tote" else templates.cart_label
        return render(location.code, dpi=dpi), "location", location.id
    if kind == "item":
        found = find_item_by_code(code)
        if found is None:
            raise NotFound(_("No item has the SKU or barcode %(code)s.", code=code), field="code")
        item = found[0]
        gtin = next((b.code for b in item.barcodes if b.kind == BarcodeKind.GTIN and b.units == 1), None)
        return templates.item_label(item.sku, item.name, gtin, dpi=dpi), "item", item.id
    if kind == "lpn":
        if not (code.isdigit() and len(code) == 18):
            raise InvalidInput(_("A license plate is an 18-digit SSCC."), field="code")
        try:
            return templates.lpn_label(code, dpi=dpi), None, None
        except ValueError as e:  # a wrong check digit
            raise InvalidInput(_("%(code)s is no SSCC: %(reason)s", code=code, reason=str(e)), field="code") from e
    raise InvalidInput(_("Labels of kind %(kind)s cannot be printed here; the kinds are %(kinds)s.", kind=kind,
                         kinds=", ".join(KINDS)), field="kind")


def print_labels(kind: str, codes: list[str], *, printer: Printer, copies: int = 1, actor=None) -> PrintJob:
    """Queue the labels of these codes as one job on the printer (flushed in the caller's transaction)."""
    codes = [c for c in codes if c and c.strip()]
    if not codes:
        raise InvalidInput(_("Name at least one code to print."), field="codes")
    if len(codes) > MAX_LABELS:
        raise InvalidInput(_("At most %(n)d labels at a time.", n=MAX_LABELS), field="codes")
    rendered = [render_label(kind, code, dpi=printer.dpi) for code in codes]
    ref_type, ref_id = (rendered[0][1], rendered[0][2]) if len(rendered) == 1 else (rendered[0][1], None)
    return submit_print(printer=printer, payload=b"".join(zpl for zpl, _t, _i in rendered), kind=kind,
                        ref_type=ref_type, ref_id=ref_id, copies=copies, actor=actor)
