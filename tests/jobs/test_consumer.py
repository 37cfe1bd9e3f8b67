"""A real job consumer process (`flask --app wsgi jobs worker`) on the Huey SQLite queue: a job queued while
no consumer ran is done when one starts, and a job left 'running' by a consumer that died is resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from tests.jobs.conftest import items_csv, post_file

ROOT = Path(__file__).resolve().parents[2]


def test_a_consumer_process_runs_what_was_queued_while_it_was_down(app, api, db, users, database_url, tmp_path):
    from server.http import run_in_transaction
    from server.jobs.models import Job, JobStatus

    app.config.update(JOBS_IMMEDIATE=False, JOBS_QUEUE_FILE=str(tmp_path / "jobs-queue.db"))
    queued = post_file(api, "/api/items/import", items_csv(10))
    assert queued.status_code == 202 and queued.json["status"] == "queued"
    url = queued.headers["Location"]
    time.sleep(0.2)
    assert api("supervisor").get(url).json["status"] == "queued"  # nobody runs it yet

    # A job its consumer was killed in: 'running', its first chunk (rows 2-4) committed, no message left.
    died = post_file(api, "/api/items/import", items_csv(8, prefix="D")).json["id"]
    run_in_transaction(lambda: db.session.execute(sa.update(Job).where(Job.id == died).values(
        status=JobStatus.RUNNING, attempts=1, done=3)))

    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
           "SHIPFLOOR_INSTANCE": str(tmp_path), "SHIPFLOOR_JOBS_QUEUE_FILE": str(tmp_path / "jobs-queue.db")}
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"], cwd=ROOT,
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.rollback()  # the test's requests share one session: end its snapshot
            states = [api("supervisor").get(f"/api/jobs/{i}").json for i in (queued.json["id"], died)]
            if all(s["status"] in ("done", "failed") for s in states):
                break
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(20)
    first, resumed = states
    assert first["status"] == "done", (tmp_path / "worker.log").read_text()
    assert (first["result"]["created"], first["done"]) == (10, 10), first
    # Resumed after its 3 committed rows: the other 5 are created now, the first 3 never were (a real
    # consumer would have created them with that chunk), so none is made twice.
    assert (resumed["status"], resumed["done"], resumed["result"]["created"]) == ("done", 8, 5), resumed
    db.session.rollback()
    assert db.session.scalar(sa.select(Job.attempts).where(Job.id == died)) == 2
