"""The printing API: printers and their status, station assignment, print jobs (reprint, cancel, retry), and
labels printed by code on a station's printer, so a handheld prints with nothing installed on it."""

from __future__ import annotations

from ..api import APIBlueprint
from ..auth.guard import ANY_ROLE, require_role
from ..auth.models import Role
from ..inventory.actors import actor_from_request
from ..jobs.cli import WORKER_COMPANIONS
from . import label_requests, services
from .schemas import (
    Empty, JobQuery, LabelsIn, PrinterChange, PrinterIn, PrinterList, PrinterOut, PrintJobList, PrintJobOut,
    StationIn, job_out, printer_out,
)
from .worker import in_background

bp = APIBlueprint("printing", __name__, url_prefix="/api", tag="Printing")

STAFF = (Role.SUPERVISOR,)  # admins too
FLOOR = (Role.PACKER, Role.PICKER, Role.RECEIVER)  # and staff: whoever stands at a station
JOB_PROBLEMS = {404: "No such print job", 409: "Not possible in the job's state (printed, being sent, cancelled)"}


@bp.record_once
def _register_print_worker(state):
    # `flask jobs worker` runs the deployment's one print worker beside the job consumer.
    companions = state.app.extensions.setdefault(WORKER_COMPANIONS, [])
    if in_background not in companions:
        companions.append(in_background)


def _printer_answer(printer) -> dict:
    return printer_out(printer, queue=services.queue_lengths().get(printer.id, 0),
                       stations=services.stations_by_printer([printer.id]).get(printer.id, []))


@bp.get("/printers")
@require_role(*ANY_ROLE)
@bp.output(PrinterList)
@bp.doc(summary="Printers with their last ~HS status, queue length and stations")
def list_printers():
    queues, stations = services.queue_lengths(), services.stations_by_printer()
    return {"printers": [printer_out(p, queue=queues.get(p.id, 0), stations=stations.get(p.id, []))
                         for p in services.list_printers(include_inactive=True)]}


@bp.write("/printers", roles=STAFF, body=PrinterIn, out=PrinterOut, status=201,
          answers={409: "A printer of that name exists"}, summary="Add a printer (raw TCP or a CUPS raw queue)")
def post_printer(body):
    return _printer_answer(services.create_printer(**body))


@bp.write("/printers/<int:printer_id>", method="PATCH", roles=STAFF, body=PrinterChange, out=PrinterOut,
          answers={409: "A printer of that name exists"}, summary="Change a printer (or switch it off: active false)")
def patch_printer(printer_id: int, body):
    return _printer_answer(services.update_printer(services.get_printer(printer_id), **body))


@bp.write("/printers/<int:printer_id>/stations", roles=STAFF, body=StationIn, out=PrinterOut,
          summary="Assign a station to this printer (its labels print here from now on)")
def post_station(printer_id: int, body):
    printer = services.get_printer(printer_id)
    services.assign_station(body["station"], printer)
    return _printer_answer(printer)


@bp.action("/printers/<int:printer_id>/status", roles=ANY_ROLE, body=Empty, out=PrinterOut,
           summary="Ask the printer for its ~HS status now (paper out, head open, paused …)")
def post_status(printer_id: int, body):
    from ..http import run_in_transaction

    def check():
        printer = services.get_printer(printer_id)
        services.check_status(printer)
        return printer.id

    return _printer_answer(services.get_printer(run_in_transaction(check)))


@bp.get("/print-jobs")
@require_role(*STAFF)
@bp.input(JobQuery, location="query", arg_name="query")
@bp.output(PrintJobList)
@bp.doc(summary="Print jobs, newest first")
def list_jobs(query):
    return {"jobs": [job_out(j) for j in services.list_jobs(printer_id=query["printer"], status=query["status"],
                                                            limit=query["limit"])]}


@bp.get("/print-jobs/<int:job_id>")
@require_role(*ANY_ROLE)
@bp.output(PrintJobOut)
@bp.doc(summary="A print job: did it print?", responses={404: "No such print job"})
def get_job(job_id: int):
    return job_out(services.get_job(job_id))


@bp.write("/print-jobs/<int:job_id>/reprint", roles=FLOOR, body=Empty, out=PrintJobOut, status=201,
          answers=JOB_PROBLEMS, summary="Print the job's label(s) again (after a jam): a new job linked to it")
def post_reprint(job_id: int, body):
    return job_out(services.reprint(services.get_job(job_id), actor=actor_from_request()))


@bp.write("/print-jobs/<int:job_id>/cancel", roles=FLOOR, body=Empty, out=PrintJobOut, answers=JOB_PROBLEMS,
          summary="Cancel a job that has not printed (queued, waiting or failed)")
def post_cancel(job_id: int, body):
    return job_out(services.cancel(services.get_job(job_id), actor=actor_from_request()))


@bp.write("/print-jobs/<int:job_id>/retry", roles=FLOOR, body=Empty, out=PrintJobOut, answers=JOB_PROBLEMS,
          summary="Send a failed job again from its first try")
def post_retry(job_id: int, body):
    return job_out(services.retry(services.get_job(job_id), actor=actor_from_request()))


@bp.write("/print/labels", roles=ANY_ROLE, body=LabelsIn, out=PrintJobOut, status=201,
          answers={404: "Unknown code, station or printer", 409: "The station has no printer"},
          summary="Print bin, item, tote, cart or license-plate labels on a station's printer (or a named one)")
def post_labels(body):
    if body["station"]:
        printer = services.station_printer_or_refuse(body["station"])
    else:
        printer = services.find_printer(body["printer"])
    job = label_requests.print_labels(body["kind"], body["codes"] or [body["code"]], printer=printer,
                                      copies=body["copies"], actor=actor_from_request())
    return job_out(job)
