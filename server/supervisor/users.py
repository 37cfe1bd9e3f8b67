"""User administration pages (admin only): list, create, reset PIN, deactivate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth import services
from ..errors import DomainError
from ..http import run_in_transaction
from . import queries
from .access import admin_required, current_supervisor
from .forms import ROLE_LABELS, ActionForm, PinForm, UserForm
from .views import bp, show_domain_error

# create_user names the login name "name" in its errors; the form calls it "username".
FIELD_ALIASES = {"name": "username"}


@bp.app_template_filter("role_label")
def _role_label(role) -> str:
    return str(ROLE_LABELS.get(role, role))


@bp.get("/users")
@admin_required
def users():
    """List every user, active ones first."""
    return render_template("supervisor/users/list.html", users=queries.all_users())


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    """Show the new-user form and create the user."""
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = run_in_transaction(lambda: services.create_user(
                form.username.data, role=form.role.data,
                display_name=(form.display_name.data or "").strip() or None,
                password=form.password.data or None, badge=(form.badge.data or "").strip() or None,
                pin=form.pin.data or None))
        except DomainError as e:
            show_domain_error(form, e, aliases=FIELD_ALIASES)
            status = 422
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("supervisor.users"))
    elif request.method == "POST":
        status = 422
    return render_template("supervisor/users/new.html", form=form), status


def _load(user_id: int):
    user = queries.user_by_id(user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/pin")
@admin_required
def user_reset_pin(user_id: int):
    """Give a user a new PIN; their handheld and web sessions end."""
    form = PinForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        for message in form.pin.errors:
            flash(message, "error")
        return redirect(url_for("supervisor.users"))

    def reset():
        user = _load(user_id)
        services.reset_pin(user, form.pin.data)
        return user.username

    try:
        name = run_in_transaction(reset)
    except DomainError as e:
        flash(e.detail, "error")
    else:
        flash(_("The PIN of %(name)s was reset. Their devices are signed out.", name=name), "success")
    return redirect(url_for("supervisor.users"))


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def user_deactivate(user_id: int):
    """Deactivate a user (kept: scans and moves refer to them); their sessions end."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if user_id == current_supervisor().id:
        flash(_("You cannot deactivate yourself. Ask another admin."), "error")
        return redirect(url_for("supervisor.users"))

    def deactivate():
        user = _load(user_id)
        services.deactivate_user(user)
        return user.username

    flash(_("User %(name)s deactivated.", name=run_in_transaction(deactivate)), "success")
    return redirect(url_for("supervisor.users"))
