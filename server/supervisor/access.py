"""Who is signed in to the supervisor pages: the cookie session, its checks and the role gates."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _

from ..auth import services
from ..auth.models import Role
from ..http import run_in_transaction
from ..schemas import CONTROL_CHARACTERS

if TYPE_CHECKING:
    from ..auth.models import User

# Cached per request in the WSGI environ, not on `g`: an app context (and so `g`) can outlive a request.
_CACHE_KEY = "shipfloor.supervisor_user"
STAFF_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
# Pages anyone may open: the sign-in form, the stylesheet it needs and the site icon.
PUBLIC_ENDPOINTS = frozenset({"supervisor.login", "supervisor.static", "supervisor.favicon"})
# Lifetime of a supervisor sign-in: a long shift plus a margin, fixed at sign-in (the server-side session
# row ends then, however busy the session is); sign-out, a PIN or password reset and deactivation end it
# earlier. No idle timeout: a supervisor's screen on the office PC stays open between rounds.
SESSION_LIFETIME = timedelta(hours=12)
# Characters never allowed in an after-login target: control characters (CR/LF would split headers).


def sign_in(user: User) -> None:
    """Start a fresh session for user, recorded server-side (a new session, so a planted one is useless)."""
    lifetime = current_app.permanent_session_lifetime or SESSION_LIFETIME
    session_id = run_in_transaction(services.start_web_session, user, lifetime)
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["sid"] = session_id
    request.environ[_CACHE_KEY] = user


def sign_out() -> None:
    """End this session server-side: a copy of the cookie stops working too."""
    run_in_transaction(services.end_web_session, session.get("sid"))
    session.clear()
    request.environ[_CACHE_KEY] = None


def current_supervisor() -> User | None:
    """Return the signed-in user, or None; a session that was ended, expired or outlived its user is cleared."""
    if _CACHE_KEY in request.environ:
        return request.environ[_CACHE_KEY]
    user = None
    if session.get("uid") is not None or session.get("sid") is not None:
        # Read on every request (never a cached copy): sign-out elsewhere or a reset ends the session at once.
        user = services.web_session_user(session.get("sid"))
        if user is None or user.id != session.get("uid"):
            session.clear()
            flash(_("Your sign-in has ended. Sign in again."), "info")
            user = None
    request.environ[_CACHE_KEY] = user
    return user


def safe_next(target: str | None) -> str | None:
    """Accept only a path on this site as the after-login target (no open redirect, no control characters)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if CONTROL_CHARACTERS.search(target):
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
