"""What every supervisor page shares: the blueprint and its sign-in gate, the one way a form is sent,
paging, template filters and error pages.

The page modules (auth, home, items, locations, stock, movements, receipts, users) import from here and
attach their routes to `bp`; views.py imports them all. Nothing here imports a page module.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..auth.models import Role
from ..errors import DomainError
from ..extensions import db
from ..http import refuse_unsafe_page_input, run_in_transaction
from ..inventory.codes import ReasonCode
from ..inventory.ledger import Actor
from . import clock
from .access import SESSION_LIFETIME, current_supervisor, require_staff

# The blueprint names its own template folder: the app's template_folder resolves against the app's
# root path, which for APIFlask("shipfloor") is the working directory, not this package.
bp = Blueprint("supervisor", __name__, template_folder="templates", static_folder="static",
               static_url_path="/supervisor/static")
bp.before_request(require_staff)
bp.before_request(refuse_unsafe_page_input)  # no NUL reaches a query: 404/422, not 500

PAGE_SIZE = 50
# Pages past this one are never real; a huge number would overflow the database's OFFSET.
MAX_PAGE = 100_000
# Movements posted from these pages name this as their device (the handhelds send their own id).
WEB_DEVICE = "supervisor-web"
_FLASK_DEFAULT_LIFETIME = timedelta(days=31)

Result = TypeVar("Result")


@bp.record_once
def _session_lifetime(state):
    # Flask's default keeps a permanent session for a month; a supervisor sign-in lasts a shift.
    if state.app.config.get("PERMANENT_SESSION_LIFETIME") == _FLASK_DEFAULT_LIFETIME:
        state.app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    # The sign-in ends when its server-side row says (access.py): answers do not push the cookie's date on.
    state.app.config["SESSION_REFRESH_EACH_REQUEST"] = False


@bp.context_processor
def _layout_context():
    try:
        locale = str(get_locale() or "en")
    except (AttributeError, KeyError, RuntimeError):
        locale = "en"
    user = current_supervisor()
    return {"locale": locale.replace("_", "-"), "sv_user": user,
            "sv_is_admin": user is not None and user.role == Role.ADMIN, "warehouse_tz": clock.zone_name()}


# --- Template filters ------------------------------------------------------------------------------

@bp.app_template_filter("wh_time")
def _wh_time(moment) -> str:
    """A stored time as warehouse wall-clock time (2026-03-14 09:30:05)."""
    return clock.format_time(moment)


@bp.app_template_filter("label")
def _label(member) -> str:
    """The human label of an enum member (role, location kind, movement kind), which lives on the enum."""
    return str(getattr(member, "label", member) or "")


@bp.app_template_filter("reason_label")
def _reason_label(code) -> str:
    """A movement's reason code as people say it; the ledger stores the code as text."""
    if not code:
        return ""
    return str(ReasonCode(code).label) if code in ReasonCode._value2member_map_ else code


# --- Sending a form --------------------------------------------------------------------------------

def web_actor() -> Actor:
    """The signed-in supervisor as the author of a movement posted from these pages."""
    return Actor(user_id=current_supervisor().id, device_id=WEB_DEVICE)


def show_domain_error(form, error: DomainError, *, aliases: dict | None = None) -> None:
    """Put a service's refusal on the form field it names, or in a flash message when none fits."""
    name = (aliases or {}).get(error.field, error.field)
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors") and name != "meta":
        field.errors = [*field.errors, error.detail]
    else:
        flash(error.detail, "error")


def submit(form: FlaskForm, action: Callable[[], Result], *, done: Callable[[Result], str],
           to: str | Callable[[Result], str], page: str | None = None, back: str | None = None,
           aliases: dict | None = None, **context):
    """Send a supervisor form the one way: validate it, run action() as one transaction, flash, redirect.

    done(result) is the success message and `to` the address to go to then (or a function of the result).
    With `page` (a form page): a GET shows the template; an invalid or refused form shows it again, 422,
    with the refusal on the field it names (aliases map a service's field names to the form's).
    Without `page` (a button such as Deactivate): a missing CSRF token is 400; invalid fields and refusals
    are flashed on the way back to `back` (default: `to`).
    """
    if form.validate_on_submit():
        try:
            result = run_in_transaction(action)
        except DomainError as e:
            if page is None:
                flash(e.detail, "error")
            else:
                show_domain_error(form, e, aliases=aliases)
        else:
            flash(done(result), "success")
            return redirect(to(result) if callable(to) else to)
    elif page is None:
        if request.method != "POST" or form.csrf_token.errors:
            abort(400)
        for field in form:
            for message in field.errors:
                flash(message, "error")
    if page is None:
        return redirect(back or to)
    return render_template(page, form=form, **context), 422 if request.method == "POST" else 200


# --- Paging ----------------------------------------------------------------------------------------

def page_number() -> int:
    """The 1-based page number from the query string (1 when missing or not a number)."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def paging() -> tuple[str, int]:
    """Read the search text and the 1-based page number from the query string."""
    return request.args.get("q", "").strip(), page_number()


def offset(page: int) -> int:
    return (page - 1) * PAGE_SIZE


def page_info(page: int, total: int, shown: int) -> dict:
    first = (page - 1) * PAGE_SIZE + 1 if shown else 0
    return {"page": page, "total": total, "first": first, "last": first + shown - 1 if shown else 0,
            "has_prev": page > 1, "has_next": page * PAGE_SIZE < total}


def page_of(stmt, page: int, *, count_stmt=None) -> tuple[list, int]:
    """One page of a list statement's rows and the count of all its rows (of count_stmt's, when given)."""
    counted = (count_stmt if count_stmt is not None else stmt).order_by(None).subquery()
    total = db.session.scalar(db.select(db.func.count()).select_from(counted)) or 0
    return db.session.execute(stmt.limit(PAGE_SIZE).offset(offset(page))).all(), total


# --- Error pages -----------------------------------------------------------------------------------

@bp.errorhandler(CSRFError)
def _csrf_error(e: CSRFError):
    return render_template("supervisor/error.html", status=400, title=_("The form has expired"),
                           detail=_("The page was open too long or the form was not sent from this site. "
                                    "Go back, reload the page and try again.")), 400


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    titles = {400: _("Bad request"), 403: _("Not allowed"), 404: _("Not found"), 405: _("Method not allowed")}
    details = {400: _("The request could not be read. Go back, reload the page and try again."),
               403: _("Your role does not allow this page."), 404: _("There is nothing at this address."),
               405: _("This address does not take that method.")}
    code = e.code or 500
    return render_template("supervisor/error.html", status=code, title=titles.get(code, _("Error")),
                           detail=details.get(code, _("The request failed."))), code


@bp.errorhandler(DomainError)
def _domain_error(e: DomainError):
    return render_template("supervisor/error.html", status=e.status, title=e.title, detail=e.detail), e.status
