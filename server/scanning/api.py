"""POST /api/scan: what is this code? Read-only but for the scan log. POST /api/scans/refusals: a scan a screen
refused itself, logged as an error scan."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, g, request

from ..api import APIBlueprint
from ..auth.guard import ANY_ROLE
from ..errors import DomainError
from ..db import relaxed_durability, single_statement, utcnow
from ..extensions import db
from ..http import run_in_transaction
from .models import ScanLog
from .resolve import resolve_code
from .schemas import ScanIn, ScanOut, ScanRefusalIn, ScanRefusalOut
from .services import log_refusal

bp = APIBlueprint("scanning", __name__, url_prefix="/api", tag="Scanning")


def _log(code: str, kind: str | None, outcome: str, screen: str | None) -> None:
    """Write the scan's log row in its own short transaction (DESIGN decision 7).

    The log is an audit trail, not stock: its commit skips the fsync (relaxed_durability), which
    roughly halves the cost of a scan; the ledger's commits stay fully durable.
    """
    row = {"user_id": g.current_user_id, "device_id": request.headers.get("X-Device-Id"), "code": code[:512],
           "kind": kind, "outcome": outcome, "screen": screen, "at": utcnow()}
    with relaxed_durability(), single_statement():  # one INSERT: no BEGIN on SQLite
        run_in_transaction(lambda: db.session.execute(sa.insert(ScanLog), [row]))


@bp.action("/scan", roles=ANY_ROLE, body=ScanIn, out=ScanOut, summary="Resolve a scanned code",
           answers={404: "Unknown code: no location, item, tote, order or badge has it"},
           description="Strips AIM prefixes, parses GS1 element strings and says whether the code is a "
           "location, item, tote, order, user badge or plain GS1 data.")
def scan(body):
    # SQL per scan, on both databases (tests/scanning/test_scan_sql.py), with the bearer token cached:
    #   SQLite: BEGIN, the one lookup SELECT (scanning/lookup.py), the log INSERT (no BEGIN of its own);
    #   PostgreSQL: the lookup SELECT, SET LOCAL synchronous_commit = off, the log INSERT.
    # The answer is built from the lookup's rows; a malformed GS1 scan or one without a key skips the SELECT.
    code, screen = body["code"], body["screen"]
    try:
        result = resolve_code(code, gs_substitutes=current_app.config["SCAN_GS_SUBSTITUTES"])
    except DomainError as e:
        _log(code, None, e.code, screen)  # refusals are logged too, with the screen they were made on
        raise
    _log(code, result["kind"], "ok", screen)
    return result


@bp.write("/scans/refusals", roles=ANY_ROLE, body=ScanRefusalIn, out=ScanRefusalOut, status=201,
          summary="Log a scan a handheld screen refused",
          description="A scan /api/scan resolved (or the device judged offline) that the screen refused: the "
          "wrong bin, item, lot or tote. Logged as an error scan of the signed-in user, the X-Device-Id device "
          "and the screen, with what the screen expected. Queued on the device like every write: a resend with "
          "the same Idempotency-Key logs nothing twice.")
def post_scan_refusal(body):
    """Log a scan a handheld screen refused."""
    return log_refusal(user_id=g.current_user_id, device_id=request.headers.get("X-Device-Id"), **body)
