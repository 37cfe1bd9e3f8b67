"""Who is signed in to the supervisor pages: the cookie session, its checks and the role gates."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _

from ..auth.models import Role
from ..auth.queries import user_by_id

if TYPE_CHECKING:
    from ..auth.models import User

# Cached per request in the WSGI environ, not on `g`: an app context (and so `g`) can outlive a request.
_CACHE_KEY = "shipfloor.supervisor_user"
STAFF_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
# Pages anyone may open: the sign-in form, the stylesheet it needs and the site icon.
PUBLIC_ENDPOINTS = frozenset({"supervisor.login", "supervisor.static", "supervisor.favicon"})
# Idle lifetime of a supervisor sign-in: a long shift plus a margin; each request extends it.
SESSION_LIFETIME = timedelta(hours=12)


def sign_in(user: User) -> None:
    """Start a fresh cookie session for user (a new session, so a planted one cannot be reused)."""
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["cv"] = user.credentials_version
    request.environ[_CACHE_KEY] = user


def sign_out() -> None:
    session.clear()
    request.environ[_CACHE_KEY] = None


def current_supervisor() -> User | None:
    """Return the signed-in user, or None; a session outlived by a reset or deactivation is ended."""
    if _CACHE_KEY in request.environ:
        return request.environ[_CACHE_KEY]
    user = None
    uid = session.get("uid")
    if uid is not None:
        # fresh: never trust a copy cached in the identity map for this check.
        user = user_by_id(uid, fresh=True)
        if user is None or not user.active or user.credentials_version != session.get("cv"):
            session.clear()
            flash(_("Your sign-in has ended. Sign in again."), "info")
            user = None
    request.environ[_CACHE_KEY] = user
    return user


def safe_next(target: str | None) -> str | None:
    """Accept only a path on this site as the after-login target (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def require_staff():
    """Blueprint gate: sign-in needed for every page but the public ones, and a supervisor or admin role."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user = current_supervisor()
    if user is None:
        # Only a GET can be repeated after signing in; a POST target would answer 405.
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("supervisor.login", next=target))
    if user.role not in STAFF_ROLES:
        abort(403)
    return None


def admin_required(view):
    """Refuse (403) anyone but an admin; the blueprint gate has already asked for a sign-in."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        user = current_supervisor()
        if user is None or user.role != Role.ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
