"""Uploads are idempotent too: a resent file is recognised by its parts, not by the multipart envelope.

Clients make a new multipart boundary for every send, so the raw body of the same upload differs each
time; the Idempotency-Key's request hash covers the form fields and each file's name and bytes instead.
"""

from __future__ import annotations

import io

from tests.helpers import assert_problem

CSV = "sku,name,barcodes\nSKU-UP-1,Upload mug,\nSKU-UP-2,Upload jug,\n"


def _send(api, text: str, key: str, boundary: str, filename: str = "items.csv"):
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: text/csv\r\n\r\n{text}\r\n--{boundary}--\r\n").encode()
    return api("supervisor").post("/api/items/import", key=key, data=io.BytesIO(body),
                                  content_type=f"multipart/form-data; boundary={boundary}")


def test_the_same_file_resent_with_the_same_key_gets_the_first_answer(api):
    first = _send(api, CSV, "upload-1", "boundary-aaaa")
    assert first.status_code == 200, first.get_data(as_text=True)
    again = _send(api, CSV, "upload-1", "boundary-bbbb-other")
    assert again.status_code == 200, again.get_data(as_text=True)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == first.get_json()


def test_another_file_with_the_same_key_is_refused(api):
    assert _send(api, CSV, "upload-2", "b1").status_code == 200
    assert_problem(_send(api, CSV.replace("jug", "bowl"), "upload-2", "b2"), 422, "idempotency_key_reused")
    assert_problem(_send(api, CSV, "upload-2", "b3", filename="other.csv"), 422, "idempotency_key_reused")


def test_purging_old_keys_goes_in_short_batches_and_keeps_the_recent_ones(app, db, users):
    """One DELETE of a million keys held the write lock for seconds: each batch is its own transaction."""
    from datetime import timedelta

    import sqlalchemy as sa

    from server.db import utcnow
    from server.http import run_in_transaction
    from server.idempotency import IdempotencyRecord, purge_older_than

    user_id = users["picker"].id
    now = utcnow()

    def seed():
        db.session.execute(sa.insert(IdempotencyRecord), [
            {"user_id": user_id, "key": f"k{n}", "request_hash": "h", "created_at": now - timedelta(days=age)}
            for n, age in enumerate([40] * 25 + [3] * 4)])
    run_in_transaction(seed)
    commits = []

    def count_commit(conn):
        commits.append(1)

    sa.event.listen(db.engine, "commit", count_commit)
    try:
        assert purge_older_than(30, batch=10) == 25
    finally:
        sa.event.remove(db.engine, "commit", count_commit)
    assert len(commits) == 4  # 10, 10, 5, then an empty batch: each in its own transaction
    db.session.remove()
    left = db.session.scalars(sa.select(IdempotencyRecord.key)).all()
    assert sorted(left) == ["k25", "k26", "k27", "k28"]
