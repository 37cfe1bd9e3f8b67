"""The seller's performance metrics as Amazon measures a seller-fulfilled account (../shared/reference/amazon-fbm.md
§5), over rolling windows that end at `now`: [now − N × 24 h, now), the start included, `now` not.

- Late shipment rate, 10 and 30 days (lsr_10, lsr_30), target under 4 %.
  Denominator: orders not cancelled whose ship-by lies in the window (an order due exactly at now − N days is in
  it, one due a microsecond earlier is not). Numerator: of them, those not ship-confirmed on time: the first
  confirmation (a shipment's shipped_at; a voided shipment is no confirmation) came after the ship-by, or none
  has come yet (the deadline has passed: late already). Confirmed on the ship-by's very second is on time.
- Pre-fulfilment cancel rate, 7 days (cancel_7), target under 2.5 %.
  Denominator: orders placed (ordered_at) in the window, cancelled ones included. Numerator: of them, those
  cancelled by the seller (cancel_source = seller); buyer requests and the channel's own cancellations are not
  the seller's doing and don't count.
- Valid tracking rate, 30 days (vtr_30), target over 95 %.
  Denominator: shipments ship-confirmed in the window (voiding a shipment withdraws its confirmation).
  Numerator: of them, those whose every package carries a tracking number that passes its carrier's format and
  check digit (server/shipping/tracking.py; the local carrier's SFL numbers have a GS1 check digit too).

All channels by default; `channel` narrows every metric to one (Amazon's own figures: channel="amazon").

Status: "none" without a denominator; "red" on the wrong side of the threshold, the threshold itself included
(the targets are "under 4 %", "under 2.5 %", "over 95 %": 4 % is red, so is 95 %); "amber" once the rate has come
AMBER_AT (three quarters) of the way from the best value (0 %, or 100 % for tracking) to the threshold: LSR from
3 %, CR from 1.875 %, VTR at 96.25 % and below; "green" otherwise. Rates are compared as exact fractions.

The orders behind each number: OrderFilter(metric=key, now=...) (server/orders/queries.py) selects the
numerator's orders of the late shipment and cancel rates, and for the tracking rate the orders of the shipments
that lack valid tracking (its misses: denominator − numerator). This module registers those filters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from fractions import Fraction

from flask_babel import lazy_gettext

from ..orders import queries as orders
from ..shipping import queries as shipping

AMBER_AT = Fraction(3, 4)  # amber from three quarters of the way between the best value and the threshold
BELOW, ABOVE = "below", "above"
GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    window_days: int
    numerator: int
    denominator: int
    rate: float | None  # numerator / denominator; None when the denominator is 0
    threshold: float
    better: str  # BELOW: lower is better (the rate must stay under the threshold); ABOVE: over it
    status: str  # GREEN, AMBER, RED or NONE
    since: datetime
    until: datetime

    @property
    def misses(self) -> int:
        """What counts against the seller: late or cancelled orders, shipments without valid tracking."""
        return self.numerator if self.better == BELOW else self.denominator - self.numerator


@dataclass(frozen=True)
class _Spec:
    key: str
    label: object  # a lazy string: said in the reader's language when the metric is built
    window_days: int
    threshold: str  # exact decimal, read as a Fraction
    better: str
    counts: Callable[..., tuple[int, int]]  # (since=, until=, channel=) → (denominator, numerator)
    orders_behind: Callable[[datetime, datetime], object]  # (since, until) → a condition on Order


def _valid_tracking_counts(*, since: datetime, until: datetime, channel: str | None = None) -> tuple[int, int]:
    found = shipping.tracking_validity(since=since, until=until, channel=channel)
    return len(found), sum(valid for _order, valid in found.values())


SPECS = (
    _Spec("lsr_10", lazy_gettext("Late shipment rate (10 days)"), 10, "0.04", BELOW, shipping.late_shipment_counts,
          shipping.late_shipment_orders),
    _Spec("lsr_30", lazy_gettext("Late shipment rate (30 days)"), 30, "0.04", BELOW, shipping.late_shipment_counts,
          shipping.late_shipment_orders),
    _Spec("cancel_7", lazy_gettext("Pre-fulfilment cancel rate (7 days)"), 7, "0.025", BELOW, orders.cancel_counts,
          orders.seller_cancelled_orders),
    _Spec("vtr_30", lazy_gettext("Valid tracking rate (30 days)"), 30, "0.95", ABOVE, _valid_tracking_counts,
          shipping.orders_without_valid_tracking),
)
LABELS = {spec.key: spec.label for spec in SPECS}
# What the orders behind each number are, for the order list's heading.
BEHIND = {
    "lsr_10": lazy_gettext("orders due in the window and not ship-confirmed by their ship-by"),
    "lsr_30": lazy_gettext("orders due in the window and not ship-confirmed by their ship-by"),
    "cancel_7": lazy_gettext("orders placed in the window and cancelled by the seller"),
    "vtr_30": lazy_gettext("orders of shipments confirmed in the window without a valid tracking number"),
}


def status_of(numerator: int, denominator: int, threshold: Fraction, better: str) -> str:
    """GREEN, AMBER, RED or NONE for a rate against its threshold (see the module docstring)."""
    if denominator == 0:
        return NONE
    rate = Fraction(numerator, denominator)
    if better == BELOW:
        worst, amber_from = rate, threshold * AMBER_AT
    else:  # measure the shortfall from 100 %, so both kinds read "lower is better"
        worst, threshold = 1 - rate, 1 - threshold
        amber_from = threshold * AMBER_AT
    if worst >= threshold:
        return RED
    return AMBER if worst >= amber_from else GREEN


def window(now: datetime, days: int) -> tuple[datetime, datetime]:
    """[since, until) of a metric's window ending at now."""
    return now - timedelta(days=days), now


def _measure(spec: _Spec, now: datetime, channel: str | None) -> Metric:
    since, until = window(now, spec.window_days)
    denominator, numerator = spec.counts(since=since, until=until, channel=channel)
    threshold = Fraction(spec.threshold)
    return Metric(key=spec.key, label=str(spec.label), window_days=spec.window_days, numerator=numerator,
                  denominator=denominator, rate=numerator / denominator if denominator else None,
                  threshold=float(threshold), better=spec.better,
                  status=status_of(numerator, denominator, threshold, spec.better), since=since, until=until)


def seller_metrics(now: datetime, tz: tzinfo | str | None = None, channel: str | None = None) -> list[Metric]:
    """The four metrics at `now`, of every channel or of one. The windows are rolling (N × 24 h back from now),
    as the channel measures them, so the warehouse's time zone `tz` changes nothing; it is taken for the
    dashboard's common signature."""
    return [_measure(spec, now, channel) for spec in SPECS]


def behind(key: str, now: datetime) -> dict:
    """What the order list filtered by this metric shows at `now`: {"key", "label", "what", "since", "until"}."""
    spec = next(spec for spec in SPECS if spec.key == key)
    since, until = window(now, spec.window_days)
    return {"key": key, "label": str(spec.label), "what": str(BEHIND[key]), "since": since, "until": until}


def _register(spec: _Spec) -> None:
    orders.register_metric(spec.key, lambda now: spec.orders_behind(*window(now, spec.window_days)))


for _spec in SPECS:
    _register(_spec)
