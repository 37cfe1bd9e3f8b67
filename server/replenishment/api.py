"""Replenishment API: the channel quantity feed, the low-stock list, recomputing the parameters (supervisors)."""

from __future__ import annotations

from apiflask.schemas import FileSchema
from flask import Response
from flask_babel import gettext as _

from ..api import APIBlueprint
from ..auth.guard import require_role
from ..auth.models import Role
from . import queries, services
from ..catalog.queries import item_by_sku
from ..errors import NotFound
from .schemas import ComputedOut, ComputeIn, LeadTimeIn, LowStockList, ParamsOut, low_stock_out, params_out

bp = APIBlueprint("replenishment", __name__, url_prefix="/api", tag="Replenishment")

SUPERVISORS = (Role.SUPERVISOR,)


@bp.get("/channel/quantity-feed.txt")
@require_role(*SUPERVISORS)
@bp.output(FileSchema(type="string"), content_type="text/tab-separated-values", description="The flat file")
@bp.doc(summary="Amazon Price & Quantity file: every SKU's quantity available to sell (tab-separated, price "
                "blank); never reserved, quarantined or unpickable units")
def get_quantity_feed():
    return Response(queries.quantity_feed_text(), mimetype="text/tab-separated-values", headers={
        "Content-Disposition": 'attachment; filename="price-quantity.txt"'})


@bp.get("/replenishment/low-stock")
@require_role(*SUPERVISORS)
@bp.output(LowStockList)
@bp.doc(summary="Items whose inventory position is at or below their reorder point, furthest below first")
def get_low_stock():
    return {"items": [low_stock_out(r) for r in queries.low_stock(limit=1000)]}


@bp.write("/replenishment/compute", roles=SUPERVISORS, body=ComputeIn, out=ComputedOut,
          summary="Recompute every active item's demand, safety stock and reorder point from shipments")
def post_compute(body):
    return {"items": len(services.compute_params(days=body["days"]))}


@bp.write("/replenishment/items/<sku>", method="PUT", roles=SUPERVISORS, body=LeadTimeIn, out=ParamsOut,
          status=200, summary="Set an item's lead time and service level; its reorder point is recomputed at once")
def put_item_inputs(sku: str, body):
    item = item_by_sku(sku)
    if item is None:
        raise NotFound(_("There is no item %(sku)s.", sku=sku), field="sku")
    return params_out(item.sku, services.set_item_inputs(item, **body))
