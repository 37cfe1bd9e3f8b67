"""The shipping API: shipments (contract: list, labels.zpl), rate shop, dock scans, end of day (docs/shipping.md)."""

from __future__ import annotations

import sqlalchemy as sa
from apiflask.schemas import FileSchema
from flask import Response
from flask_babel import gettext as _

from ..api import APIBlueprint
from ..auth.guard import require_role
from ..auth.models import Role
from ..errors import NotFound, get_or_404
from ..extensions import db
from ..inventory.actors import actor_from_request
from ..inventory.locations import get_location
from ..orders.models import Order
from ..packing.models import Package
from ..scanning.resolve import register_resolver
from . import rates, scan, services
from .carriers import get_carrier
from .models import Manifest, Shipment
from .schemas import (
    ConfirmedOut, DayIn, DayQuery, LabelsQuery, LoadIn, ManifestIn, ManifestOut, PackageOut, QuoteList, RatesQuery, ShipmentIn,
    ShipmentList, ShipmentOut, ShipmentQuery, VoidIn, shipment_out, shipments_out,
)

bp = APIBlueprint("shipping", __name__, url_prefix="/api", tag="Shipping")
register_resolver(scan.resolve_scan)  # POST /api/scan: kinds package and shipment

PACKERS = (Role.PACKER,)  # supervisors and admins too (auth.guard.allowed_roles)
SUPERVISORS = (Role.SUPERVISOR,)
PROBLEMS = {404: "No such order, package or shipment",
            409: "Not packed, already labelled or shipped, tracking number in use, handed over"}


def _order(order_id: int, field: str = "order") -> Order:
    return get_or_404(Order, order_id, _("There is no order %(id)d.", id=order_id), field)


def _shipment(shipment_id: int) -> Shipment:
    return get_or_404(Shipment, shipment_id, _("There is no shipment %(id)d.", id=shipment_id), "shipment_id")


def _packages(order: Order, ids: list[int] | None) -> list[Package]:
    query = sa.select(Package).where(Package.order_id == order.id).order_by(Package.number)
    if ids is None:
        return list(db.session.scalars(query.where(Package.status.in_(services.LABELLABLE))))
    found = {p.id: p for p in db.session.scalars(query.where(Package.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(_("Order %(order)s has no package %(id)d.", order=order.channel_order_id, id=missing[0]),
                       field="packages")
    return [found[i] for i in ids]


@bp.get("/shipments")
@require_role()
@bp.input(ShipmentQuery, location="query", arg_name="query")
@bp.output(ShipmentList)
@bp.doc(summary="The latest shipments, newest first")
def get_shipments(query):
    stmt = sa.select(Shipment).order_by(Shipment.id.desc()).limit(query["limit"])
    if query["status"]:
        stmt = stmt.where(Shipment.status == query["status"])
    if query["order"]:
        stmt = stmt.where(Shipment.order_id == query["order"])
    return {"shipments": shipments_out(list(db.session.scalars(stmt)))}


@bp.get("/shipments/<int:shipment_id>")
@require_role()
@bp.output(ShipmentOut)
@bp.doc(summary="A shipment with its packages", responses={404: "No such shipment"})
def get_shipment(shipment_id: int):
    return shipment_out(_shipment(shipment_id))


@bp.get("/shipments/<int:shipment_id>/labels.zpl")
@require_role()
@bp.input(LabelsQuery, location="query", arg_name="query")
@bp.output(FileSchema(type="string"), content_type="application/zpl", description="One ^XA…^XZ per package")
@bp.doc(summary="ZPL of the shipment's package labels, one ^XA…^XZ per package (4x6 in)",
        responses={404: "No such shipment"})
def get_labels(shipment_id: int, query):
    shipment = _shipment(shipment_id)
    return Response(services.labels_zpl(shipment, dpi=query["dpi"]), mimetype="application/zpl")


@bp.write("/shipments", roles=PACKERS, body=ShipmentIn, out=ShipmentOut, status=201, answers=PROBLEMS,
          summary="Label packed packages of an order with a carrier service (and print them)")
def post_shipment(body):
    order = _order(body["order"])
    station = get_location(body["station"], field="station") if body["station"] else None
    shipment = services.create_shipment(order, _packages(order, body["packages"]), carrier=body["carrier"],
                                        service=body["service"], tracking_numbers=body["tracking_numbers"],
                                        actor=actor_from_request(), station=station)
    return shipment_out(shipment)


@bp.write("/shipments/<int:shipment_id>/void", roles=PACKERS, body=VoidIn, out=ShipmentOut, answers=PROBLEMS,
          summary="Void the shipment's labels: its packages can be labelled again")
def post_void(shipment_id: int, body):
    shipment = _shipment(shipment_id)
    return shipment_out(services.void_shipment(shipment, reason=body["reason"], actor=actor_from_request()))


def _loaded_out(package: Package) -> dict:
    shipment = db.session.get(Shipment, package.shipment_id) if package.shipment_id else None
    order = db.session.get(Order, package.order_id)
    return {"id": package.id, "number": package.number, "status": package.status.value, "sscc": package.sscc,
            "tracking_number": package.tracking_number, "weight_g": package.weight_g, "loaded_at": package.loaded_at,
            "order": order.channel_order_id, "shipment_status": shipment.status.value if shipment else None}


@bp.write("/packages/load", roles=PACKERS, body=LoadIn, out=PackageOut, answers=PROBLEMS,
          summary="Dock scan of a package label (SSCC or tracking number): the handheld's Load screen")
def post_load_by_label(body):
    package = services.mark_loaded(scan.package_from_code(body["code"]), actor=actor_from_request())
    return _loaded_out(package)


@bp.write("/packages/<int:package_id>/load", roles=PACKERS, out=PackageOut, answers=PROBLEMS,
          summary="Dock scan: the package is on the truck (with SHIPFLOOR_SHIP_ON=dock the last one ships)")
def post_load(package_id: int):
    package = get_or_404(Package, package_id, _("There is no package %(id)d.", id=package_id), "package_id")
    return _loaded_out(services.mark_loaded(package, actor=actor_from_request()))


@bp.get("/shipping/rates")
@require_role(*PACKERS)
@bp.input(RatesQuery, location="query", arg_name="query")
@bp.output(QuoteList)
@bp.doc(summary="Rate shop: every configured service for the order's packed packages, cheapest first",
        responses={404: "No such order"})
def get_rates(query):
    order = _order(query["order"])
    packages = list(db.session.scalars(sa.select(Package).where(
        Package.order_id == order.id, Package.status.in_(services.LABELLABLE)).order_by(Package.number)))
    quotes = rates.rate_shop(order, packages, ship_date=query["ship_date"]) if packages else []
    return {"quotes": [{**vars(q), "issues_tracking": get_carrier(q.carrier).issues_tracking} for q in quotes]}


@bp.get("/shipping/confirmation.txt")
@require_role(*SUPERVISORS)
@bp.input(DayQuery, location="query", arg_name="query")
@bp.output(FileSchema(type="string"), content_type="text/tab-separated-values", description="The flat file")
@bp.doc(summary="Amazon shipping-confirmation flat file of the day's shipped Amazon orders (tab-separated)")
def get_confirmation(query):
    day = query["day"] or services.local_day(services.utcnow())
    text = services.ship_confirmation_file(day)
    return Response(text, mimetype="text/tab-separated-values", headers={
        "Content-Disposition": f'attachment; filename="ship-confirmation-{day.isoformat()}.txt"'})


@bp.write("/shipping/confirmation", roles=SUPERVISORS, body=DayIn, out=ConfirmedOut,
          summary="Record that the day's confirmation file was uploaded to Amazon")
def post_confirmation(body):
    shipments = services.shipments_shipped_on(body["day"] or services.local_day(services.utcnow()))
    return {"confirmed": services.mark_confirmed(shipments), "shipments": len(shipments)}


@bp.write("/manifests", roles=SUPERVISORS, body=ManifestIn, out=ManifestOut, status=201, answers=PROBLEMS,
          summary="Close the carrier's end-of-day manifest: its shipped shipments not yet on one")
def post_manifest(body):
    manifest = services.close_manifest(body["carrier"], day=body["day"], actor=actor_from_request())
    return _manifest_out(manifest)


def _manifest_out(manifest: Manifest) -> dict:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Shipment)
                              .where(Shipment.manifest_id == manifest.id))
    return {"id": manifest.id, "carrier": manifest.carrier, "day": manifest.day, "number": manifest.number,
            "closed_at": manifest.closed_at, "shipments": count}


