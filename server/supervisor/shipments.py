"""Shipment pages: the shipment list (day, carrier, status, late), a shipment's page (packages, tracking
numbers, label previews, reprint, void), end-of-day manifests per carrier (list, close, printable), and the
day's Amazon shipping-confirmation file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..packing import queries as packing_queries
from ..printing import services as printing
from ..schemas import in_calendar
from ..shipping import queries, services
from ..shipping.carriers import carriers
from ..shipping.models import ShipmentStatus
from . import clock
from .forms import within_calendar
from .labels import svg_response
from .pages import bp, page_info, page_number, page_of, submit, web_actor

STATUS_CHOICES = ((queries.NOT_VOIDED, lazy_gettext("Not voided")), (queries.ALL_STATUSES, lazy_gettext("All")),
                  *((s.value, s.label) for s in ShipmentStatus))
ANY_DAY = ""
RECENT_MANIFESTS = 100
JOB_KINDS = {"shipping_label": lazy_gettext("Shipping label"), "packing_slip": lazy_gettext("Packing slip")}


def now() -> datetime:
    """The instant 'late' is measured from (a function, so tests can stand still)."""
    return datetime.now(UTC)


def carrier_choices() -> list[tuple[str, str]]:
    """The configured carriers, and any other a stored shipment names (a carrier since switched off)."""
    names = {c.code: c.name for c in carriers()}
    for code in queries.carrier_codes():
        names.setdefault(code, code)
    return sorted(names.items(), key=lambda pair: pair[1])


def _day_arg(name: str = "day") -> date | None:
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if in_calendar(day) else None


@dataclass
class ListFilters:
    raw: dict[str, str]
    day: date | None
    query: queries.ShipmentFilter

    @property
    def args(self) -> dict[str, str]:
        """The filters for paging links (the day always: an empty one means any day)."""
        return {k: v for k, v in self.raw.items() if v or k == "day"}


def read_filters(moment: datetime) -> ListFilters:
    """Today's shipments by default; `day=` (empty) means any day; a carrier, a status, late only, a search."""
    raw = {k: request.args.get(k, "").strip()[:64] for k in ("carrier", "status", "late", "q")}
    day = clock.today() if "day" not in request.args else _day_arg()
    raw["day"] = day.isoformat() if day else ANY_DAY
    if raw["status"] not in dict(STATUS_CHOICES):
        raw["status"] = ""
    raw["late"] = "1" if raw["late"] == "1" else ""
    since, until = clock.day_range(day, day) if day else (None, None)
    query = queries.ShipmentFilter(since=since, until=until, carrier=raw["carrier"] or None,
                                   status=raw["status"] or queries.NOT_VOIDED, late_only=bool(raw["late"]),
                                   now=moment, q=raw["q"] or None)
    return ListFilters(raw=raw, day=day, query=query)


class CloseManifestForm(FlaskForm):
    carrier = SelectField(lazy_gettext("Carrier"), [DataRequired(lazy_gettext("Choose a carrier."))])
    day = DateField(lazy_gettext("Shipped up to the end of"), [Optional(), within_calendar])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.carrier.choices = [(code, name) for code, name in carrier_choices()]


class VoidForm(FlaskForm):
    reason = StringField(lazy_gettext("Reason"), [DataRequired(lazy_gettext("Say why the label is voided.")),
                                                  Length(max=200)])


class ConfirmationUploadedForm(FlaskForm):
    day = DateField(lazy_gettext("Shipped on"), [Optional(), within_calendar])


class ActionForm(FlaskForm):
    """A button-only POST: nothing but the CSRF token."""


# --- The list --------------------------------------------------------------------------------------------------

@bp.get("/shipments")
def shipments():
    """Shipments of a day (today by default), newest label first, filtered by carrier, status and lateness."""
    moment = now()
    filters = read_filters(moment)
    page = page_number()
    rows, total = page_of(queries.shipment_rows(filters.query), page)
    return render_template("supervisor/shipments/list.html", rows=rows, filters=filters,
                           carriers=carrier_choices(), carrier_names=dict(carrier_choices()),
                           statuses=STATUS_CHOICES, paging=page_info(page, total, len(rows)),
                           today=clock.today(), uploaded_form=ConfirmationUploadedForm(formdata=None),
                           ship_by=queries.ship_by_summary(filters.day or clock.today()))


@bp.get("/shipments/confirmation.txt")
def shipments_confirmation():
    """The Amazon shipping-confirmation file of a day's shipped Amazon orders (?day=, default today)."""
    day = _day_arg() or clock.today()
    response = Response(services.ship_confirmation_file(day), mimetype="text/tab-separated-values")
    name = f"amazon-ship-confirmation-{day.isoformat()}.txt"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/shipments/confirmation")
def shipments_confirmation_uploaded():
    """Record that the day's confirmation file went up to Amazon (what POST /api/shipping/confirmation does):
    its shipments are confirmed, so they can no longer be voided here."""
    form = ConfirmationUploadedForm()

    def day() -> date:  # read once the form is valid
        return form.day.data or clock.today()

    return submit(form, lambda: services.mark_confirmed(services.shipments_shipped_on(day())),
                  to=lambda n: url_for("supervisor.shipments", day=day().isoformat()),
                  back=url_for("supervisor.shipments"),
                  done=lambda n: ngettext("%(num)d shipment marked as uploaded to Amazon.",
                                          "%(num)d shipments marked as uploaded to Amazon.", n))


# --- One shipment --------------------------------------------------------------------------------------------

def _to_shipment(shipment_id: int) -> str:
    return url_for("supervisor.shipment_detail", shipment_id=shipment_id)


@bp.get("/shipments/<int:shipment_id>")
def shipment_detail(shipment_id: int):
    """One shipment: its facts, packages with tracking numbers and SSCCs, label previews, print jobs, void."""
    shipment = queries.get_shipment(shipment_id)
    packages = packing_queries.packages_of_shipment(shipment.id)
    return render_template("supervisor/shipments/detail.html", shipment=shipment,
                           order=queries.shipment_order(shipment), packages=packages,
                           carrier_name=dict(carrier_choices()).get(shipment.carrier, shipment.carrier),
                           service_name=services.service_name(shipment),
                           jobs=queries.print_jobs_of(shipment, [p.id for p in packages]),
                           printers={p.id: p.name for p in printing.list_printers(include_inactive=True)},
                           job_kinds=JOB_KINDS, package_numbers={p.id: p.number for p in packages},
                           void_form=VoidForm(formdata=None), ShipmentStatus=ShipmentStatus)


@bp.get("/shipments/<int:shipment_id>/packages/<int:package_id>/label.svg")
def shipment_label_preview(shipment_id: int, package_id: int):
    """A package's 4x6 label as the printer prints it (?dpi=300 for a 300 dpi printer's)."""
    shipment = queries.get_shipment(shipment_id)
    package = next((p for p in packing_queries.packages_of_shipment(shipment.id) if p.id == package_id), None)
    if package is None:
        abort(404)
    dpi = 300 if request.args.get("dpi", type=int) == 300 else 203
    return svg_response(services.package_label(shipment, package, dpi=dpi))


@bp.post("/shipments/<int:shipment_id>/void")
def shipment_void(shipment_id: int):
    """Void the shipment's labels with a reason: its packages can be labelled and shipped again."""
    form = VoidForm()
    return submit(form, lambda: services.void_shipment(queries.get_shipment(shipment_id),
                                                       reason=form.reason.data.strip(), actor=web_actor()),
                  to=_to_shipment(shipment_id), done=lambda s: _("Shipment %(id)d voided.", id=s.id))


@bp.post("/shipments/<int:shipment_id>/jobs/<int:job_id>/reprint")
def shipment_reprint(shipment_id: int, job_id: int):
    """Print a label again (after a jam): a new print job of the same bytes, linked to the one it repeats."""

    def again():
        shipment = queries.get_shipment(shipment_id)
        package_ids = [p.id for p in packing_queries.packages_of_shipment(shipment.id)]
        return printing.reprint(queries.shipment_print_job(shipment, job_id, package_ids), actor=web_actor())

    return submit(ActionForm(), again, to=_to_shipment(shipment_id),
                  done=lambda job: _("Label sent to %(printer)s again.", printer=job.printer.name))


# --- Manifests -----------------------------------------------------------------------------------------------

@bp.get("/manifests")
def manifests():
    """End-of-day manifests per carrier, newest first, and the form that closes one (with what each carrier has
    waiting)."""
    return render_template("supervisor/shipments/manifests.html", rows=queries.manifests(limit=RECENT_MANIFESTS),
                           waiting=queries.waiting_for_manifest(), carrier_names=dict(carrier_choices()),
                           form=CloseManifestForm(formdata=None))


@bp.post("/manifests")
def manifest_close():
    """Close the day for a carrier: its shipped shipments not on a manifest yet go on a new one."""
    form = CloseManifestForm()
    return submit(form, lambda: services.close_manifest(form.carrier.data, day=form.day.data, actor=web_actor()),
                  to=lambda m: url_for("supervisor.manifest_detail", manifest_id=m.id),
                  back=url_for("supervisor.manifests"),
                  done=lambda m: _("Manifest %(carrier)s %(day)s #%(n)d closed.", carrier=m.carrier,
                                   day=m.day.isoformat(), n=m.number))


@bp.get("/manifests/<int:manifest_id>")
def manifest_detail(manifest_id: int):
    """The manifest the driver signs: every package handed over, printable on A4 or Letter."""
    manifest = queries.manifest_detail(manifest_id)
    if manifest is None:
        abort(404)
    return render_template("supervisor/shipments/manifest.html", manifest=manifest,
                           shipments=len({line["shipment"] for line in manifest["lines"]}),
                           ship_from=services.ship_from())
