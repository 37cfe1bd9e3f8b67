"""The packing API: the handheld's pack screen and the desktop pack station (docs/packing-api.md)."""

from __future__ import annotations

from flask_babel import gettext as _

from ..api import APIBlueprint
from ..auth.guard import require_role
from ..auth.models import Role
from ..errors import InvalidInput, NotFound, get_or_404
from ..extensions import db
from ..inventory.actors import actor_from_request
from ..orders.models import Order
from . import services, unpack
from .boxes import active_boxes, grams_from_scale
from .models import Package
from .schemas import (
    PackBoxList, PackCloseIn, PackNewPackageIn, PackReasonIn, PackScanIn, PackSendBackIn, PackStartIn, PackStateOut,
    pack_state,
)

bp = APIBlueprint("packing", __name__, url_prefix="/api/packing", tag="Packing")

PACKERS = (Role.PACKER,)  # supervisors and admins too (auth.guard.allowed_roles)
PROBLEMS = {404: "No such order, tote or box", 409: "Wrong item, nothing left of it, too many, wrong lot (with "
            "`expected`), package closed or empty, order not picked"}


def _order(order_id: int) -> Order:
    return get_or_404(Order, order_id, _("There is no order %(id)d.", id=order_id), "order_id")


@bp.write("/start", roles=PACKERS, body=PackStartIn, out=PackStateOut, answers=PROBLEMS,
          summary="Scan a tote, cart slot or order at a pack station: its pack state, package 1 open")
def post_start(body):
    order = services.start_packing(body["code"], station=body["station"], item_code=body["item"],
                                   actor=actor_from_request())
    return pack_state(order)


@bp.get("/boxes")
@require_role(*PACKERS)
@bp.output(PackBoxList)
@bp.doc(summary="The box types in use, smallest first")
def get_boxes():
    return {"boxes": active_boxes()}


@bp.get("/orders/<int:order_id>")
@require_role(*PACKERS)
@bp.output(PackStateOut)
@bp.doc(summary="An order's pack state: lines (ordered, picked, packed, left), packages, the suggested box",
        responses={404: "No such order"})
def get_order(order_id: int):
    return pack_state(_order(order_id))


@bp.write("/orders/<int:order_id>/scan", roles=PACKERS, body=PackScanIn, out=PackStateOut, answers=PROBLEMS,
          summary="Pack the units one scan stands for into the open package (or the one named)")
def post_scan(order_id: int, body):
    order = _order(order_id)
    packed = services.scan_item(order, body["code"], package_number=body["package"], qty=body["qty"],
                                lot=body["lot"], actor=actor_from_request())
    return pack_state(order, last={"sku": packed.sku, "qty": packed.qty, "package": packed.package.number},
                      packages=packed.packages)


@bp.write("/orders/<int:order_id>/packages", roles=PACKERS, body=PackNewPackageIn, out=PackStateOut, status=201,
          answers=PROBLEMS, summary="Open the order's next package (i+1 of n)")
def post_package(order_id: int, body):
    order = _order(order_id)
    services.new_package(order, station=body["station"], actor=actor_from_request())
    return pack_state(order)


@bp.write("/orders/<int:order_id>/packages/<int:number>/close", roles=PACKERS, body=PackCloseIn, out=PackStateOut,
          answers=PROBLEMS, summary="Close a package with its box (or dimensions) and weight (grams or a scale's "
                                    "reading); the last one closed with every unit packed packs the order")
def post_close(order_id: int, number: int, body):
    order = _order(order_id)
    package = db.session.scalar(db.select(Package).where(Package.order_id == order.id, Package.number == number))
    if package is None:
        raise NotFound(_("Order %(order)s has no package %(n)d.", order=order.channel_order_id, n=number),
                       field="number")
    weight = body["weight_g"] if body["weight_g"] is not None else (
        grams_from_scale(body["weight"]) if body["weight"] else None)
    if weight is None:
        raise InvalidInput(_("Weigh the package: type its weight or put it on the scale."), field="weight_g",
                           expected="weight_g, or a scale reading in weight")
    services.close_package(package, weight_g=weight, box=body["box"], length_mm=body["length_mm"],
                           width_mm=body["width_mm"], height_mm=body["height_mm"], actor=actor_from_request())
    return pack_state(order)


@bp.write("/orders/<int:order_id>/override", roles=Role.SUPERVISOR, body=PackReasonIn, out=PackStateOut,
          answers=PROBLEMS, summary="Let an order be packed and labelled with units missing, with a reason")
def post_override(order_id: int, body):
    order = _order(order_id)
    services.pack_override(order, reason=body["reason"], actor=actor_from_request())
    return pack_state(order)


@bp.write("/orders/<int:order_id>/send-back", roles=PACKERS, body=PackSendBackIn, out=PackStateOut, answers=PROBLEMS,
          summary="An order that cannot ship goes back to open with its reason; its units stay in the tote or go "
                  "back to a bin")
def post_send_back(order_id: int, body):
    order = _order(order_id)
    unpack.send_back(order, reason=body["reason"], to=body["to"], actor=actor_from_request())
    return pack_state(order)
