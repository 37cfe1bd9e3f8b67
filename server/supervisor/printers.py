"""The Printers page: printers with their ~HS flags and queue, stations, print jobs (reprint, cancel, retry),
and the labels the virtual printer received, drawn as the printer would print them."""

from __future__ import annotations

import re

from flask import Response, abort, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..auth.queries import usernames
from ..printing import services as printing
from ..printing.models import PrintJobStatus, Transport
from ..printing.virtual_printer import read_spool, spool_folder, split_labels
from ..printing.worker import flag_words
from .pages import bp, submit, web_actor

JOBS_SHOWN = 100
LABELS_SHOWN = 12
SPOOL_FILE = re.compile(r"^[0-9T]{15}-[0-9]{1,25}\.zpl$")
# The flags a person must act on, in the order the page shows them.
SHOWN_FLAGS = ("paper_out", "head_open", "paused", "ribbon_out", "over_temperature")


class PrinterForm(FlaskForm):
    name = StringField(lazy_gettext("Name"), [InputRequired(), Length(max=64)])
    transport = SelectField(lazy_gettext("Connection"), choices=[SelectChoice(t.value, t.label) for t in Transport],
                            default=Transport.TCP.value)
    host = StringField(lazy_gettext("Host"), [Optional(), Length(max=255)])
    port = IntegerField(lazy_gettext("Port"), [InputRequired(), NumberRange(1, 65535)], default=9100)
    cups_queue = StringField(lazy_gettext("CUPS queue"), [Optional(), Length(max=127)])
    dpi = SelectField(lazy_gettext("Resolution"), choices=[SelectChoice("203", "203 dpi"), SelectChoice("300", "300 dpi")],
                      default="203")


class StationForm(FlaskForm):
    station = StringField(lazy_gettext("Station"), [InputRequired(), Length(max=64)])


class ActionForm(FlaskForm):
    """A button-only POST: nothing but the CSRF token."""


def _flags(printer) -> list[str]:
    """What keeps this printer from printing, as people say it (empty: fine, or never asked)."""
    words = flag_words()
    status = printer.status or {}
    shown = [words[f] for f in SHOWN_FLAGS if status.get(f)]
    if printer.online is False:
        shown.insert(0, _("offline"))
    return shown


@bp.get("/printers")
def printers():
    """Printers (status, queue, stations), the add form, recent print jobs, the virtual printer's labels."""
    listed = printing.list_printers(include_inactive=True)
    jobs = printing.list_jobs(limit=JOBS_SHOWN)
    names = usernames(({j.created_by for j in jobs} | {j.cancelled_by for j in jobs}) - {None})
    return render_template(
        "supervisor/printers/list.html", printers=listed, queues=printing.queue_lengths(),
        stations=printing.stations_by_printer(), flags={p.id: _flags(p) for p in listed},
        printer_names={p.id: p.name for p in listed}, jobs=jobs, names=names, form=PrinterForm(formdata=None),
        station_form=StationForm(formdata=None), received=read_spool(spool_folder(), limit=LABELS_SHOWN),
        Status=PrintJobStatus, cancellable=printing.CANCELLABLE)


@bp.post("/printers")
def printer_add():
    form = PrinterForm()
    return submit(form, lambda: printing.create_printer(
        form.name.data, transport=form.transport.data, host=form.host.data, port=form.port.data,
        cups_queue=form.cups_queue.data, dpi=int(form.dpi.data)), to=url_for("supervisor.printers"),
        done=lambda p: _("Printer %(name)s added.", name=p.name))


@bp.post("/printers/<int:printer_id>/stations")
def printer_station(printer_id: int):
    form = StationForm()
    return submit(form, lambda: printing.assign_station(form.station.data.strip(),
                                                        printing.get_printer(printer_id)),
                  to=url_for("supervisor.printers"), done=lambda link: _(
                      "%(station)s prints on %(printer)s now.", station=form.station.data.strip(),
                      printer=link.printer.name))


@bp.post("/printers/<int:printer_id>/status")
def printer_status(printer_id: int):
    """Ask the printer for ~HS now (3 s at most)."""
    def check():
        printer = printing.get_printer(printer_id)
        return printer, printing.check_status(printer)

    return submit(ActionForm(), check, to=url_for("supervisor.printers"), done=lambda r: (
        _("%(printer)s: ready.", printer=r[0].name) if r[1].get("ready") else
        _("%(printer)s: %(problems)s", printer=r[0].name,
          problems=", ".join(_flags(r[0])) or r[1].get("error") or _("status unknown"))))


@bp.post("/printers/<int:printer_id>/active")
def printer_active(printer_id: int):
    """Switch a printer off in Shipfloor (its jobs wait) or on again."""
    def toggle():
        printer = printing.get_printer(printer_id)
        return printing.update_printer(printer, active=not printer.active)

    return submit(ActionForm(), toggle, to=url_for("supervisor.printers"), done=lambda p: (
        _("%(printer)s is on.", printer=p.name) if p.active else _("%(printer)s is off: its jobs wait.",
                                                                  printer=p.name)))


@bp.post("/printers/jobs/<int:job_id>/reprint")
def print_job_reprint(job_id: int):
    return submit(ActionForm(), lambda: printing.reprint(printing.get_job(job_id), actor=web_actor()),
                  to=url_for("supervisor.printers", _anchor="jobs"),
                  done=lambda j: _("Print job %(id)d queued: a reprint of %(of)d.", id=j.id, of=job_id))


@bp.post("/printers/jobs/<int:job_id>/cancel")
def print_job_cancel(job_id: int):
    return submit(ActionForm(), lambda: printing.cancel(printing.get_job(job_id), actor=web_actor()),
                  to=url_for("supervisor.printers", _anchor="jobs"),
                  done=lambda j: _("Print job %(id)d cancelled.", id=j.id))


@bp.post("/printers/jobs/<int:job_id>/retry")
def print_job_retry(job_id: int):
    return submit(ActionForm(), lambda: printing.retry(printing.get_job(job_id), actor=web_actor()),
                  to=url_for("supervisor.printers", _anchor="jobs"),
                  done=lambda j: _("Print job %(id)d will be sent again.", id=j.id))


@bp.get("/printers/received/<name>/<int:index>.svg")
def received_label(name: str, index: int):
    """One label the virtual printer received, drawn as SVG (an <img> on the page: no inline markup)."""
    from labels.preview import svg

    path = spool_folder() / name
    if not SPOOL_FILE.match(name) or not path.is_file():
        abort(404)
    labels = split_labels(path.read_bytes())
    if not 1 <= index <= len(labels):
        abort(404)
    return Response(svg(labels[index - 1]), mimetype="image/svg+xml")
