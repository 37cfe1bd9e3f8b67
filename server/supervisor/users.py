"""User pages: admins manage everyone; supervisors help floor workers (unlock, reset a PIN); tokens.

Who may do what (CONTRACT.md: users and tokens are an admin's; issue 7 lets a supervisor unlock a floor
worker and reset their PIN, because the lock message tells the worker to ask one):
- the user list and a user's page: an admin sees everyone, a supervisor the floor workers;
- unlock and PIN reset: an admin for anyone, a supervisor for floor workers; both are audited;
- create and deactivate: admins only;
- the tokens page: an admin sees and revokes every token, a supervisor only their own.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from ..auth import queries, services, throttle
from ..auth.models import FLOOR_ROLES, Role
from .access import admin_required, current_supervisor
from .forms import ActionForm, PinForm, UserForm
from .pages import bp, submit

# create_user names the login name "name" in its errors; the form calls it "username".
FIELD_ALIASES = {"name": "username"}
AUDIT_LABELS = {"unlock": lazy_gettext("Unlocked"), "reset_pin": lazy_gettext("PIN reset"),
                "deactivate": lazy_gettext("Deactivated"), "revoke_token": lazy_gettext("Token revoked")}


def _is_admin() -> bool:
    return current_supervisor().role == Role.ADMIN


def _may_manage(user) -> bool:
    return _is_admin() or user.role in FLOOR_ROLES


@bp.get("/users")
def users():
    """List the users this supervisor may help (an admin: everyone), active ones first."""
    shown = [u for u in queries.all_users() if _may_manage(u)]
    return render_template("supervisor/users/list.html", users=shown)


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
    """The user, if this supervisor may manage them: 404 for nobody, 403 for staff a supervisor may not touch."""
    user = queries.user_by_id(user_id)
    if user is None:
        abort(404)
    if not _may_manage(user):
        abort(403)
    return user


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    """A user's page: their locks (with Unlock), PIN reset, live tokens and the audit of their sign-in."""
    user = _user(user_id)
    return render_template("supervisor/users/detail.html", user=user, locks=throttle.locks_of(user),
                           tokens=services.list_tokens(user_id=user.id) if _is_admin() else [],
                           audit=services.audit_of(user.id), audit_labels=AUDIT_LABELS,
                           pin_form=PinForm())


@bp.post("/users/<int:user_id>/unlock")
def user_unlock(user_id: int):
    """Clear a worker's sign-in locks (theirs and their devices'), audited."""
    _user(user_id)  # 404/403 before the form is looked at
    actor = current_supervisor().id

    def unlock():
        user = _user(user_id)
        lifted = throttle.clear_locks(user)
        services.audit(actor, user, "unlock", str(lifted))  # the page words it in the reader's language
        return user

    to = url_for("supervisor.user_detail", user_id=user_id)
    return submit(ActionForm(), unlock, to=to,
                  done=lambda user: _("%(name)s can sign in again.", name=user.username))


@bp.post("/users/<int:user_id>/pin")
def user_reset_pin(user_id: int):
    """Give a user a new PIN; all their tokens and web sessions end; audited."""
    _user(user_id)
    form, actor = PinForm(), current_supervisor().id

    def reset():
        user = _user(user_id)
        services.reset_pin(user, form.pin.data)
        services.audit(actor, user, "reset_pin")
        return user

    return submit(form, reset, to=url_for("supervisor.user_detail", user_id=user_id),
                  done=lambda user: _("The PIN of %(name)s was reset. Their devices are signed out.",
                                      name=user.username))


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def user_deactivate(user_id: int):
    """Deactivate a user (kept: scans and moves refer to them); their sessions end."""
    if user_id == current_supervisor().id:
        flash(_("You cannot deactivate yourself. Ask another admin."), "error")
        return redirect(url_for("supervisor.users"))
    actor = current_supervisor().id

    def deactivate():
        user = _user(user_id)
        services.deactivate_user(user)
        services.audit(actor, user, "deactivate")
        return user

    return submit(ActionForm(), deactivate, done=lambda user: _("User %(name)s deactivated.", name=user.username),
                  to=url_for("supervisor.users"))


# --- tokens ----------------------------------------------------------------------------------------------

@bp.get("/tokens")
def tokens():
    """Live tokens: every user's for an admin, a supervisor's own otherwise."""
    me = current_supervisor()
    shown = services.list_tokens(user_id=None if _is_admin() else me.id)
    return render_template("supervisor/users/tokens.html", tokens=shown)


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    """End one token at once; an admin may end anyone's, a supervisor their own."""
    me = current_supervisor()

    def revoke():
        token = services.find_token(str(token_id))
        if token.user_id != me.id and not _is_admin():
            abort(403)
        services.revoke_token_row(token)
        services.audit(me.id, token.user, "revoke_token", f"{token.kind.value} {token.name}")
        return token

    return submit(ActionForm(), revoke, to=url_for("supervisor.tokens"),
                  done=lambda token: _("Token %(name)s of %(user)s revoked.", name=token.name,
                                       user=token.user.username))
