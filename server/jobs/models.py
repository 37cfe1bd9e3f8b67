"""The jobs table: what pages and the API show about a background job."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..db import Base, UTCDateTime, enum_column, utcnow
from ..enums import LabelledStrEnum


class JobStatus(LabelledStrEnum):
    QUEUED = "queued", lazy_gettext("Waiting for the job runner")
    RUNNING = "running", lazy_gettext("Running")
    DONE = "done", lazy_gettext("Done")
    FAILED = "failed", lazy_gettext("Failed")


# What people call each kind of job (pages); a kind missing here shows its code.
KIND_LABELS = {
    "import_items": lazy_gettext("Item import"),
    "import_locations": lazy_gettext("Location import"),
    "import_receipts": lazy_gettext("Receipt import"),
    "import_opening_stock": lazy_gettext("Opening stock import"),
    "import_orders": lazy_gettext("Order import"),
    "print_labels": lazy_gettext("Labels printed in bulk"),
}


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[JobStatus] = mapped_column(
        enum_column(JobStatus),
        default=JobStatus.QUEUED, index=True)
    done: Mapped[int] = mapped_column(default=0)  # units of work done (rows for an import), committed with them
    total: Mapped[int | None]
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # what the kind needs besides the input
    # The uploaded file: in the database, so that a consumer on another machine can read it.
    input: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)  # starts, resumes after a restart included
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status} {self.done}/{self.total}>"
