"""Cycle count pages: today's list and the open tasks (build the list, classify items, ask for a count), the
approval queue (approve / reject a variance), inventory record accuracy by class and by week, and the value of
the count adjustments; every table exports as CSV. Supervisors see expected quantities; counters never come here."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..catalog import services as catalog
from ..counts import queries
from ..counts import services as count_services
from ..counts.models import CountTaskReason
from ..inventory import locations
from . import clock
from .export import export_name, rows_response
from .pages import bp, submit, web_actor

TASK_COLUMNS = ("task", "location", "sku", "class", "reason", "status", "counter", "due_on", "recount_of")
APPROVAL_COLUMNS = ("variance", "task", "location", "sku", "lot", "class", "expected", "first_count", "recount",
                    "delta", "value_cents")
IRA_COLUMNS = ("class", *(f"{key}_{days}d" for days in queries.IRA_WINDOWS for key in ("hits", "counts", "pct")))
IRA_WEEK_COLUMNS = ("week", *(f"{key}_{cls}" for cls in (*queries.CLASSES, queries.ALL)
                              for key in ("hits", "counts", "pct")))
ADJUSTMENT_COLUMNS = ("week", "adjustments", "value_cents")
MAX_TARGET_MINUTES = 24 * 60


class BuildListForm(FlaskForm):
    target_minutes = IntegerField(lazy_gettext("Minutes of counting"),
                                  [InputRequired(lazy_gettext("Enter how many minutes.")),
                                   NumberRange(min=1, max=MAX_TARGET_MINUTES)], default=60)


class AdHocCountForm(FlaskForm):
    location = StringField(lazy_gettext("Bin"), [InputRequired(lazy_gettext("Enter a bin.")), Length(max=40)])
    item = StringField(lazy_gettext("Item (optional)"), [Optional(), Length(max=64)],
                       description=lazy_gettext("Empty: count everything in the bin."))


class ActionForm(FlaskForm):
    """A button-only POST: nothing but the CSRF token."""


def _windows():
    return clock.today(), clock.day_start, clock.local


@bp.get("/counts")
def counts():
    """Today's list and the open tasks, the forms, the approval queue, IRA and the adjustments' value."""
    today, day_start, local = _windows()
    weeks = queries.ira_by_week(today, day_start, local)
    return render_template("supervisor/counts/index.html", today=today, day_list=queries.day_list(today),
                           tasks=queries.task_rows(today), approvals=queries.pending_variances(),
                           ira=queries.ira_by_class(today, day_start), windows=queries.IRA_WINDOWS,
                           weeks=weeks, chart=_chart(weeks), classes=(*queries.CLASSES, queries.ALL),
                           adjustments=queries.adjustment_value_by_week(today, day_start, local),
                           list_form=BuildListForm(formdata=None), adhoc_form=AdHocCountForm(formdata=None),
                           action_form=ActionForm(formdata=None))


def _chart(weeks: list[dict]) -> list[dict]:
    """Bars of the weekly IRA (all classes) for the server-drawn SVG: x, height in a 100-high box, label."""
    bars = []
    for n, week in enumerate(weeks):
        pct = week[queries.ALL]["pct"]
        bars.append({"x": n * 20 + 2, "height": pct or 0, "pct": pct, "week": week["week"]})
    return bars


def _to_counts(anchor: str = "") -> str:
    return url_for("supervisor.counts") + anchor


@bp.post("/counts/list")
def count_list_build():
    """Build today's count list, sized to the minutes given (due bins by class; open count requests first)."""
    form = BuildListForm()
    return submit(form, lambda: count_services.build_count_list(clock.today(), target_minutes=form.target_minutes.data,
                                                                actor=web_actor()),
                  to=_to_counts("#tasks"),
                  done=lambda lst: _("Today's count list is built for %(minutes)d minutes.",
                                     minutes=lst.target_minutes))


@bp.post("/counts/classify")
def count_classify():
    """Recompute the items' ABC classes from pick velocity × value."""
    return submit(ActionForm(), lambda: count_services.classify_items(actor=web_actor()), to=_to_counts(),
                  done=lambda per_class: _("Items classified: A %(a)d, B %(b)d, C %(c)d.", a=per_class.get("A", 0),
                                           b=per_class.get("B", 0), c=per_class.get("C", 0)))


@bp.post("/counts/tasks")
def count_task_create():
    """Ask for a count of a bin (or of one item in it) now."""
    form = AdHocCountForm()

    def create():
        location = locations.get_location(form.location.data.strip())
        item = catalog.get_item(form.item.data.strip()) if form.item.data and form.item.data.strip() else None
        return count_services.create_task(location, item=item, reason=CountTaskReason.SUPERVISOR, actor=web_actor())

    return submit(form, create, to=_to_counts("#tasks"),
                  done=lambda task: _("Count of %(location)s asked for.", location=task.location.code))


@bp.post("/counts/variances/<int:variance_id>/approve")
def variance_approve(variance_id: int):
    """Approve a variance: one count adjustment through the ledger."""
    return submit(ActionForm(), lambda: count_services.approve(queries.get_variance(variance_id),
                                                               actor=web_actor()),
                  to=_to_counts("#approvals"), done=lambda _move: _("Variance approved: the stock is adjusted."))


@bp.post("/counts/variances/<int:variance_id>/reject")
def variance_reject(variance_id: int):
    """Reject a variance: the bin goes back for a recount."""
    return submit(ActionForm(), lambda: count_services.reject(queries.get_variance(variance_id), actor=web_actor()),
                  to=_to_counts("#approvals"), done=lambda _result: _("Variance rejected: the bin is recounted."))


# --- CSV exports -----------------------------------------------------------------------------------

@bp.get("/counts/tasks.csv")
def count_tasks_export():
    return rows_response(export_name("count-tasks"), TASK_COLUMNS, [
        (t["id"], t["location"], t["sku"], t["abc_class"], t["reason"], t["status"], t["counter"], t["due_on"],
         t["recount_of_id"]) for t in queries.task_rows(clock.today())])


@bp.get("/counts/approvals.csv")
def count_approvals_export():
    return rows_response(export_name("count-approvals"), APPROVAL_COLUMNS, [
        (v["id"], v["task_id"], v["location"], v["sku"], v["lot"], v["abc_class"], v["expected_qty"],
         v["first_count"], v["recount"], v["delta"], v["value_cents"]) for v in queries.pending_variances()])


@bp.get("/counts/ira.csv")
def count_ira_export():
    today, day_start, _local = _windows()
    return rows_response(export_name("ira-by-class"), IRA_COLUMNS, [
        (row["class"], *(row[days][key] for days in queries.IRA_WINDOWS for key in ("hits", "counts", "pct")))
        for row in queries.ira_by_class(today, day_start)])


@bp.get("/counts/ira-weeks.csv")
def count_ira_weeks_export():
    return rows_response(export_name("ira-by-week"), IRA_WEEK_COLUMNS, [
        (row["week"], *(row[cls][key] for cls in (*queries.CLASSES, queries.ALL) for key in ("hits", "counts", "pct")))
        for row in queries.ira_by_week(*_windows())])


@bp.get("/counts/adjustments.csv")
def count_adjustments_export():
    return rows_response(export_name("count-adjustments"), ADJUSTMENT_COLUMNS, [
        (row["week"], row["adjustments"], row["value_cents"]) for row in queries.adjustment_value_by_week(*_windows())])
