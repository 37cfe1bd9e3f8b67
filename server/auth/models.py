"""Users, API/device/login tokens, supervisor web sessions, login throttling and the user audit log."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, enum_column, utcnow
from ..enums import LabelledStrEnum


class Role(LabelledStrEnum):
    PICKER = "picker", lazy_gettext("Picker")
    PACKER = "packer", lazy_gettext("Packer")
    RECEIVER = "receiver", lazy_gettext("Receiver")
    SUPERVISOR = "supervisor", lazy_gettext("Supervisor")
    ADMIN = "admin", lazy_gettext("Admin")


FLOOR_ROLES = frozenset({Role.PICKER, Role.PACKER, Role.RECEIVER})
# Who may receive and put away: the receiving API and the handheld's tiles both read this.
RECEIVING_ROLES = (Role.RECEIVER, Role.SUPERVISOR)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Login name, stored lower-case so that "Ana" and "ana" are one user.
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    badge_code: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    pin_hash: Mapped[str | None] = mapped_column(sa.String(255))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on PIN/password reset or deactivation: supervisor web sessions carry it and die with it.
    credentials_version: Mapped[int] = mapped_column(default=1, server_default="1")

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                  passive_deletes=True)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username} {self.role}>"


class TokenKind(LabelledStrEnum):
    # long-lived, for integrations and scripts (flask token create, POST /api/users/<id>/tokens)
    API = "api", lazy_gettext("API (scripts)")
    DEVICE = "device", lazy_gettext("Handheld")  # badge login: bound to one handheld, expires after a shift
    LOGIN = "login", lazy_gettext("Password sign-in")  # POST /api/auth/login: expires after a shift


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TokenKind] = mapped_column(enum_column(TokenKind))
    name: Mapped[str] = mapped_column(sa.String(120))
    # Only a SHA-256 of the token is kept: a leaked database does not leak usable tokens.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    device_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.kind} user={self.user_id}>"


class LoginThrottle(Base):
    """Failed-login counter of one scope (services.py says which), shared by all workers.

    key is a digest of what is counted (an address, address + device, an account, account at a source):
    fixed length whatever the client sends. account and source let a supervisor clear a worker's locks.
    """

    __tablename__ = "login_throttles"

    scope: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    account: Mapped[str | None] = mapped_column(sa.String(80), index=True)  # "badge:B-7" or "user:ana"
    source: Mapped[str | None] = mapped_column(sa.String(64))  # digest of address + device
    label: Mapped[str] = mapped_column(sa.String(160), default="")  # for people: address and device
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.scope}:{self.label} failures={self.failures}>"


class WebSession(Base):
    """A supervisor sign-in on the web pages: the cookie names it, sign-out and resets end it here."""

    __tablename__ = "web_sessions"

    # SHA-256 of the random session id the signed cookie carries: a leaked table holds no usable id.
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Fixed at sign-in: using the pages does not extend it.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserAudit(Base):
    """Who did what to whose sign-in, and when (unlock, PIN reset, deactivation, token revocation)."""

    __tablename__ = "user_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(32))
    detail: Mapped[str] = mapped_column(sa.String(200), default="")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
