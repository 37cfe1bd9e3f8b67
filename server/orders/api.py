"""Orders endpoints (CONTRACT.md "Orders and shipments"): create, import, list, read, cancel; a channel's
cancel request decided; the saved column mappings of CSV imports. Creating, importing and cancelling orders
is a supervisor's (or a supervisor's API token's) work."""

from __future__ import annotations

from ..api import APIBlueprint
from ..auth.guard import require_role
from ..auth.models import Role
from ..csvio import import_upload
from ..inventory.actors import actor_from_request
from . import imports, services
from .schemas import (
    CancelIn, ChannelCancelDecisionIn, MappingIn, MappingList, MappingOut, OrderDetailOut, OrderImportResult,
    OrderImportUpload, OrderIn, OrderOut, OrderPage, OrderQuery,
)

bp = APIBlueprint("orders", __name__, url_prefix="/api", tag="Orders")


@bp.write("/orders", roles=Role.SUPERVISOR, body=OrderIn, out=OrderOut, status=201,
          summary="Create an order (409 naming the existing order for the same channel and channel order id)",
          answers={422: "Invalid input, or an unknown SKU (code unknown_sku)"})
def create_order(body):
    return services.order_out(services.create_order(body, actor=actor_from_request()))


@bp.write("/orders/import", roles=Role.SUPERVISOR, files=OrderImportUpload, out=OrderImportResult, queued=True,
          summary="Import orders: an Amazon unshipped-orders report, or a CSV file with a saved column mapping")
def import_orders(files):
    data = files["file"].read()
    params = imports.upload_params(data, format=files["format"], mapping=files["mapping"],
                                   actor=actor_from_request())
    return import_upload(imports.ORDERS_IMPORT, data, params=params)


@bp.get("/orders")
@require_role(Role.SUPERVISOR)
@bp.input(OrderQuery, location="query", arg_name="query")
@bp.output(OrderPage)
@bp.doc(summary="Orders by status, channel and urgency (overdue, due_2h, due_today, later), most urgent first")
def list_orders(query):
    orders, total = services.search_orders(status=query["status"], channel=query["channel"],
                                           urgency=query["urgency"], q=query["q"], limit=query["limit"],
                                           offset=query["offset"])
    return {"orders": [services.order_out(o) for o in orders], "total": total}


@bp.get("/orders/<int:order_id>")
@require_role(Role.SUPERVISOR)
@bp.output(OrderDetailOut)
@bp.doc(summary="One order with its lines and its history (who, when)", responses={404: "No such order"})
def get_order(order_id: int):
    return services.order_detail_out(services.get_order(order_id))


@bp.write("/orders/<int:order_id>/cancel", roles=Role.SUPERVISOR, body=CancelIn, out=OrderOut,
          summary="Cancel an order not yet shipped, with a reason; its reservations are released")
def cancel_order(order_id: int, body):
    order = services.cancel_order(services.get_order(order_id), reason=body["reason"], source=body["source"],
                                  actor=actor_from_request())
    return services.order_out(order)


@bp.write("/orders/<int:order_id>/channel-cancel", roles=Role.SUPERVISOR, body=ChannelCancelDecisionIn,
          out=OrderOut, summary="Decide the channel's cancel request: cancel the order, or keep it")
def decide_channel_cancel(order_id: int, body):
    order = services.decide_channel_cancel(services.get_order(order_id), cancel=body["cancel"],
                                           reason=body["reason"], source=body["source"], actor=actor_from_request())
    return services.order_out(order)


@bp.get("/orders/import-mappings")
@require_role(Role.SUPERVISOR)
@bp.output(MappingList)
@bp.doc(summary="The saved column mappings for CSV order imports")
def list_mappings():
    return {"mappings": [imports.mapping_out(m) for m in imports.list_mappings()]}


@bp.write("/orders/import-mappings/<name>", method="PUT", roles=Role.SUPERVISOR, body=MappingIn, out=MappingOut,
          summary="Save a CSV column mapping under a name (our field → the file's column header)")
def put_mapping(name: str, body):
    mapping = imports.save_mapping(name, channel=body["channel"], columns=body["columns"],
                                   actor=actor_from_request())
    return imports.mapping_out(mapping)
