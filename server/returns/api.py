"""Returns endpoints: receive a return, grade and dispose of its units, export the refund-ready lines."""

from __future__ import annotations

from ..api import APIBlueprint
from ..auth.guard import require_role
from ..auth.models import RECEIVING_ROLES, Role
from ..inventory.actors import actor_from_request
from . import queries, services
from .schemas import RefundExportOut, RefundList, ReturnIn, ReturnLineIn, ReturnLineOut, ReturnOut

bp = APIBlueprint("returns", __name__, url_prefix="/api", tag="Returns")

SUPERVISORS = (Role.SUPERVISOR,)  # admins too


@bp.write("/returns", roles=RECEIVING_ROLES, body=ReturnIn, out=ReturnOut, status=201,
          summary="Receive a return by order id, channel order id, tracking number or RMA",
          answers={404: "No order, tracking number or RMA matches the code"})
def start_return(body):
    ret = services.start_return(body["code"], rma=body["rma"], note=body["note"], actor=actor_from_request())
    return queries.return_out(ret)


@bp.get("/returns/<int:return_id>")
@require_role(*RECEIVING_ROLES)
@bp.output(ReturnOut)
@bp.doc(summary="One return with its graded lines")
def get_return(return_id: int):
    return queries.return_out(services.get_return(return_id))


@bp.write("/returns/<int:return_id>/lines", roles=RECEIVING_ROLES, body=ReturnLineIn, out=ReturnLineOut,
          status=201, deferred_lock=True, answers={404: "No such return, item or location"},
          summary="Grade returned units and dispose of them (restock, quarantine, scrap) through the ledger")
def add_line(return_id: int, body):
    line = services.add_line(services.get_return(return_id), item_code=body["item"], qty=body["qty"],
                             condition=body["condition"], disposition=body["disposition"],
                             location=body["location"], lot=body["lot"], actor=actor_from_request())
    return queries.line_out(line)


@bp.write("/returns/<int:return_id>/close", roles=RECEIVING_ROLES, out=ReturnOut, summary="Close a return")
def close_return(return_id: int):
    return queries.return_out(services.close_return(services.get_return(return_id)))


@bp.get("/returns/refunds")
@require_role(*SUPERVISORS)
@bp.output(RefundList)
@bp.doc(summary="Return lines ready for the customer's refund, not yet exported")
def refund_ready():
    return {"lines": [queries.line_out(ln) for ln in services.refund_ready_lines()]}


@bp.write("/returns/refunds/export", roles=SUPERVISORS, out=RefundExportOut,
          summary="Export the refund-ready lines as CSV and mark them exported")
def export_refunds():
    rows = services.export_refunds()
    return {"count": len(rows), "csv": services.refund_csv(rows)}
