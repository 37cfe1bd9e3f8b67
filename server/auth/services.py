"""Users, tokens, web sessions, badge/password login checks and the user audit log.

The throttle that slows guessing lives in throttle.py.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, contains_eager, joinedload

from ..db import utcnow
from ..errors import BadCredentials, InvalidInput, NotFound, Unauthorized
from ..extensions import db
from .models import ApiToken, Role, TokenKind, User, UserAudit, WebSession
from .passwords import check_secret, hash_secret
from .token_cache import AuthUser, CachedToken, token_cache

TOKEN_PREFIX = "sf_"


def normalise_username(name: str) -> str:
    return name.strip().lower()


def create_user(username: str, *, role: Role | str, display_name: str | None = None,
                password: str | None = None, badge: str | None = None, pin: str | None = None) -> User:
    """Create a user; floor users need a badge and PIN, supervisors a password."""
    username = normalise_username(username)
    if not username:
        raise InvalidInput(_("A user needs a name."), field="name")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(_("Unknown role %(role)s.", role=role), field="role",
                           expected=", ".join(r.value for r in Role)) from None
    if (badge is None) != (pin is None):
        raise InvalidInput(_("A badge needs a PIN and a PIN needs a badge."), field="pin")
    if pin is not None:
        validate_pin(pin)
    if password is not None and len(password) < 8:
        raise InvalidInput(_("A password needs at least 8 characters."), field="password",
                           expected="8 or more characters")
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise InvalidInput(_("A user named %(name)s exists already.", name=username), field="name")
    if badge and db.session.scalar(sa.select(User.id).where(User.badge_code == badge.strip())):
        raise InvalidInput(_("That badge belongs to another user."), field="badge")
    user = User(username=username, display_name=display_name or username.title(), role=role,
                badge_code=badge.strip() if badge else None,
                pin_hash=hash_secret(pin) if pin else None,
                password_hash=hash_secret(password) if password else None)
    db.session.add(user)
    db.session.flush()
    return user


def validate_pin(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise InvalidInput(_("A PIN is 4 to 8 digits."), field="pin", expected="4 to 8 digits")


def reset_pin(user: User, pin: str) -> None:
    """Give a user a new PIN and end every session and device token they have."""
    validate_pin(pin)
    user.pin_hash = hash_secret(pin)
    _end_sessions(user)


def set_password(user: User, password: str) -> None:
    if len(password) < 8:
        raise InvalidInput(_("A password needs at least 8 characters."), field="password")
    user.password_hash = hash_secret(password)
    _end_sessions(user)


def deactivate_user(user: User) -> None:
    """Deactivate (never delete: scans, moves and picks refer to users)."""
    user.active = False
    _end_sessions(user)


def _end_sessions(user: User) -> None:
    """End every token (handheld, password sign-in, API/CLI) and web session of the user, server-side."""
    forget_cached_tokens(user.id)
    user.credentials_version += 1
    now = utcnow()
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=now).execution_options(synchronize_session=False))
    db.session.execute(sa.update(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
                       .values(ended_at=now).execution_options(synchronize_session=False))
    db.session.expire(user, ["tokens"])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, *, kind: TokenKind, name: str, device_id: str | None = None,
                lifetime: timedelta | None = None) -> tuple[str, ApiToken]:
    """Create a bearer token; only its digest is stored, so the plain value is returned once."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, kind=kind, name=name, token_hash=_digest(plain), device_id=device_id,
                   expires_at=utcnow() + lifetime if lifetime else None)
    db.session.add(row)
    db.session.flush()
    return plain, row


def authenticate_token(plain: str, *, device_id: str | None) -> AuthUser:
    """Return the user behind a bearer token, or raise Unauthorized.

    A token read in the last few seconds costs no query (token_cache.py says how revocation stays
    bounded); expiry and the device binding are checked on every request.
    """
    digest = _digest(plain)
    token = token_cache.get(digest) or _read_token(digest)
    if token.expires_at is not None and token.expires_at <= utcnow():
        raise Unauthorized(_("Your shift sign-in has expired. Sign in again."))
    # A device token works only from the handheld it was issued to: a copied token is useless.
    if token.kind == TokenKind.DEVICE and token.device_id != device_id:
        raise Unauthorized(_("This sign-in belongs to another device. Sign in again."))
    return token.user


def _read_token(digest: str) -> CachedToken:
    """Read a token and its user (plain columns: nothing that lazy-loads later) and cache them."""
    generation = token_cache.generation()
    row = db.session.execute(
        sa.select(ApiToken.kind, ApiToken.device_id, ApiToken.expires_at, ApiToken.revoked_at, User.active,
                  User.id, User.username, User.display_name, User.role)
        .join(User).where(ApiToken.token_hash == digest)
    ).first()
    if row is None:
        raise Unauthorized(_("Your sign-in is not valid. Sign in again."))
    if row.revoked_at is not None or not row.active:
        raise Unauthorized(_("Your sign-in has ended. Sign in again."))
    token = CachedToken(user=AuthUser(id=row.id, username=row.username, display_name=row.display_name,
                                      role=row.role),
                        kind=row.kind, device_id=row.device_id, expires_at=row.expires_at,
                        read_at=token_cache.clock())
    token_cache.put(digest, token, generation=generation)
    return token


def revoke_token(plain: str) -> None:
    digest = _digest(plain)
    _forget_now_and_at_commit(token_cache.forget_token, digest)
    db.session.execute(sa.update(ApiToken).where(ApiToken.token_hash == digest,
                                                 ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow()))


def find_token(value: str) -> ApiToken:
    """The token with this id ("17") or this plain value ("sf_..."); NotFound otherwise."""
    value = value.strip()
    if value.isdigit() and len(value) < 12:
        row = db.session.get(ApiToken, int(value))
    else:
        row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(value)))
    if row is None:
        raise NotFound(_("There is no such token."), field="token")
    return row


def revoke_token_row(token: ApiToken) -> bool:
    """End one token at once (in this worker; others within TOKEN_CACHE_SECONDS); False if it had ended."""
    _forget_now_and_at_commit(token_cache.forget_token, token.token_hash)
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    return True


def list_tokens(*, user_id: int | None = None, include_ended: bool = False) -> list[ApiToken]:
    """Tokens, newest first, with their users loaded; only the live ones unless include_ended."""
    stmt = sa.select(ApiToken).join(User).options(contains_eager(ApiToken.user))
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    if not include_ended:
        now = utcnow()
        stmt = stmt.where(ApiToken.revoked_at.is_(None),
                          sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now))
    return list(db.session.scalars(stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).limit(500)))


# --- supervisor web sessions -------------------------------------------------------------------------

def start_web_session(user: User, lifetime: timedelta) -> str:
    """Record a web sign-in that ends `lifetime` from now whatever happens; returns the id for the cookie."""
    plain = secrets.token_urlsafe(32)
    db.session.add(WebSession(id=_digest(plain), user_id=user.id, expires_at=utcnow() + lifetime))
    db.session.flush()
    return plain


def web_session_user(plain: str | None) -> User | None:
    """The active user of a live web session (not ended, not expired), or None."""
    if not plain or not isinstance(plain, str):
        return None
    return db.session.scalar(
        sa.select(User).join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.id == _digest(plain), WebSession.ended_at.is_(None), WebSession.expires_at > utcnow(),
               User.active)
        .execution_options(populate_existing=True))


def end_web_session(plain: str | None) -> None:
    if plain and isinstance(plain, str):
        db.session.execute(sa.update(WebSession).where(WebSession.id == _digest(plain),
                                                       WebSession.ended_at.is_(None)).values(ended_at=utcnow()))


# --- audit ---------------------------------------------------------------------------------------------

def audit(actor_id: int | None, user: User, action: str, detail: str = "") -> None:
    """Write down who did what to whose sign-in (shown on the user's page)."""
    db.session.add(UserAudit(actor_id=actor_id, user_id=user.id, action=action, detail=detail[:200]))
    db.session.flush()


def audit_of(user_id: int, limit: int = 50) -> list[UserAudit]:
    return list(db.session.scalars(sa.select(UserAudit).where(UserAudit.user_id == user_id)
                                   .options(joinedload(UserAudit.actor))
                                   .order_by(UserAudit.at.desc(), UserAudit.id.desc()).limit(limit)))


# This worker's token cache forgets a revoked token (or a user's tokens) at once, and again when the
# transaction ends: a request of another thread may have read the old row before the commit.
_FORGET_AT_END = "shipfloor.token_cache_forget"


def forget_cached_tokens(user_id: int) -> None:
    """Call in the transaction that changes a user's role, name or active flag: this worker re-reads them."""
    _forget_now_and_at_commit(token_cache.forget_user, user_id)


def _forget_now_and_at_commit(forget, key) -> None:
    forget(key)
    db.session.info.setdefault(_FORGET_AT_END, []).append((forget, key))


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_rollback")
def _forget_again(session: Session) -> None:
    for forget, key in session.info.pop(_FORGET_AT_END, ()):
        forget(key)


def _storable(text: str) -> bool:
    """No user has a name or badge with NUL or a lone surrogate (and PostgreSQL cannot compare them)."""
    return text.strip().isprintable()


def find_badge_user(badge: str, pin: str) -> User:
    if not _storable(badge):
        check_secret(None, pin)  # the same time as any other wrong badge
        raise BadCredentials(_("Badge or PIN is wrong."))
    user = db.session.scalar(sa.select(User).where(User.badge_code == badge.strip()))
    ok = check_secret(user.pin_hash if user else None, pin)
    if not (ok and user and user.active):
        raise BadCredentials(_("Badge or PIN is wrong."))
    return user


def find_password_user(username: str, password: str) -> User:
    if not _storable(username):
        check_secret(None, password)
        raise BadCredentials(_("Name or password is wrong."))
    user = db.session.scalar(sa.select(User).where(User.username == normalise_username(username)))
    ok = check_secret(user.password_hash if user else None, password)
    if not (ok and user and user.active):
        raise BadCredentials(_("Name or password is wrong."))
    return user


def shift_lifetime(hours: float) -> timedelta:
    return timedelta(hours=hours)


def token_expiry_iso(token: ApiToken) -> str | None:
    return token.expires_at.isoformat() if isinstance(token.expires_at, datetime) else None
