"""The role check on every /api endpoint: 401 without a valid token, 403 for the wrong role."""

from __future__ import annotations

import functools

from flask import g, request
from flask_babel import gettext as _

from ..errors import Forbidden, Unauthorized
from ..http import refuse_unsafe_input
from .models import FLOOR_ROLES, Role
from .services import authenticate_token
from .token_cache import AuthUser

ANY_ROLE = frozenset(Role)


def allowed_roles(roles) -> frozenset[Role]:
    """Admins may do everything; supervisors everything a floor role may, plus their own."""
    allowed = {Role(r) for r in roles} | {Role.ADMIN}
    if allowed & (FLOOR_ROLES | {Role.SUPERVISOR}):
        allowed.add(Role.SUPERVISOR)
    return frozenset(allowed)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def load_user_from_request() -> AuthUser:
    token = bearer_token()
    if token is None:
        raise Unauthorized(_("Sign in first: this needs a bearer token."),
                           headers={"WWW-Authenticate": 'Bearer realm="shipfloor"'})
    return authenticate_token(token, device_id=request.headers.get("X-Device-Id"))


def require_role(*roles):
    """Decorate a view: authenticate the bearer token, then check the role, before any input parsing.

    Put it *above* APIFlask's @input so the contract's order 401 → 403 → 422 holds.
    """
    allowed = allowed_roles(roles or ANY_ROLE)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = load_user_from_request()
            if user.role not in allowed:
                raise Forbidden(_("Your role (%(role)s) cannot do this.", role=user.role.value),
                                expected=", ".join(sorted(r.value for r in allowed)))
            # Plain values (AuthUser), not an ORM object: valid in every transaction of the request.
            g.current_user = user
            g.current_user_id = user.id
            refuse_unsafe_input()
            return view(*args, **kwargs)

        # Seen by the OpenAPI document and by the auth-matrix test.
        wrapper._spec = {**getattr(view, "_spec", {}), "security": "BearerAuth"}
        wrapper.allowed_roles = allowed
        return wrapper

    return decorate
