"""Labels in bulk: location, item, tote and cart labels chosen by zone, search or code range, previewed, and
printed on a chosen printer (rendered and queued by printing.label_requests, as a handheld's are).

Up to INLINE_LABELS labels go out as one print job from the request; more become a background job
(server/jobs) that queues a print job of CHUNK_LABELS labels per transaction with its progress, and the page
shows the progress bar of the import pages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from labels.preview import svg as zpl_svg

from ..catalog import queries as catalog_queries
from ..errors import InvalidInput
from ..extensions import db
from ..http import run_in_transaction
from ..inventory import queries as inventory_queries
from ..inventory.codes import LocationKind
from ..jobs import queue
from ..jobs import services as jobs
from ..jobs.models import JobStatus
from ..printing import label_requests
from ..printing import services as printing
from .access import current_supervisor
from .pages import bp, submit

JOB_KIND = "print_labels"
# Labels queued in the request (one print job); more go to a background job with a progress bar.
INLINE_LABELS = 200
# Labels per print job (and per transaction) of the background job: a jam costs at most one chunk's reprint.
CHUNK_LABELS = 200
# One bulk print at the most: a whole warehouse's bins, not a typo that prints for an hour.
MAX_LABELS = 20_000
PREVIEWS = 6
# Fixed places (not containers) get the bin label: big code, Code 128, zone.
PLACE_KINDS = (LocationKind.BIN, LocationKind.SHELF, LocationKind.PALLET_POSITION, LocationKind.DOCK,
               LocationKind.STAGING, LocationKind.PACK_STATION)
KINDS = {"location": lazy_gettext("Locations"), "item": lazy_gettext("Items"), "tote": lazy_gettext("Totes"),
         "cart": lazy_gettext("Carts")}


@dataclass(frozen=True)
class Selection:
    """Which labels: a kind, and the filters that pick its rows (zone for locations only)."""

    kind: str = "location"
    zone: str = ""
    q: str = ""
    first: str = ""
    last: str = ""

    @classmethod
    def from_args(cls, args) -> Selection:
        kind = args.get("kind", "location")
        values = {name: args.get(name, "").strip()[:64] for name in ("zone", "q", "first", "last")}
        return cls(kind=kind if kind in KINDS else "location", **values)

    @property
    def args(self) -> dict[str, str]:
        """The selection as query-string arguments (the empty ones left out)."""
        return {k: v for k, v in asdict(self).items() if v}

    def statement(self):
        """The selected rows (id, code: a location's code or an item's SKU), in walking order for places, by
        SKU for items."""
        if self.kind == "item":
            return catalog_queries.label_items(q=self.q or None, first=self.first or None, last=self.last or None)
        kinds = PLACE_KINDS if self.kind == "location" else (LocationKind(self.kind),)
        return inventory_queries.label_locations(kinds, zone=self.zone if self.kind == "location" else None,
                                                 q=self.q or None, first=self.first or None,
                                                 last=self.last or None)

    def count(self) -> int:
        counted = self.statement().order_by(None).subquery()
        return db.session.scalar(db.select(db.func.count()).select_from(counted)) or 0

    def rows(self, *, limit: int | None = None, ids: list[int] | None = None) -> list:
        stmt = self.statement()
        if ids is not None:
            stmt = stmt.where(stmt.selected_columns[0].in_(ids))
        return db.session.execute(stmt.limit(limit)).all()

    @property
    def label_kind(self) -> str:
        """The label template (printing.label_requests): a fixed place gets the bin label."""
        return "bin" if self.kind == "location" else self.kind

    def zpl(self, code: str, *, dpi: int) -> bytes:
        return label_requests.render_label(self.label_kind, code, dpi=dpi)[0]


def queue_labels(selection: Selection, rows, *, printer, copies: int, actor) -> int:
    """The rows' labels as one print job on the printer (in the caller's transaction); how many labels."""
    if rows:
        label_requests.print_labels(selection.label_kind, [row.code for row in rows], printer=printer,
                                    copies=copies, actor=actor)
    return len(rows)


def print_selection(selection: Selection, *, printer_id: int, copies: int, user_id: int):
    """Queue the selection's labels now (→ how many), or a background job for many (→ the Job, flushed)."""
    printer = printing.get_printer(printer_id)
    ids = [row[0] for row in db.session.execute(selection.statement())]
    if not ids:
        raise InvalidInput(_("Nothing is selected: change the filters."), field="kind")
    if len(ids) > MAX_LABELS:
        raise InvalidInput(_("%(n)d labels are selected; print at most %(max)d at once.", n=len(ids),
                             max=MAX_LABELS), field="kind")
    if len(ids) <= INLINE_LABELS:
        return queue_labels(selection, selection.rows(ids=ids), printer=printer, copies=copies, actor=user_id)
    return jobs.submit(JOB_KIND, params={"selection": asdict(selection), "ids": ids, "printer_id": printer.id,
                                         "copies": copies, "user_id": user_id},
                       total=len(ids), created_by=user_id)


def run_print_job(job_id: int) -> None:
    """The background job: CHUNK_LABELS labels per transaction, with the job's progress in the same one (a
    job resumed after a restart goes on after the chunks it committed)."""
    job = jobs.get_job(job_id)
    params, done, queued = dict(job.params), job.done, (job.result or {}).get("queued", 0)
    selection, ids = Selection(**params["selection"]), params["ids"]
    db.session.rollback()
    while done < len(ids):
        chunk = ids[done:done + CHUNK_LABELS]

        def queue_chunk(chunk=chunk, start=done, before=queued) -> tuple[int, int]:
            printer = printing.get_printer(params["printer_id"])
            place = {row_id: n for n, row_id in enumerate(chunk)}
            rows = sorted(selection.rows(ids=chunk), key=lambda row: place[row[0]])  # the order shown
            total = before + queue_labels(selection, rows, printer=printer, copies=params["copies"],
                                          actor=params["user_id"])
            end = start + len(chunk)
            jobs.record_progress(job_id, end, {"queued": total})
            if end >= len(ids):
                jobs.finish(job_id)
            return end, total

        done, queued = run_in_transaction(queue_chunk)


jobs.register_kind(JOB_KIND, run_print_job)


# --- Pages ---------------------------------------------------------------------------------------------------

class PrintLabelsForm(FlaskForm):
    kind = HiddenField()
    zone = HiddenField()
    q = HiddenField()
    first = HiddenField()
    last = HiddenField()
    printer = SelectField(lazy_gettext("Printer"), coerce=int)
    copies = IntegerField(lazy_gettext("Copies of each"), [InputRequired(lazy_gettext("Enter how many copies.")),
                                                          NumberRange(min=1, max=100)], default=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.printer.choices = [(p.id, f"{p.name} ({p.dpi} dpi)") for p in printing.list_printers()]


def _page(selection: Selection, form: PrintLabelsForm, job=None):
    count = selection.count()
    return render_template("supervisor/labels/page.html", selection=selection, kinds=KINDS, form=form,
                           zones=inventory_queries.zone_codes(), count=count,
                           previews=selection.rows(limit=PREVIEWS), job=job, inline=INLINE_LABELS)


@bp.get("/labels")
def labels():
    """Choose labels (kind, zone, search, code range), see how many and the first few, print them."""
    selection = Selection.from_args(request.args)
    job = None
    if request.args.get("job"):
        job = jobs.get_job(request.args.get("job", type=int) or 0)
        if job is None or job.kind != JOB_KIND:
            abort(404)
    form = PrintLabelsForm(formdata=None, data=selection.args)
    return _page(selection, form, job)


@bp.post("/labels/print")
def labels_print():
    """Print the chosen labels: queued now, or a background job with a progress bar when there are many."""
    form = PrintLabelsForm()
    selection = Selection.from_args(request.form)
    user_id = current_supervisor().id

    def start():
        return print_selection(selection, printer_id=form.printer.data, copies=form.copies.data, user_id=user_id)

    def to(outcome):
        if isinstance(outcome, int):
            return url_for("supervisor.labels", **selection.args)
        queue.enqueue_after_request(outcome.id)  # committed now; the consumer takes it after the answer
        return url_for("supervisor.labels", job=outcome.id, **selection.args)

    def done(outcome):
        if isinstance(outcome, int):
            return ngettext("%(num)d label sent to the printer.", "%(num)d labels sent to the printer.", outcome)
        return ngettext("%(num)d label is being queued in the background.",
                        "%(num)d labels are being queued in the background.", outcome.total)

    return submit(form, start, done=done, to=to, back=url_for("supervisor.labels", **selection.args))


@bp.get("/labels/preview.svg")
def label_preview():
    """One selected label drawn as the printer would print it (?kind=&id=; dpi 203 or 300)."""
    selection = Selection.from_args(request.args)
    dpi = 300 if request.args.get("dpi", type=int) == 300 else 203
    found = selection.rows(ids=[request.args.get("id", type=int) or 0])
    if not found:
        abort(404)
    return svg_response(selection.zpl(found[0].code, dpi=dpi))


def svg_response(zpl: bytes) -> Response:
    """A label's ZPL drawn as SVG, for an <img> (the pages' policy allows images from this site only)."""
    response = Response(zpl_svg(zpl), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response
