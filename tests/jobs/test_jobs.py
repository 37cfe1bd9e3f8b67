"""Background jobs (server/jobs) and the imports that run as jobs: lifecycle, progress per chunk, restart
pickup, the 202 + /api/jobs contract, the supervisor pages. Jobs run in-process here (TestConfig's
immediate mode, or run_job called directly); test_consumer.py runs a real consumer process."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from tests.helpers import assert_problem
from tests.jobs.conftest import items_csv, post_file
from tests.supervisor.web import csrf_token


def _item_count(db, prefix: str) -> int:
    from server.catalog.models import Item
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Item).where(Item.sku.like(f"{prefix}-%")))


def _submit_items_job(users, text: str) -> int:
    """A queued item import job, committed and not enqueued (as if no consumer had run yet)."""
    from server.catalog.services import ITEMS_IMPORT
    from server.http import run_in_transaction

    return run_in_transaction(lambda: ITEMS_IMPORT.start(text.encode(), created_by=users["supervisor"].id).id)


# --- the API contract ---------------------------------------------------------------------------------

def test_a_large_import_answers_202_and_the_job_gives_the_inline_result(api, db):
    bad = {4: "J-004,Bad weight,heavy", 9: "J-009,,9"}
    r = post_file(api, "/api/items/import", items_csv(10, bad=bad))
    assert r.status_code == 202, r.text
    job = r.json
    assert r.headers["Location"] == f"/api/jobs/{job['id']}"
    assert (job["kind"], job["total"], job["status"]) == ("import_items", 10, "queued")

    done = api("supervisor").get(r.headers["Location"]).json  # immediate mode: it ran after the request
    assert (done["status"], done["done"], done["percent"], done["error"]) == ("done", 10, 100, None)
    assert done["result"]["created"] == 8 and done["result"]["updated"] == 0
    assert [e["line"] for e in done["result"]["errors"]] == [4, 9]
    assert done["result"]["errors"][0]["reason"].startswith("weight_g")
    assert done["finished_at"] and done["started_at"]
    from server.jobs.models import Job
    db.session.rollback()
    assert db.session.scalar(sa.select(Job.input).where(Job.id == job["id"])) is None  # the file is not kept

    # The same rows imported inline (a small file) give the same refusals, word for word.
    inline = post_file(api, "/api/items/import", items_csv(3, bad={3: bad[4]}, prefix="K")).json
    assert inline["errors"] == [{**done["result"]["errors"][0], "line": 3}]

    again = api("supervisor").get(post_file(api, "/api/items/import", items_csv(10, bad=bad)).headers["Location"])
    assert (again.json["result"]["created"], again.json["result"]["updated"]) == (0, 8)
    assert _item_count(db, "J") == 8  # re-running the file updates, never duplicates


def test_a_resent_upload_with_its_key_gets_the_same_job(api, db):
    first = post_file(api, "/api/items/import", items_csv(6), key="big-upload-1")
    again = post_file(api, "/api/items/import", items_csv(6), key="big-upload-1")
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json["id"] == first.json["id"] and again.headers.get("Idempotent-Replayed") == "true"
    from server.jobs.models import Job
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1


def test_a_job_is_shown_to_its_creator_and_staff_only(api, users):
    r = post_file(api, "/api/receipts/import", "reference,item,qty\n" + "".join(
        f"PO-{n},NOPE,1\n" for n in range(6)), role="receiver")
    assert r.status_code == 202
    url = r.headers["Location"]
    assert api("receiver").get(url).json["status"] == "done"
    assert api("supervisor").get(url).status_code == 200
    assert_problem(api("picker").get(url), 404, "not_found")
    assert_problem(api("supervisor").get("/api/jobs/999999"), 404, "not_found")
    assert api("picker").client.get(url).status_code == 401  # no token


def test_an_unreadable_large_file_is_still_one_line_1_error(api):
    r = post_file(api, "/api/items/import", "sku,weight_g\n" + "A,1\n" * 6)
    assert r.status_code == 200 and r.json["errors"][0]["line"] == 1 and "name" in r.json["errors"][0]["reason"]


# --- chunks and progress ------------------------------------------------------------------------------

def test_each_chunk_commits_with_its_progress_and_a_bad_row_spares_its_chunk(app, db, users, monkeypatch):
    """Chunks of 3 rows: after each chunk's commit the job's done count and the rows agree, as another
    connection sees them; a refused row is reported and the good rows of its chunk stay."""
    from server.jobs import services as jobs

    seen = []
    original = jobs.record_progress

    def spy(job_id, done, result=None):
        original(job_id, done, result)
        seen.append(done)

    monkeypatch.setattr(jobs, "record_progress", spy)
    job_id = _submit_items_job(users, items_csv(8, bad={3: "J-003,,3"}))
    committed = []
    import server.csvio as csvio
    real_run = csvio.run_in_transaction

    def run_and_look(fn, *args, **kwargs):  # after each commit, from another connection
        out = real_run(fn, *args, **kwargs)
        with db.engine.connect() as other:
            committed.append((other.scalar(sa.text("SELECT done FROM jobs WHERE id = :id"), {"id": job_id}),
                              other.scalar(sa.text("SELECT count(*) FROM items WHERE sku LIKE 'J-%'"))))
        return out

    monkeypatch.setattr(csvio, "run_in_transaction", run_and_look)
    jobs.run_job(job_id)
    assert seen == [3, 6, 8]
    for done, items in ((3, 2), (6, 5), (8, 7)):  # rows 2..4 hold the bad one: 2 items after chunk 1
        assert (done, items) in committed
    job = jobs.get_job(job_id)
    assert (job.status.value, job.done, job.result["created"]) == ("done", 8, 7)
    assert job.result["errors"] == [{"line": 3, "reason": job.result["errors"][0]["reason"]}]


def test_a_transaction_ends_when_its_time_is_up_even_mid_batch(app, db, users, monkeypatch):
    """The write lock is held about CHUNK_SECONDS: past it, the rest of the batch goes in the next
    transaction (here: no time at all, so one row a transaction)."""
    from server.jobs import services as jobs

    monkeypatch.setattr("server.csvio.CHUNK_SECONDS", 0)
    seen = []
    original = jobs.record_progress
    monkeypatch.setattr(jobs, "record_progress", lambda job_id, done, result=None: (
        seen.append(done), original(job_id, done, result)))
    job_id = _submit_items_job(users, items_csv(5))
    jobs.run_job(job_id)
    assert seen == [1, 2, 3, 4, 5] and _item_count(db, "J") == 5


def test_receipt_groups_stay_whole_across_chunks(api, db):
    from server.catalog import services
    from server.http import run_in_transaction
    from server.receiving.models import Receipt

    run_in_transaction(lambda: services.create_item("RG-1", "Grouped"))
    rows = [f"PO-G1,RG-1,{n}" for n in range(1, 6)] + ["PO-G2,RG-1,1", "PO-G2,NOPE,1"]
    r = post_file(api, "/api/receipts/import", "reference,item,qty\n" + "\n".join(rows) + "\n")
    job = api("supervisor").get(r.headers["Location"]).json
    assert job["result"]["created"] == 1 and [e["line"] for e in job["result"]["errors"]] == [8]
    db.session.rollback()
    (receipt,) = db.session.scalars(sa.select(Receipt)).all()
    assert receipt.reference == "PO-G1" and receipt.lines[0].expected_qty == 15


# --- restarts -------------------------------------------------------------------------------------------

def test_a_job_whose_consumer_died_resumes_after_its_last_committed_chunk(app, db, users, monkeypatch):
    from server.catalog import services as catalog
    from server.jobs import services as jobs

    job_id = _submit_items_job(users, items_csv(8))
    real_create, calls = catalog.create_item, []

    def dies_on_the_fifth_row(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 5:
            raise KeyboardInterrupt  # the process is killed: no handler of ours runs
        return real_create(*args, **kwargs)

    monkeypatch.setattr(catalog, "create_item", dies_on_the_fifth_row)
    with pytest.raises(KeyboardInterrupt):
        jobs.run_job(job_id)
    db.session.rollback()
    job = jobs.get_job(job_id)
    assert (job.status.value, job.done, _item_count(db, "J")) == ("running", 3, 3)

    monkeypatch.setattr(catalog, "create_item", real_create)
    assert jobs.resume_interrupted() == [job_id]
    jobs.run_job(job_id)
    db.session.rollback()
    job = jobs.get_job(job_id)
    assert (job.status.value, job.done, job.attempts, job.result["created"]) == ("done", 8, 2, 8)
    assert _item_count(db, "J") == 8


def test_a_job_that_keeps_killing_its_consumer_is_failed_not_retried_for_ever(app, db, users):
    from server.http import run_in_transaction
    from server.jobs import services as jobs
    from server.jobs.models import Job, JobStatus

    job_id = _submit_items_job(users, items_csv(6))
    run_in_transaction(lambda: db.session.execute(sa.update(Job).where(Job.id == job_id).values(
        status=JobStatus.RUNNING, attempts=jobs.MAX_ATTEMPTS)))
    assert jobs.resume_interrupted() == []
    job = jobs.get_job(job_id)
    assert job.status == JobStatus.FAILED and "not tried again" in job.error
    jobs.run_job(job_id)  # a stale message changes nothing
    assert _item_count(db, "J") == 0


def test_an_unexpected_error_fails_the_job_with_a_message_for_people(app, db, users, monkeypatch):
    from server.catalog import services as catalog
    from server.jobs import services as jobs

    job_id = _submit_items_job(users, items_csv(6))
    monkeypatch.setattr(catalog, "create_item", lambda *a, **k: 1 / 0)
    jobs.run_job(job_id)  # does not raise: the consumer goes on with other jobs
    db.session.rollback()
    job = jobs.get_job(job_id)
    assert job.status.value == "failed" and "ZeroDivision" not in job.error and "0 rows" in job.error


# --- the supervisor pages -----------------------------------------------------------------------------

def _upload_page(client, url: str, text: str):
    token = csrf_token(client.get(url).text)
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "big.csv")},
                       content_type="multipart/form-data")


def test_a_large_page_upload_shows_progress_then_the_result(app, supervisor, users, db):
    app.config["JOBS_IMMEDIATE"] = False  # no consumer: the job waits, as while the runner is busy
    app.config["JOBS_QUEUE_FILE"] = str(app.instance_path) + "-unused"  # never read: enqueue is replaced
    from server.jobs import queue, services as jobs
    queued = []
    queue_enqueue = queue.enqueue
    try:
        queue.enqueue = lambda job_id, app=None: queued.append(job_id)
        r = _upload_page(supervisor, "/items/import", items_csv(7, bad={5: "J-005,,5"}))
    finally:
        queue.enqueue = queue_enqueue
    assert r.status_code == 303
    (job_id,) = queued
    assert r.headers["Location"].endswith(f"/items/import?job={job_id}")

    page = supervisor.get(f"/items/import?job={job_id}")
    assert 'id="job-progress"' in page.text and "jobs.js" in page.text and "<script>" not in page.text
    progress = supervisor.get(f"/jobs/{job_id}/progress").json
    assert (progress["status"], progress["done"], progress["total"], progress["percent"]) == ("queued", 0, 7, 0)

    jobs.run_job(job_id)
    page = supervisor.get(f"/items/import?job={job_id}")
    assert 'id="job-progress"' not in page.text
    assert '<strong id="import-created">6</strong>' in page.text and 'data-line="5"' in page.text
    assert supervisor.get(f"/jobs/{job_id}/progress").json["status"] == "done"

    listing = supervisor.get("/jobs")
    assert f'data-job-id="{job_id}" data-status="done"' in listing.text
    assert "Item import" in listing.text and users["supervisor"].username in listing.text
    assert supervisor.get("/jobs/999999/progress").status_code == 404
    assert supervisor.get(f"/locations/import?job={job_id}").status_code == 404  # another kind's page


def test_a_failed_job_shows_its_error_on_the_jobs_page(app, supervisor, users, db, monkeypatch):
    from server.catalog import services as catalog
    from server.jobs import services as jobs

    job_id = _submit_items_job(users, items_csv(6))
    monkeypatch.setattr(catalog, "create_item", lambda *a, **k: 1 / 0)
    jobs.run_job(job_id)
    listing = supervisor.get("/jobs").text
    assert f'data-job-id="{job_id}" data-status="failed"' in listing and "unexpected error" in listing
    assert 'id="job-error"' in supervisor.get(f"/items/import?job={job_id}").text
