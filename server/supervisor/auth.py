"""Sign in and out of the supervisor pages (name + password, throttled like the API login: auth/throttle.py)."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth import services, throttle
from ..errors import DomainError, Forbidden
from .access import STAFF_ROLES, current_supervisor, safe_next, sign_in, sign_out
from .forms import ActionForm, LoginForm
from .pages import bp


DEVICE_COOKIE = "sf_device"


def _web_attempt(name: str) -> throttle.Attempt:
    """This browser's attempt: its device id and proof come from its signed cookie (a new id without one)."""
    proof = request.cookies.get(DEVICE_COOKIE)
    known = throttle.read_proof(proof)
    device = known[0] if known and known[0].startswith("web:") else throttle.new_web_device()
    return throttle.Attempt(f"user:{name}", request.remote_addr or "unknown", device, proof)


def _authenticate(attempt: throttle.Attempt, name: str, password: str):
    """Return the user for these credentials, throttled exactly as POST /api/auth/login is (throttle.py)."""
    user = throttle.guarded(attempt, lambda: services.find_password_user(name, password))
    if user.role not in STAFF_ROLES:
        # The password was right, so this was no guess (its charge is refunded): refuse all the same.
        raise Forbidden(_("These pages are for supervisors and admins. Floor staff sign in on a handheld."))
    return user


def _keep_device(response, attempt: throttle.Attempt, *, signed_in: bool):
    """Give the browser its device cookie: its id always, the proof of this account after a success."""
    value = attempt.proof_after_success() if signed_in else throttle.make_proof(attempt.device, attempt.tags)
    response.set_cookie(DEVICE_COOKIE, value, max_age=int(throttle.PROOF_MAX_AGE.total_seconds()),
                        path=url_for("supervisor.login"), httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and start a session for a supervisor or admin."""
    target = safe_next(request.args.get("next"))
    if current_supervisor() is not None:
        return redirect(target or url_for("supervisor.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        name = services.normalise_username(form.username.data)
        attempt = _web_attempt(name)
        try:
            user = _authenticate(attempt, name, form.password.data)
        except DomainError as e:
            flash(e.detail, "error")
            headers = {k: v for k, v in e.headers.items() if k == "Retry-After"}
            page = make_response(render_template("supervisor/login.html", form=form, next=target), e.status,
                                 headers)
            return _keep_device(page, attempt, signed_in=False)
        sign_in(user)
        return _keep_device(redirect(target or url_for("supervisor.dashboard")), attempt, signed_in=True)
    status = 422 if request.method == "POST" else 200
    return render_template("supervisor/login.html", form=form, next=target), status


@bp.post("/logout")
def logout():
    """End the supervisor's session."""
    if not ActionForm().validate_on_submit():
        abort(400)
    sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("supervisor.login"))
