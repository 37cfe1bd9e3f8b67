"""User administration over the API (admin only): list, create, reset PIN, deactivate, tokens."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g

from ..api import APIBlueprint
from ..errors import get_or_404
from ..extensions import db
from . import services
from .guard import require_role
from .models import Role, TokenKind, User
from .schemas import PinIn, TokenIn, TokenOut, UserAdminOut, UserIn, UserList

bp = APIBlueprint("users", __name__, url_prefix="/api", tag="Users")


def _out(user: User) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role.value, "active": user.active, "has_badge": user.badge_code is not None}


def _get_user(user_id: int) -> User:
    return get_or_404(User, user_id, f"There is no user {user_id}.", "user_id")


@bp.get("/users")
@require_role(Role.ADMIN)
@bp.output(UserList)
@bp.doc(summary="List users")
def list_users():
    users = db.session.scalars(sa.select(User).order_by(User.username)).all()
    return {"users": [_out(u) for u in users]}


@bp.write("/users", roles=Role.ADMIN, body=UserIn, out=UserAdminOut, status=201, summary="Create a user")
def create_user(body):
    user = services.create_user(body["username"], role=body["role"], display_name=body["name"],
                                password=body["password"], badge=body["badge"], pin=body["pin"])
    return _out(user)


@bp.write("/users/<int:user_id>/pin", roles=Role.ADMIN, body=PinIn, out=UserAdminOut,
          summary="Reset a user's PIN (ends all their tokens and web sessions)")
def reset_pin(user_id: int, body):
    user = _get_user(user_id)
    services.reset_pin(user, body["pin"])
    services.audit(g.current_user_id, user, "reset_pin")
    return _out(user)


@bp.write("/users/<int:user_id>/deactivate", roles=Role.ADMIN, out=UserAdminOut,
          summary="Deactivate a user (never deleted: history refers to them)")
def deactivate_user(user_id: int):
    user = _get_user(user_id)
    services.deactivate_user(user)
    services.audit(g.current_user_id, user, "deactivate")
    return _out(user)


@bp.write("/users/<int:user_id>/tokens", roles=Role.ADMIN, body=TokenIn, out=TokenOut, status=201,
          summary="Create an API bearer token for a user")
def create_token(user_id: int, body):
    user = _get_user(user_id)
    plain, _row = services.issue_token(user, kind=TokenKind.API, name=body["name"])
    return {"token": plain, "user": user.username}
