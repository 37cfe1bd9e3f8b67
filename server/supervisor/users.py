"""User administration pages (admin only): list, create, reset PIN, deactivate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..auth import queries, services
from .access import admin_required, current_supervisor
from .forms import ActionForm, PinForm, UserForm
from .pages import bp, submit

# create_user names the login name "name" in its errors; the form calls it "username".
FIELD_ALIASES = {"name": "username"}


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
    return submit(form, lambda: services.create_user(
                      form.username.data, role=form.role.data,
                      display_name=(form.display_name.data or "").strip() or None,
                      password=form.password.data or None, badge=(form.badge.data or "").strip() or None,
                      pin=form.pin.data or None),
                  done=lambda user: _("User %(name)s created.", name=user.username),
                  to=url_for("supervisor.users"), page="supervisor/users/new.html", aliases=FIELD_ALIASES)


def _user(user_id: int):
    user = queries.user_by_id(user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/pin")
@admin_required
def user_reset_pin(user_id: int):
    """Give a user a new PIN; their handheld and web sessions end."""
    form = PinForm()

    def reset():
        user = _user(user_id)
        services.reset_pin(user, form.pin.data)
        return user

    return submit(form, reset, to=url_for("supervisor.users"),
                  done=lambda user: _("The PIN of %(name)s was reset. Their devices are signed out.",
                                      name=user.username))


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def user_deactivate(user_id: int):
    """Deactivate a user (kept: scans and moves refer to them); their sessions end."""
    if user_id == current_supervisor().id:
        flash(_("You cannot deactivate yourself. Ask another admin."), "error")
        return redirect(url_for("supervisor.users"))

    def deactivate():
        user = _user(user_id)
        services.deactivate_user(user)
        return user

    return submit(ActionForm(), deactivate, done=lambda user: _("User %(name)s deactivated.", name=user.username),
                  to=url_for("supervisor.users"))
