"""Order pages: the order list (filters by status, channel, urgency; search; CSV export) and an order's page
with its lines, reservations, shortage, picks and history, and the supervisor's decisions on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

from ..dashboard import metrics
from ..orders import queries, services
from ..orders.models import CancelSource, OrderStatus
from ..orders.status import CLOSED_ORDER_STATUSES
from ..orders.urgency import Urgency, urgency
from ..picking import allocation
from ..picking import queries as picking_queries
from . import clock
from .export import cell, csv_response, export_name
from .pages import bp, page_info, page_number, page_of, submit, web_actor

ORDER_COLUMNS = ("channel", "channel_order_id", "status", "customer", "ship_to_name", "ship_to_city",
                 "ship_to_country", "service_level", "ordered_at", "ship_by", "ship_by_source", "urgency",
                 "lines", "units", "picked", "short_units", "channel_cancel_requested_at", "batch")
FILTERS = ("status", "channel", "urgency", "short", "cancel_requests", "q", "metric")


def now() -> datetime:
    """The instant urgency is measured from (a function, so tests can stand still at a boundary)."""
    return datetime.now(UTC)


# --- The list ------------------------------------------------------------------------------------------

@dataclass
class ListFilters:
    """The list filters as typed (for the form and links) and the query they make."""

    raw: dict[str, str]
    query: queries.OrderFilter = field(default_factory=queries.OrderFilter)
    ignored: list[str] = field(default_factory=list)  # filters whose value was not one offered: said on the page

    @property
    def args(self) -> dict[str, str]:
        """The filters to carry into paging and export links."""
        return {k: v for k, v in self.raw.items() if v}


def status_choices() -> list[tuple[str, str]]:
    return [(queries.NOT_CLOSED, _("Not closed")), (queries.ALL_STATUSES, _("All statuses"))] + [
        (s.value, str(s.label)) for s in OrderStatus]


def read_filters(moment: datetime) -> ListFilters:
    """Turn the query string into the list's filter; a value not offered falls back to showing all."""
    raw = {k: request.args.get(k, "").strip() for k in FILTERS}
    offered = {"status": dict(status_choices()), "urgency": Urgency._value2member_map_, "metric": metrics.LABELS,
               "short": ("1",), "cancel_requests": ("1",)}
    ignored = [f"{name}={raw[name]}" for name, values in offered.items() if raw[name] and raw[name] not in values]
    for name in offered:
        if raw[name] not in offered[name]:
            raw[name] = ""
    # Behind a metric's number: every status unless one is asked for (most of those orders have shipped).
    query = queries.OrderFilter(status=raw["status"] or None, channel=raw["channel"] or None,
                                urgency=raw["urgency"] or None, now=moment, tz=clock.warehouse_tz(),
                                short_only=bool(raw["short"]), cancel_requests_only=bool(raw["cancel_requests"]),
                                q=raw["q"] or None, metric=raw["metric"] or None)
    return ListFilters(raw=raw, query=query, ignored=ignored)


def metric_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in metrics.LABELS.items()]


def _urgency_of(moment: datetime):
    tz = clock.warehouse_tz()
    return lambda ship_by: urgency(ship_by, now=moment, tz=tz) if ship_by is not None else None


def _export(moment: datetime):
    filters = read_filters(moment)
    urgency_of = _urgency_of(moment)
    return csv_response(export_name("orders"), ORDER_COLUMNS, picking_queries.order_rows_with_batch(filters.query),
                        lambda r: (r.channel, r.channel_order_id, r.status, r.customer_name, r.ship_to_name,
                                   r.ship_to_city, r.ship_to_country, r.service_level, r.ordered_at, r.ship_by,
                                   r.ship_by_source, cell(urgency_of(r.ship_by)), r.lines, r.units, r.picked,
                                   r.short_units, r.channel_cancel_requested_at,
                                   picking_queries.batch_code(r.batch_id)))


@bp.get("/orders")
def orders():
    """Orders by ship-by deadline, open ones by default, filtered by status, channel, urgency and flags."""
    moment = now()
    if request.args.get("format") == "csv":
        return _export(moment)
    filters = read_filters(moment)
    page = page_number()
    rows, total = page_of(picking_queries.order_rows_with_batch(filters.query), page,
                          count_stmt=queries.order_ids(filters.query))
    metric = filters.raw["metric"]
    return render_template("supervisor/orders/list.html", rows=rows, filters=filters, statuses=status_choices(),
                           channels=queries.channels(), urgencies=list(Urgency), urgency_of=_urgency_of(moment),
                           metric_choices=metric_choices(), metric=metric and metrics.behind(metric, moment),
                           batch_code=picking_queries.batch_code, paging=page_info(page, total, len(rows)))


@bp.get("/orders/export.csv")
def orders_export():
    """Every order the filters select, as CSV, streamed."""
    return _export(now())


# --- One order -----------------------------------------------------------------------------------------

class CancelOrderForm(FlaskForm):
    reason = StringField(lazy_gettext("Reason"),
                         [DataRequired(lazy_gettext("Enter the reason.")), Length(max=200)])
    source = SelectField(lazy_gettext("Cancelled by"), default=CancelSource.SELLER.value,
                         choices=[SelectChoice(s.value, s.label) for s in CancelSource])


class ChannelCancelForm(FlaskForm):
    decision = HiddenField(validators=[AnyOf(("cancel", "keep"))])
    reason = StringField(lazy_gettext("Note"), [Length(max=200)])


class ActionForm(FlaskForm):
    """A button-only POST: nothing but the CSRF token."""


def _to_order(order_id: int) -> str:
    return url_for("supervisor.order_detail", order_id=order_id)


@bp.get("/orders/<int:order_id>")
def order_detail(order_id: int):
    """One order: header, lines, reservations, shortage, picks and history, and what a supervisor may do."""
    order = services.get_order(order_id)
    moment = now()
    detail = queries.order_detail(order)
    open_order = order.status not in CLOSED_ORDER_STATUSES
    return render_template(
        "supervisor/orders/detail.html", order=order, lines=detail["lines"], reservations=detail["reservations"],
        shortage=allocation.shortage(order) if order.short_units and open_order else [],
        picks=picking_queries.order_picks(order.id), history=queries.order_history(order.id),
        urgency=urgency(order.ship_by, now=moment, tz=clock.warehouse_tz()) if order.ship_by else None,
        open_order=open_order, may_allocate=order.status == OrderStatus.OPEN,
        batch_code=picking_queries.batch_code,
        cancel_form=CancelOrderForm(formdata=None), channel_form=ChannelCancelForm(formdata=None))


@bp.post("/orders/<int:order_id>/cancel")
def order_cancel(order_id: int):
    """Cancel an order with a reason and who asked; its reservations are released."""
    form = CancelOrderForm()

    def cancel():
        order = services.get_order(order_id)
        services.cancel_order(order, reason=form.reason.data.strip(), source=CancelSource(form.source.data),
                              actor=web_actor())
        return order

    return submit(form, cancel, to=_to_order(order_id),
                  done=lambda o: _("Order %(order)s cancelled.", order=o.channel_order_id))


@bp.post("/orders/<int:order_id>/channel-cancel")
def order_channel_cancel(order_id: int):
    """Decide a channel's cancel request: cancel the order, or keep it and ship."""
    form = ChannelCancelForm()

    def decide():
        order = services.get_order(order_id)
        services.decide_channel_cancel(order, cancel=form.decision.data == "cancel", actor=web_actor(),
                                       reason=(form.reason.data or "").strip() or None)
        return order

    return submit(form, decide, to=_to_order(order_id),
                  done=lambda o: (_("Order %(order)s cancelled as the channel asked.", order=o.channel_order_id)
                                  if form.decision.data == "cancel"
                                  else _("Order %(order)s kept; the channel's request is answered.",
                                         order=o.channel_order_id)))


@bp.post("/orders/<int:order_id>/allocate")
def order_allocate(order_id: int):
    """Allocate this order now (reserve its stock), instead of waiting for the next allocation run."""

    def allocate():
        order = services.get_order(order_id)
        allocation.allocate([order.id], actor=web_actor())
        return order

    return submit(ActionForm(), allocate, to=_to_order(order_id),
                  done=lambda o: (ngettext("Order %(order)s is short of %(num)d unit.",
                                           "Order %(order)s is short of %(num)d units.", o.short_units,
                                           order=o.channel_order_id) if o.short_units
                                  else _("Order %(order)s allocated.", order=o.channel_order_id)))
