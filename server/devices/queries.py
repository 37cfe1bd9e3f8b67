"""Read-only look-ups of the handhelds' reports, for the supervisor's dashboard."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from .models import DeviceReport


def reports_since(moment: datetime):
    """The devices that reported at or after `moment`, with their last report: those with refused writes
    first, then those with writes waiting, then the newest report first."""
    return db.session.execute(
        sa.select(DeviceReport.device_id, DeviceReport.user_id, DeviceReport.screen, DeviceReport.batch_id,
                  DeviceReport.queued, DeviceReport.refused, DeviceReport.oldest_queued_at,
                  DeviceReport.app_version, DeviceReport.reported_at)
        .where(DeviceReport.reported_at >= moment)
        .order_by(sa.case((DeviceReport.refused > 0, 0), else_=1), sa.case((DeviceReport.queued > 0, 0), else_=1),
                  DeviceReport.reported_at.desc(), DeviceReport.device_id)).all()
