"""Replenishment API: the channel quantity feed, the low-stock list, recomputing the parameters (supervisors)."""

from __future__ import annotations

from apiflask.schemas import FileSchema
from flask import Response

from ..api import APIBlueprint
from ..auth.guard import require_role
from ..auth.models import Role
from . import queries, services
from .schemas import ComputedOut, ComputeIn, LowStockList, low_stock_out

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
