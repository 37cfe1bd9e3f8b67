"""Users, API/device tokens and login throttling."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow
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
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=16,
                                               values_callable=lambda e: [m.value for m in e]))
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


class TokenKind(enum.StrEnum):
    API = "api"        # long-lived, for integrations and scripts (flask token create)
    DEVICE = "device"  # issued at badge login, bound to one handheld, expires after a shift


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TokenKind] = mapped_column(sa.Enum(TokenKind, native_enum=False, length=16,
                                                    values_callable=lambda e: [m.value for m in e]))
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
    """Failed-login counter per account and per client address, shared by all workers."""

    __tablename__ = "login_throttles"

    scope: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # "account" or "client"
    key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.scope}:{self.key} failures={self.failures}>"
