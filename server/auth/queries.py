"""Read-only look-ups of users for pages and reports (services.py holds sign-in and user changes)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from .models import ApiToken, Role, TokenKind, User


def all_users() -> list[User]:
    """Every user, active ones first, by name."""
    return list(db.session.scalars(sa.select(User).order_by(User.active.desc(), User.username)))


def user_by_id(user_id: int, *, fresh: bool = False) -> User | None:
    """The user with this id; fresh reads the row again instead of trusting the session's copy."""
    return db.session.get(User, user_id, populate_existing=fresh)


def user_by_name(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))


def count_active_users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.active)) or 0


def usernames(user_ids) -> dict[int, str]:
    """user id → login name, for pages that show who did something."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.username).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def people(user_ids) -> dict[int, dict]:
    """user id → {"user": login name, "name": display name, "role": role value}: who did something, for reports."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.username, User.display_name, User.role)
                              .where(User.id.in_(ids)))
    return {r.id: {"user": r.username, "name": r.display_name, "role": Role(r.role).value} for r in rows}


def devices_signed_in(device_ids, now: datetime) -> set[str]:
    """The devices among these that hold a handheld sign-in at `now`: a DEVICE token bound to the device, neither
    revoked nor expired, of an active user."""
    ids = {i for i in device_ids if i}
    if not ids:
        return set()
    return set(db.session.scalars(
        sa.select(ApiToken.device_id).distinct().join(User, ApiToken.user_id == User.id)
        .where(ApiToken.kind == TokenKind.DEVICE, ApiToken.device_id.in_(ids), ApiToken.revoked_at.is_(None),
               sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now), User.active)))
