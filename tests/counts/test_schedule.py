"""ABC classes recomputed on a schedule (issue 10): `flask jobs worker` reclassifies exactly when the classes
are older than COUNT_CLASSIFY_HOURS (or missing while items exist); `flask counts classify` does it at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_item


def _computed_at():
    from server.counts.models import ItemClass
    from server.extensions import db
    return db.session.scalar(sa.select(sa.func.max(ItemClass.computed_at)))


@pytest.mark.rollback
def test_classification_runs_exactly_when_the_classes_are_stale(app):
    from server.counts import schedule
    from server.db import utcnow
    from server.http import run_in_transaction

    now = utcnow()
    run_in_transaction(lambda: make_item(value_cents=100))
    assert schedule.classes_stale(now)  # an item never classified
    assert schedule.classify_if_due(now) is not None
    stamped = _computed_at()

    hours = app.config["COUNT_CLASSIFY_HOURS"]
    assert hours == 24
    just_before = stamped + timedelta(hours=hours) - timedelta(seconds=1)
    assert not schedule.classes_stale(just_before)
    assert schedule.classify_if_due(just_before) is None
    assert _computed_at() == stamped  # nothing rewritten

    assert schedule.classes_stale(stamped + timedelta(hours=hours))
    assert schedule.classify_if_due(stamped + timedelta(hours=hours, minutes=1)) is not None
    assert _computed_at() > stamped


def test_worker_registers_the_schedule_and_the_cli_classifies(app):
    from server.counts.models import ItemClass
    from server.counts.schedule import in_background
    from server.extensions import db
    from server.http import run_in_transaction
    from server.jobs.cli import WORKER_COMPANIONS

    assert in_background in app.extensions[WORKER_COMPANIONS]
    run_in_transaction(lambda: make_item(value_cents=100))
    runner = app.test_cli_runner()
    out = runner.invoke(args=["counts", "classify", "--if-due"])
    assert out.exit_code == 0, out.output
    assert out.output == "A=0 B=0 C=1\n"  # never picked: C
    out = runner.invoke(args=["counts", "classify", "--if-due"])
    assert out.output == "classes are current: nothing to do\n"
    out = runner.invoke(args=["counts", "classify"])  # without --if-due: always
    assert out.output == "A=0 B=0 C=1\n"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ItemClass)) == 1
