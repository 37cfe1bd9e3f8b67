"""Picking pages: batches (build, release, cancel), a batch's route and totes, who is picking what, and picks
per hour per picker; every table exports as CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from ..picking import allocation, batching
from ..picking import queries
from ..picking import services as picking_services
from ..picking.models import BatchStatus
from ..schemas import in_calendar
from . import clock
from .export import csv_response, export_name, rows_response
from .pages import bp, page_info, page_number, page_of, submit, web_actor

BATCH_COLUMNS = ("batch", "status", "orders", "tasks_done", "tasks_total", "units", "picker", "cart", "zone",
                 "sort_later", "route_m", "created_at", "released_at", "started_at", "finished_at")
PICKER_COLUMNS = ("user", "name", "signed_in_at", "batch", "picks_left", "last_pick_at")
RATE_COLUMNS = ("day", "user", "name", "units", "lines", "first_pick", "last_pick", "lines_per_hour", "errors")
STATUS_TABS = (queries.ACTIVE, *(s.value for s in BatchStatus), queries.ALL_STATUSES)
MAX_BATCH_SIZE = 50


class BuildBatchForm(FlaskForm):
    size = IntegerField(lazy_gettext("Orders"), [InputRequired(lazy_gettext("Enter how many orders.")),
                                                 NumberRange(min=1, max=MAX_BATCH_SIZE)],
                        default=batching.DEFAULT_BATCH_SIZE)
    zone = SelectField(lazy_gettext("Zone"), default="")
    sort_later = BooleanField(lazy_gettext("Single-unit orders into one tote (sort later)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone.choices = [("", _("All zones"))] + [(str(z.id), z.code) for z in queries.zones()]


class ActionForm(FlaskForm):
    """A button-only POST: nothing but the CSRF token."""


def _status() -> str:
    status = request.args.get("status", queries.ACTIVE)
    return status if status in STATUS_TABS else queries.ACTIVE


def _day() -> date | None:
    """The chosen day of the picks-per-hour table (?day=YYYY-MM-DD); None when missing or not a date."""
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return None
    return day if in_calendar(day) else None


def _rates(day: date) -> list[dict]:
    since, until = clock.day_range(day, day)
    return queries.picks_per_picker(since, until)


@bp.get("/picking")
def picking():
    """Batches (newest first), the build and allocate forms, who is picking what and picks per hour."""
    status, page = _status(), page_number()
    rows, total = page_of(queries.batch_rows(status), page)
    today, day = clock.today(), _day()
    rates = [(today, _rates(today))] + ([(day, _rates(day))] if day and day != today else [])
    tabs = [(queries.ACTIVE, _("Active")), *((s.value, s.label) for s in BatchStatus),
            (queries.ALL_STATUSES, _("All"))]
    return render_template("supervisor/picking/list.html", rows=rows, status=status, tabs=tabs,
                           counts=queries.batch_counts(), paging=page_info(page, total, len(rows)),
                           build_form=BuildBatchForm(formdata=None), rates=rates, day=day, today=today,
                           pickers=queries.pickers_at_work(datetime.now(UTC)), batch_code=queries.batch_code)


@bp.get("/picking/batches.csv")
def batches_export():
    """The batches of the chosen status tab as CSV."""
    return csv_response(export_name("batches"), BATCH_COLUMNS, queries.batch_rows(_status()), lambda r: (
        queries.batch_code(r.id), r.status, r.orders, r.tasks_done, r.tasks_total, r.units, r.picker, r.cart,
        r.zone, r.sort_later, r.route_m, r.created_at, r.released_at, r.started_at, r.finished_at))


@bp.get("/picking/pickers.csv")
def pickers_export():
    """Who is picking what, as CSV."""
    return rows_response(export_name("pickers"), PICKER_COLUMNS, [
        (p["user"], p["name"], p["signed_in_at"], queries.batch_code(p["batch_id"]), p["picks_left"],
         p["last_pick_at"]) for p in queries.pickers_at_work(datetime.now(UTC))])


@bp.get("/picking/rates.csv")
def rates_export():
    """Picks per picker of the chosen day (default today), as CSV."""
    day = _day() or clock.today()
    return rows_response(export_name(f"picks-per-hour-{day.isoformat()}"), RATE_COLUMNS, [
        (day, r["user"], r["name"], r["units"], r["lines"], r["first"], r["last"], r["lines_per_hour"],
         r["errors"]) for r in _rates(day)])


@bp.post("/picking/batches")
def batch_build():
    """Build a batch of the most urgent allocated orders (a draft, or released when release is automatic)."""
    form = BuildBatchForm()

    def build():
        zone_id = int(form.zone.data) if form.zone.data else None
        return batching.build_batch(size=form.size.data, zone_id=zone_id, sort_later=form.sort_later.data,
                                    actor=web_actor())

    return submit(form, build, to=lambda b: _to_batch(b.id), back=url_for("supervisor.picking"),
                  done=lambda b: ngettext("Batch %(code)s built with %(num)d order.",
                                          "Batch %(code)s built with %(num)d orders.", len(b.orders), code=b.code))


@bp.post("/picking/allocate")
def picking_allocate():
    """Allocate every open order by ship-by, earliest first (what cannot be covered shows as short)."""
    return submit(ActionForm(), lambda: allocation.allocate(actor=web_actor()), to=url_for("supervisor.picking"),
                  done=lambda r: _("Orders allocated: %(allocated)d; still short: %(short)d.",
                                   allocated=len(r.allocated), short=len(r.short)))


def _to_batch(batch_id: int) -> str:
    return url_for("supervisor.batch_detail", batch_id=batch_id)


@bp.get("/picking/batches/<int:batch_id>")
def batch_detail(batch_id: int):
    """One batch: its facts, totes and tasks in walking order, and release / cancel."""
    batch = queries.get_batch(batch_id)
    return render_template("supervisor/picking/detail.html", batch=batch, summary=queries.batch_summary(batch_id),
                           totes=queries.batch_totes(batch_id), tasks=queries.batch_tasks(batch_id),
                           BatchStatus=BatchStatus)


@bp.post("/picking/batches/<int:batch_id>/release")
def batch_release(batch_id: int):
    """Release a draft batch to the floor: a picker may take it with a cart."""
    return submit(ActionForm(), lambda: picking_services.release_batch(queries.get_batch(batch_id),
                                                                       actor=web_actor()),
                  to=_to_batch(batch_id), done=lambda b: _("Batch %(code)s released.", code=b.code))


@bp.post("/picking/batches/<int:batch_id>/cancel")
def batch_cancel(batch_id: int):
    """Cancel a batch: its open tasks are cancelled and its orders wait for the next batch."""
    return submit(ActionForm(), lambda: picking_services.cancel_batch(queries.get_batch(batch_id),
                                                                      actor=web_actor()),
                  to=_to_batch(batch_id), done=lambda b: _("Batch %(code)s cancelled.", code=b.code))
