"""Receiving and put-away endpoints (receivers, supervisors, admins)."""

from __future__ import annotations

from ..api import APIBlueprint
from ..auth.guard import require_role
from ..auth.models import RECEIVING_ROLES
from ..inventory.actors import acting_user_name, actor_from_request
from ..inventory.queries import movement_out
from ..inventory.schemas import MoveOut, lot_asked, move_response
from ..csvio import import_upload
from ..schemas import CsvUpload, ImportResult
from . import putaway, services
from .schemas import (
    BlindIn, PutawayIn, ReceiptIn, ReceiptList, ReceiptOut, ReceiptQuery, ReceiveIn, ReceiveOut, SuggestionOut,
    SuggestionQuery,
)

bp = APIBlueprint("receiving", __name__, url_prefix="/api", tag="Receiving and put-away")


@bp.get("/receipts")
@require_role(*RECEIVING_ROLES)
@bp.input(ReceiptQuery, location="query", arg_name="query")
@bp.output(ReceiptList)
@bp.doc(summary="Receipts, newest first")
def list_receipts(query):
    return {"receipts": [services.receipt_out(r) for r in services.list_receipts(query["status"])]}


@bp.get("/receipts/<int:receipt_id>")
@require_role(*RECEIVING_ROLES)
@bp.output(ReceiptOut)
@bp.doc(summary="One receipt with expected and received quantities")
def get_receipt(receipt_id: int):
    return services.receipt_out(services.get_receipt(receipt_id))


@bp.write("/receipts", roles=RECEIVING_ROLES, body=ReceiptIn, out=ReceiptOut, status=201,
          summary="Create an expected receipt (purchase order / advance ship notice)")
def create_receipt(body):
    receipt = services.create_receipt(body["reference"], supplier=body["supplier"], expected_at=body["expected_at"],
                                      lines=[(ln["item"], ln["qty"]) for ln in body["lines"]])
    return services.receipt_out(receipt)


@bp.write("/receipts/blind", roles=RECEIVING_ROLES, body=BlindIn, out=ReceiptOut, status=201,
          summary="Start a blind receipt (nothing expected)")
def start_blind(body):
    return services.receipt_out(services.start_blind_receipt(supplier=body["supplier"]))


@bp.write("/receipts/import", roles=RECEIVING_ROLES, files=CsvUpload, out=ImportResult, queued=True,
          summary="Import expected receipts from CSV (reference, supplier, item, qty)")
def import_receipts(files):
    return import_upload(services.RECEIPTS_IMPORT, files["file"].read())


@bp.write("/receipts/<int:receipt_id>/receive", roles=RECEIVING_ROLES, body=ReceiveIn, out=ReceiveOut,
          status=201, summary="Receive scanned units into a dock, staging location or license plate")
def receive(receipt_id: int, body):
    receipt = services.get_receipt(receipt_id)
    result = services.receive(receipt, code=body["code"], qty=body["qty"], location_code=body["location"],
                              lot=body["lot"], expiry=body["expiry"], license_plate=body["license_plate"],
                              actor=actor_from_request())
    return {**result, "movement": movement_out(result["movement"], by=acting_user_name())}


@bp.write("/receipts/<int:receipt_id>/close", roles=RECEIVING_ROLES, out=ReceiptOut,
          summary="Close a receipt; short and over lines stay as variances")
def close_receipt(receipt_id: int):
    return services.receipt_out(services.close_receipt(services.get_receipt(receipt_id)))


@bp.get("/putaway/suggestion")
@require_role(*RECEIVING_ROLES)
@bp.input(SuggestionQuery, location="query", arg_name="query")
@bp.output(SuggestionOut)
@bp.doc(summary="Suggest a bin for stock waiting to be put away", responses={404: "No such item or location"})
def get_suggestion(query):
    return putaway.suggestion(item_code=query["item"], qty=query["qty"], from_code=query["from_"])


@bp.write("/putaways", roles=RECEIVING_ROLES, body=PutawayIn, out=MoveOut, status=201,
          summary="Put stock away into the scanned bin (a reason when it is not the suggestion)")
def post_putaway(body):
    moved = putaway.confirm_putaway(item_code=body["item"], qty=body["qty"], from_code=body["from_"],
                                    to_code=body["to"], lot=lot_asked(body), reason=body["reason"],
                                    shown=body["suggested"], actor=actor_from_request())
    return move_response(moved, by=acting_user_name())
