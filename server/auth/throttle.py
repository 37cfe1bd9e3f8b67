"""The sign-in throttle: failures slow down the source that makes them, never the innocent.

Policy (badge + PIN on the handheld, name + password on the web pages and POST /api/auth/login)

A *source* is a client address plus a device: the handheld's device id (the badge-login body, the same
as its X-Device-Id), the web browser's id from its signed `sf_device` cookie, or "-" for a script that
sends none. Each failed sign-in is counted in up to four counters:

=================  ===========================================  ============  ============================
scope              what it counts                               free tries    counted for
=================  ===========================================  ============  ============================
``account_source`` one account (badge or user name) at a source  3            every attempt
``source``         every account at a source                     10           every attempt
``address``        every account at an address                   20           unknown devices only
``account``        one account from every source                 10           devices unknown to it only
=================  ===========================================  ============  ============================

Past its free tries a counter locks for 5 s, doubling with each further failure up to 15 min; a
counter forgets after 30 minutes without a failure. While any counter that applies to an attempt is
locked, the attempt is refused (429, Retry-After, "ask a supervisor") before the secret is looked at.

*Known devices* (the OWASP "device cookie"): a sign-in that succeeds hands the device a signed proof
(the `device_proof` of the badge-login answer, which the handheld keeps and sends back; the
`sf_device` cookie on the web) naming the device and, as keyed digests, the accounts that signed in
on it. A device holding a valid proof is exempt from the address counter (a whole warehouse behind one
NAT address, or one attacker rotating device ids, cannot lock it out); a device holding a proof for
the account is exempt from that account's counter (an attack from many sources slows strangers, not
the worker's own handheld). Its own failures still count in its own source counters.

So a correct credential from another device is never refused for someone else's failures at another
source, except that a device that never signed in as that account (or at all) shares the account's and
the address's budgets with every other stranger: guessing stays slow whatever ids a guesser invents.

Counting is atomic: each attempt first locks its counter rows (SELECT ... FOR UPDATE on PostgreSQL; the
write transaction's lock on SQLite), refuses if one is locked, and otherwise *charges* the attempt as a
failure and commits, all before the secret is checked (the slow hash runs outside any transaction).
A success then refunds the charge and clears that account's failures at that source. So concurrent
guesses cannot slip past a lock: at most free + 1 tries of a counter ever reach the secret per lock.

A supervisor clears a worker's counters (their account counters and the source counters of the
devices they failed on) from the user page: see clear_locks().
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db import utcnow
from ..errors import TooManyAttempts
from ..extensions import db
from .models import LoginThrottle, User


@dataclass(frozen=True)
class Rule:
    free: int  # failures before the first lock


RULES = {"account_source": Rule(3), "source": Rule(10), "address": Rule(20), "account": Rule(10)}
BASE_LOCK = timedelta(seconds=5)
LONGEST_LOCK = timedelta(minutes=15)
FORGET_AFTER = timedelta(minutes=30)

PROOF_SALT = "shipfloor.device-proof"
PROOF_MAX_AGE = timedelta(days=90)
PROOF_ACCOUNTS_KEPT = 20  # a shared handheld remembers the last 20 accounts signed in on it
NO_DEVICE = "-"

Result = TypeVar("Result")


# --- known-device proofs -----------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=PROOF_SALT)


def account_tag(account: str) -> str:
    """A keyed digest of an account: the proof names accounts without showing badge codes."""
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    return hmac.new(key, account.encode(), hashlib.sha256).hexdigest()[:16]


def read_proof(value: str | None) -> tuple[str, tuple[str, ...]] | None:
    """(device, account tags) of a valid proof, or None for a missing, forged or expired one."""
    if not value or len(value) > 4096:
        return None
    try:
        payload = _serializer().loads(value, max_age=PROOF_MAX_AGE.total_seconds())
    except (BadSignature, UnicodeError, ValueError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("d"), str):
        return None
    return payload["d"], tuple(t for t in payload.get("a", []) if isinstance(t, str))


def make_proof(device: str, tags: tuple[str, ...]) -> str:
    return _serializer().dumps({"d": device, "a": list(tags[-PROOF_ACCOUNTS_KEPT:])})


def new_web_device() -> str:
    return "web:" + secrets.token_urlsafe(12)


# --- one attempt and its counters --------------------------------------------------------------------

@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: which account, from which address and device, with what proof."""

    account: str  # "badge:B-7" or "user:ana"
    address: str
    device: str
    proof: str | None = None
    tags: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self):
        known = read_proof(self.proof)
        # A proof counts only on the device it was given to: a copied proof alone proves nothing.
        object.__setattr__(self, "tags", known[1] if known and known[0] == self.device else ())

    @property
    def known_device(self) -> bool:
        return bool(self.tags)

    @property
    def known_for_account(self) -> bool:
        return account_tag(self.account) in self.tags

    def source(self) -> str:
        return _digest(f"{self.address}|{self.device}")

    def counters(self) -> list[dict]:
        """The counter rows this attempt is checked against and charged to."""
        where = _shown(f"{self.address} {self.device}", 120)
        source = self.source()
        # Only a name a real user can have is kept in clear (for unlocking); any other is counted by digest.
        account = self.account if len(self.account) <= 80 and self.account.isprintable() else None
        rows = [
            {"scope": "account_source", "key": _digest(f"{self.account}|{source}"), "account": account,
             "source": source, "label": f"{_shown(self.account, 38)} @ {where}"},
            {"scope": "source", "key": source, "account": None, "source": source, "label": where},
        ]
        if not self.known_device:
            rows.append({"scope": "address", "key": _digest(self.address), "account": None, "source": None,
                         "label": _shown(self.address, 160)})
        if not self.known_for_account:
            rows.append({"scope": "account", "key": _digest(self.account), "account": account,
                         "source": None, "label": _shown(self.account, 160)})
        return sorted(rows, key=lambda r: (r["scope"], r["key"]))  # one lock order for every attempt

    def proof_after_success(self) -> str:
        tag = account_tag(self.account)
        return make_proof(self.device, tuple(t for t in self.tags if t != tag) + (tag,))


def _shown(text: str, length: int) -> str:
    """Text fit for a label column and a page: no control characters, lone surrogates or NULs."""
    return "".join(c if c.isprintable() else "?" for c in text[:length])


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _insert():
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(LoginThrottle.__table__)


def _lock_rows(keys: list[tuple[str, str]]) -> list[LoginThrottle]:
    """SELECT ... FOR UPDATE the counters, in (scope, key) order; current values, not cached ones."""
    return list(db.session.scalars(
        sa.select(LoginThrottle)
        .where(sa.or_(*(sa.and_(LoginThrottle.scope == s, LoginThrottle.key == k) for s, k in keys)))
        .order_by(LoginThrottle.scope, LoginThrottle.key)
        .with_for_update().execution_options(populate_existing=True)))


def _lock_for(failures: int, rule: Rule) -> timedelta | None:
    if failures <= rule.free:
        return None
    return min(BASE_LOCK * 2 ** min(failures - rule.free - 1, 20), LONGEST_LOCK)


@dataclass(frozen=True)
class Charge:
    scope: str
    key: str
    locked_before: datetime | None
    locked_by_us: datetime | None


def charge(attempt: Attempt) -> list[Charge]:
    """Refuse if a counter of this attempt is locked; otherwise count the attempt as a failure (flush).

    Call in a write transaction and commit before checking the secret (see the module docstring).
    """
    counters = attempt.counters()
    db.session.execute(_insert().values([{**c, "failures": 0} for c in counters])
                       .on_conflict_do_nothing(index_elements=["scope", "key"]))
    rows = _lock_rows([(c["scope"], c["key"]) for c in counters])
    now = utcnow()
    for row in rows:
        if row.last_failure_at is not None and now - row.last_failure_at > FORGET_AFTER:
            row.failures, row.locked_until = 0, None
    waits = [row.locked_until for row in rows if row.locked_until is not None and row.locked_until > now]
    if waits:
        seconds = int((max(waits) - now).total_seconds()) + 1
        raise TooManyAttempts(ngettext("Too many wrong tries. Wait %(num)d second or ask a supervisor.",
                                       "Too many wrong tries. Wait %(num)d seconds or ask a supervisor.",
                                       seconds),
                              headers={"Retry-After": str(seconds)}, retry_after=seconds)
    charges = []
    for row in rows:
        before = row.locked_until
        row.failures += 1
        row.last_failure_at = now
        lock = _lock_for(row.failures, RULES[row.scope])
        if lock is not None:
            row.locked_until = now + lock
        charges.append(Charge(row.scope, row.key, before, row.locked_until if lock is not None else None))
    db.session.flush()
    return charges


def refund(attempt: Attempt, charges: list[Charge]) -> None:
    """The attempt succeeded: take back its charge and forget this account's failures at this source."""
    rows = {(r.scope, r.key): r for r in _lock_rows([(c.scope, c.key) for c in charges])}
    for c in charges:
        row = rows.get((c.scope, c.key))
        if row is None:
            continue
        if c.scope == "account_source":
            db.session.delete(row)
            continue
        row.failures = max(row.failures - 1, 0)
        if row.failures <= RULES[c.scope].free:
            row.locked_until = None
        elif c.locked_by_us is not None and row.locked_until == c.locked_by_us:
            row.locked_until = c.locked_before  # the lock our own charge set, and nobody extended
    db.session.flush()


def guarded(attempt: Attempt, check: Callable[[], Result]) -> Result:
    """Run check() (which raises BadCredentials for a wrong secret) under the throttle.

    Runs its own short transactions: the charge is committed before check() runs, so that concurrent
    attempts see it; the refund after a success is a second transaction.
    """
    from ..http import run_in_transaction

    charges = run_in_transaction(charge, attempt)
    result = check()  # a wrong secret raises: the charge stands as the failure
    run_in_transaction(refund, attempt, charges)
    return result


# --- what a supervisor sees and clears -----------------------------------------------------------------

def accounts_of(user: User) -> list[str]:
    """The throttle's account names of a user: their badge and their login name."""
    names = [f"user:{user.username}"]
    if user.badge_code:
        names.append(f"badge:{user.badge_code}")
    return names


def _rows_of(user: User):
    """Where-clause of the user's counters and of the source counters of the devices they failed on."""
    accounts = accounts_of(user)
    # Read first: a DELETE must not depend on a subquery over the rows it deletes.
    sources = db.session.scalars(sa.select(LoginThrottle.source).distinct().where(
        LoginThrottle.scope == "account_source", LoginThrottle.account.in_(accounts))).all()
    return sa.or_(LoginThrottle.account.in_(accounts),
                  sa.and_(LoginThrottle.scope == "source", LoginThrottle.source.in_(sources)))


def locks_of(user: User) -> list[LoginThrottle]:
    """The user's counters that lock now: their accounts', and those of the devices they failed on."""
    now = utcnow()
    return list(db.session.scalars(sa.select(LoginThrottle)
                                   .where(_rows_of(user), LoginThrottle.locked_until > now)
                                   .order_by(LoginThrottle.locked_until.desc())))


def clear_locks(user: User) -> int:
    """Forget the user's failures and the failures of the devices they failed on; the number of locks lifted."""
    lifted = len(locks_of(user))
    db.session.execute(sa.delete(LoginThrottle).where(_rows_of(user)).execution_options(
        synchronize_session=False))
    return lifted
