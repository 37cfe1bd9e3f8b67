"""The counts API: the handheld's blind counts and the supervisor's decisions (docs/counts-api.md)."""

from __future__ import annotations

from datetime import date

from flask import g
from flask_babel import gettext as _

from ..api import APIBlueprint
from ..auth.guard import require_role
from ..auth.models import Role
from ..catalog.services import get_item
from ..errors import NotFound, get_or_404
from ..extensions import db
from ..inventory.actors import actor_from_request
from ..inventory.locations import find_location
from . import services
from .errors import NoCountTask
from .models import CountTask, CountTaskReason, CountVariance
from .schemas import (
    ClassesOut, CountTaskOut, EmptyIn, EntryIn, FinishOut, ListIn, ListOut, TaskIn, VarianceOut, task_out,
    variance_out,
)

bp = APIBlueprint("counts", __name__, url_prefix="/api/counts", tag="Counts")

COUNTERS = (Role.PICKER,)  # supervisors and admins too (auth.guard.allowed_roles)
PROBLEMS = {404: "No such task or item", 409: "Task closed, a recount of your own count, nothing counted"}


def _task(task_id: int) -> CountTask:
    return get_or_404(CountTask, task_id, _("There is no count task %(id)d.", id=task_id), "task_id")


def _variance(variance_id: int) -> CountVariance:
    return get_or_404(CountVariance, variance_id, _("There is no count variance %(id)d.", id=variance_id),
                      "variance_id")


# --- the handheld (blind: no expected quantity in any answer) -------------------------------------------------

@bp.get("/next")
@require_role(*COUNTERS)
@bp.output(CountTaskOut)
@bp.doc(summary="Your next bin to count (never a recount of your own count)",
        responses={404: "Nothing to count for you"})
def get_next():
    task = services.next_task(actor_from_request())
    if task is None:
        raise NoCountTask(_("Nothing to count right now."))
    return task_out(task, g.current_user_id)


@bp.get("/tasks/<int:task_id>")
@require_role(*COUNTERS)
@bp.output(CountTaskOut)
@bp.doc(summary="A count task with your own entries", responses={404: "No such task"})
def get_task(task_id: int):
    return task_out(_task(task_id), g.current_user_id)


@bp.write("/tasks/<int:task_id>/entries", roles=COUNTERS, body=EntryIn, out=CountTaskOut, answers=PROBLEMS,
          summary="Record a counted item (scan each unit, or scan once and type the quantity)")
def post_entry(task_id: int, body):
    task = _task(task_id)
    services.record_count(task, item_code=body["item"], qty=body["qty"], lot=body["lot"], actor=actor_from_request())
    return task_out(task, g.current_user_id)


@bp.write("/tasks/<int:task_id>/empty", roles=COUNTERS, body=EmptyIn, out=CountTaskOut, answers=PROBLEMS,
          summary="Confirm the bin is empty")
def post_empty(task_id: int, body):
    return task_out(services.confirm_empty(_task(task_id), actor=actor_from_request()), g.current_user_id)


@bp.write("/tasks/<int:task_id>/finish", roles=COUNTERS, body=EmptyIn, out=FinishOut, answers=PROBLEMS,
          summary="Finish the count: posted, recount (by someone else) or approval — never the numbers")
def post_finish(task_id: int, body):
    actor = actor_from_request()
    result = services.finish_task(_task(task_id), actor=actor)
    following = services.next_task(actor)
    return {"task_id": result["task_id"], "status": result["status"],
            "next": task_out(following, g.current_user_id) if following else None}


# --- the supervisor ------------------------------------------------------------------------------------------

@bp.write("/tasks", roles=Role.SUPERVISOR, body=TaskIn, out=CountTaskOut, status=201,
          summary="Ask for a count of a bin (or one item in it)")
def post_task(body):
    location = find_location(body["location"])
    if location is None:
        raise NotFound(_("There is no location %(code)s.", code=body["location"]), field="location")
    item = get_item(body["item"]) if body["item"] else None
    task = services.create_task(location, item=item, reason=CountTaskReason.SUPERVISOR, actor=actor_from_request())
    return task_out(task, g.current_user_id)


@bp.write("/variances/<int:variance_id>/approve", roles=Role.SUPERVISOR, body=EmptyIn, out=VarianceOut,
          answers={404: "No such variance", 409: "Decided already"},
          summary="Approve a variance: its count adjustment posts through the ledger, exactly once")
def post_approve(variance_id: int, body):
    variance = _variance(variance_id)
    services.approve(variance, actor=actor_from_request())
    return variance_out(variance)


@bp.write("/variances/<int:variance_id>/reject", roles=Role.SUPERVISOR, body=EmptyIn, out=VarianceOut,
          answers={404: "No such variance", 409: "Decided already"},
          summary="Reject a variance: the bin goes back for a recount by someone else")
def post_reject(variance_id: int, body):
    variance = _variance(variance_id)
    services.reject(variance, actor=actor_from_request())
    return variance_out(variance)


@bp.write("/classify", roles=Role.SUPERVISOR, body=EmptyIn, out=ClassesOut,
          summary="Recompute the items' ABC classes from pick velocity × value")
def post_classify(body):
    return services.classify_items(actor=actor_from_request())


@bp.write("/lists", roles=Role.SUPERVISOR, body=ListIn, out=ListOut, status=201,
          summary="Build a day's count list sized to a target number of minutes")
def post_list(body):
    count_list = services.build_count_list(body["day"] or date.today(), target_minutes=body["target_minutes"],
                                           actor=actor_from_request())
    tasks = db.session.query(CountTask).filter(CountTask.count_list_id == count_list.id).count()
    return {"id": count_list.id, "day": count_list.day, "target_minutes": count_list.target_minutes, "tasks": tasks}
