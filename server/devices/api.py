"""POST /api/devices/report: a handheld tells the supervisor's dashboard where it is and what it holds."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from ..api import APIBlueprint
from ..auth.guard import ANY_ROLE
from ..db import relaxed_durability, single_statement
from ..errors import InvalidInput
from ..http import run_in_transaction
from . import services
from .schemas import DeviceReportIn

bp = APIBlueprint("devices", __name__, url_prefix="/api", tag="Devices")


@bp.action("/devices/report", roles=ANY_ROLE, body=DeviceReportIn, status=204,
           summary="Report this handheld's screen, batch and offline queue",
           description="The device is the X-Device-Id header, the user the token's. Replaces the device's "
           "previous report (one row per device). Sent when the queue changes, a screen opens and every minute; "
           "never queued on the device: an old status is worth nothing, the next report says more.")
def post_device_report(body):
    """Keep this handheld's latest report."""
    device = request.headers.get("X-Device-Id")
    if not device:
        raise InvalidInput(_("A device report needs the X-Device-Id header."), field="X-Device-Id")
    # A status board, not a record: one statement whose commit may skip the fsync, like the scan log.
    with relaxed_durability(), single_statement():
        run_in_transaction(services.record_report, device_id=device, user_id=g.current_user_id, **body)
    return ""
