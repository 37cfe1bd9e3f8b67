"""Idempotency-Key handling for every /api write, once, in the HTTP layer (DESIGN decision 6).

The key, a hash of the request and the response are stored in the same transaction as the write.
A replay gets the stored response and changes nothing; the same key with another request is refused.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from apiflask import HTTPError
from flask import current_app, g, request
from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import HTTPException

from .db import Base, UTCDateTime, claim_write_lock, utcnow
from .errors import DomainError, InvalidInput
from .extensions import db
from .http import run_in_transaction

HEADER = "Idempotency-Key"
IN_PROGRESS_WAIT_MS = 2000


class IdempotencyRecord(Base):
    """A write's Idempotency-Key, the hash of its request and the response it got (CONTRACT.md)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(sa.String(64))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(sa.String(64))
    body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<IdempotencyRecord user={self.user_id} {self.key} -> {self.status_code}>"


class KeyReused(InvalidInput):
    code, title = "idempotency_key_reused", "Idempotency key used for another request"


class RequestInProgress(DomainError):
    status, code, title = 409, "request_in_progress", "Still working on it"


def request_fingerprint() -> str:
    """Hash method, path (with query) and body; JSON compared in canonical form, uploads by their parts."""
    if request.mimetype == "multipart/form-data":
        body = _multipart_digest()
    else:
        raw = request.get_data(cache=True)
        body = raw
        if request.is_json:
            try:
                body = json.dumps(json.loads(raw or b"null"), sort_keys=True, separators=(",", ":")).encode()
            except ValueError:
                body = raw
    h = hashlib.sha256()
    for part in (request.method.encode(), request.full_path.rstrip("?").encode(), body):
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


def _multipart_digest() -> bytes:
    """The form fields and each file's field name, file name and bytes: every send of the same upload
    gets a new multipart boundary, so the raw body would never match its retry."""
    h = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            h.update(len(data).to_bytes(8, "big") + data)

    for name in sorted(request.form):
        for value in request.form.getlist(name):
            add("field", name, value)
    for name in sorted(request.files):
        for upload in request.files.getlist(name):
            content = upload.stream.read()
            upload.stream.seek(0)  # the handler reads it again
            add("file", name, upload.filename or "", content)
    return h.hexdigest().encode()


def _find(user_id: int, key: str):
    return db.session.execute(sa.select(
        IdempotencyRecord.request_hash, IdempotencyRecord.status_code, IdempotencyRecord.content_type,
        IdempotencyRecord.body).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)).first()


def _store(user_id: int, key: str, fingerprint: str, resp) -> bool:
    """Insert the key with its answer; False when the key exists already (another request took it)."""
    claim_write_lock(db.session)
    dialect = db.session.get_bind().dialect.name
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(IdempotencyRecord.__table__).values(
        user_id=user_id, key=key, request_hash=fingerprint, created_at=utcnow(), status_code=resp.status_code,
        content_type=resp.content_type, body=resp.get_data(as_text=True),
    ).on_conflict_do_nothing(index_elements=["user_id", "key"]).returning(IdempotencyRecord.id)
    if dialect != "postgresql":  # SQLite writers are serialised: nobody else can hold the key now
        return db.session.execute(stmt).first() is not None
    # An insert of a key that another unfinished transaction holds waits for it: wait a little, then
    # tell the client that the first request is still running (its work is rolled back with ours).
    db.session.execute(sa.text(f"SET LOCAL lock_timeout = '{IN_PROGRESS_WAIT_MS}ms'"))
    try:
        return db.session.execute(stmt).first() is not None
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":
            raise RequestInProgress(_("This scan is still being processed. Try again in a moment."),
                                    headers={"Retry-After": "1"}) from None
        raise


def _answer_from(record, fingerprint: str):
    """The stored answer of an earlier request with this key, or a refusal when that one was different."""
    if record.request_hash != fingerprint:
        raise KeyReused(_("This Idempotency-Key was used for a different request."), field=HEADER)
    resp = current_app.response_class(record.body or "", status=record.status_code,
                                      content_type=record.content_type or "application/json")
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


def idempotent(view, deferred_lock: bool = False):
    """Run a write view in one transaction, honouring Idempotency-Key. Put it below @require_role.

    The key is looked up first and stored with the answer last, in the write's transaction: one
    SELECT and one INSERT per write. A request that loses the race for its key (another request with
    it committed meanwhile) is rolled back and answered with the stored answer. A refusal is an answer
    too: its work is rolled back, and the key is stored with the refusal in a short transaction of its own.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return run_in_transaction(view, *args, deferred_lock=deferred_lock, **kwargs)
        if not 1 <= len(key) <= 64:
            raise InvalidInput(_("The Idempotency-Key header must be 1 to 64 characters."), field=HEADER,
                               expected="1 to 64 characters")
        fingerprint = request_fingerprint()
        user_id = g.current_user_id

        def store_or_replay(resp):
            if not _store(user_id, key, fingerprint, resp):
                raise _KeyTaken()
            return resp

        def attempt():
            record = _find(user_id, key)
            if record is not None:
                return _answer_from(record, fingerprint)
            try:
                resp = current_app.make_response(view(*args, **kwargs))
            except (DomainError, HTTPError, HTTPException) as exc:
                raise _Refused(current_app.make_response(current_app.handle_user_exception(exc))) from None
            if resp.status_code >= 500:
                raise _Unstored(resp)
            return store_or_replay(resp)

        try:
            return run_in_transaction(attempt, deferred_lock=deferred_lock)
        except _Unstored as e:  # 5xx answers are not stored (CONTRACT.md): the client may retry
            return e.response
        except _Refused as refusal:  # the work is rolled back; keep the key and the refusal
            if refusal.response.status_code >= 500:
                return refusal.response
            try:
                return run_in_transaction(store_or_replay, refusal.response, deferred_lock=deferred_lock)
            except _KeyTaken:
                pass
        except _KeyTaken:
            pass
        return run_in_transaction(lambda: _answer_from(_find(user_id, key), fingerprint))

    return wrapper


class _Unstored(Exception):
    def __init__(self, response):
        super().__init__("5xx answer")
        self.response = response


class _Refused(Exception):
    def __init__(self, response):
        super().__init__("refused")
        self.response = response


class _KeyTaken(Exception):
    """Another request with the same key committed first: ours is rolled back and gets its answer."""


PURGE_BATCH = 2000


def purge_older_than(days: int = 30, *, batch: int = PURGE_BATCH) -> int:
    """Forget keys older than `days` (the contract keeps them at least 14 days), in short transactions.

    Each batch is its own transaction: on SQLite a write holds the database's only write lock, and one
    DELETE of a million keys held every scan and move for seconds.
    """
    cutoff = utcnow() - timedelta(days=days)

    def purge_batch() -> int:
        oldest = sa.select(IdempotencyRecord.id).where(IdempotencyRecord.created_at < cutoff) \
            .order_by(IdempotencyRecord.id).limit(batch)
        return db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(oldest))).rowcount or 0

    total = 0
    while (purged := run_in_transaction(purge_batch)) > 0:
        total += purged
    return total
