"""POST /api/scan: what is this code? Read-only but for the scan log."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Dict, String
from apiflask.validators import Length
from flask import current_app, request

from ..auth.guard import ANY_ROLE, require_role
from ..errors import DomainError
from ..extensions import db
from ..http import current_user, run_in_transaction
from .models import ScanLog
from .resolve import resolve_code

bp = APIBlueprint("scanning", __name__, url_prefix="/api", tag="Scanning")


class ScanIn(Schema):
    code = String(required=True, validate=Length(1, 512))


class ScanOut(Schema):
    kind = String(required=True)
    item = Dict()
    location = Dict()
    tote = Dict()
    order = Dict()
    package = Dict()
    shipment = Dict()
    user = Dict()
    gs1 = Dict()


def _log(code: str, kind: str | None, outcome: str) -> None:
    user = current_user()
    db.session.add(ScanLog(user_id=user.id if user else None, device_id=request.headers.get("X-Device-Id"),
                           code=code[:512], kind=kind, outcome=outcome))


@bp.post("/scan")
@require_role(*ANY_ROLE)
@bp.input(ScanIn, arg_name="body")
@bp.output(ScanOut)
@bp.doc(summary="Resolve a scanned code", description="Strips AIM prefixes, parses GS1 element strings "
        "and says whether the code is a location, item, tote, order, user badge or plain GS1 data.")
def scan(body):
    code = body["code"]
    try:
        result = resolve_code(code, gs_substitutes=current_app.config["SCAN_GS_SUBSTITUTES"])
    except DomainError as e:
        run_in_transaction(_log, code, None, e.code)  # refusals are logged too (DESIGN decision 7)
        raise
    run_in_transaction(_log, code, result["kind"], "ok")
    return result
