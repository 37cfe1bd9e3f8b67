"""Sign in and out of the supervisor pages (name + password, throttled like the API login)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth import services
from ..errors import BadCredentials, DomainError, Forbidden
from ..http import run_in_transaction
from .access import STAFF_ROLES, current_supervisor, safe_next, sign_in, sign_out
from .forms import ActionForm, LoginForm
from .pages import bp


def _authenticate(username: str, password: str):
    """Return the user for these credentials, counting failures exactly as POST /api/auth/login does."""
    name = services.normalise_username(username)
    account_key, client_key = f"user:{name}", request.remote_addr or "unknown"
    services.check_not_locked(account_key, client_key)
    try:
        user = services.find_password_user(name, password)
    except BadCredentials:
        run_in_transaction(services.record_failure, account_key, client_key)
        raise
    if user.role not in STAFF_ROLES:
        # The password was right, so this is no guess: refuse without counting a failure.
        raise Forbidden(_("These pages are for supervisors and admins. Floor staff sign in on a handheld."))
    run_in_transaction(services.clear_failures, account_key)
    return user


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and start a session for a supervisor or admin."""
    target = safe_next(request.args.get("next"))
    if current_supervisor() is not None:
        return redirect(target or url_for("supervisor.dashboard"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = _authenticate(form.username.data, form.password.data)
        except DomainError as e:
            flash(e.detail, "error")
            status, headers = e.status, {k: v for k, v in e.headers.items() if k == "Retry-After"}
        else:
            sign_in(user)
            return redirect(target or url_for("supervisor.dashboard"))
    elif request.method == "POST":
        status = 422
    return render_template("supervisor/login.html", form=form, next=target), status, headers


@bp.post("/logout")
def logout():
    """End the supervisor's session."""
    if not ActionForm().validate_on_submit():
        abort(400)
    sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("supervisor.login"))
