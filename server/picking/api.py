"""The picking API: the handheld's pick flow and the supervisor's batch actions (docs/picking-api.md)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from ..api import APIBlueprint
from ..auth.guard import require_role
from ..auth.models import Role
from ..errors import NotFound, get_or_404
from ..extensions import db
from ..inventory.actors import actor_from_request
from ..inventory.models import Zone
from . import batching, queries, services
from .errors import NoBatch
from .models import PickBatch, PickTask
from .schemas import (
    BatchIn, BatchList, BatchOut, BatchQuery, CartIn, PickAnswer, PickIn, ShortAnswer, ShortIn, SkipIn, batch_out,
    pick_answer,
)

bp = APIBlueprint("picking", __name__, url_prefix="/api/picking", tag="Picking")

PICKERS = (Role.PICKER,)  # supervisors and admins too (auth.guard.allowed_roles)
PROBLEMS = {404: "No such task", 409: "Wrong location, item, lot or tote (with `expected`), too many, closed task"}


def _task(task_id: int) -> PickTask:
    return get_or_404(PickTask, task_id, _("There is no pick task %(id)d.", id=task_id), "task_id")


# --- the handheld ------------------------------------------------------------------------------------------

@bp.write("/cart", roles=PICKERS, body=CartIn, out=BatchOut,
          summary="Scan a cart: its totes are bound to your batch in progress or the most urgent released one")
def post_cart(body):
    return batch_out(services.start_batch_on_cart(body["cart"], actor=actor_from_request()))


@bp.get("/current")
@require_role(*PICKERS)
@bp.output(BatchOut)
@bp.doc(summary="Your batch in progress", responses={404: "You have no batch in progress"})
def get_current():
    batch = services.current_batch(actor_from_request())
    if batch is None:
        raise NoBatch(_("You have no batch in progress: scan a cart to start one."))
    return batch_out(batch)


@bp.get("/batches/<int:batch_id>")
@require_role(*PICKERS)
@bp.output(BatchOut)
@bp.doc(summary="A batch with its tasks in walking order, totes and progress", responses={404: "No such batch"})
def get_batch(batch_id: int):
    return batch_out(queries.get_batch(batch_id))


@bp.write("/tasks/<int:task_id>/pick", roles=PICKERS, body=PickIn, out=PickAnswer, answers=PROBLEMS,
          summary="Confirm a pick: scanned location, item (and lot), quantity and tote")
def post_pick(task_id: int, body):
    task = services.confirm_pick(_task(task_id), location_code=body["location"], item_code=body["item"],
                                 qty=body["qty"], tote_code=body["tote"], lot=body["lot"], expiry=body["expiry"],
                                 actor=actor_from_request())
    return pick_answer(task)


@bp.write("/tasks/<int:task_id>/short", roles=PICKERS, body=ShortIn, out=ShortAnswer, answers=PROBLEMS,
          summary="Report a short pick: what was found goes to the tote, the bin gets a count request, the rest "
                  "is re-allocated")
def post_short(task_id: int, body):
    result = services.short_pick(_task(task_id), found=body["found"], tote_code=body["tote"],
                                 actor=actor_from_request())
    return pick_answer(result["task"], new_tasks=result["new_tasks"], missing=result["missing"],
                       count_request=result["count_request"])


@bp.write("/tasks/<int:task_id>/skip", roles=PICKERS, body=SkipIn, out=PickAnswer, answers=PROBLEMS,
          summary="Skip a task: it moves to the end of the route")
def post_skip(task_id: int, body):
    return pick_answer(services.skip_task(_task(task_id), actor=actor_from_request()))


# --- the supervisor ----------------------------------------------------------------------------------------

@bp.get("/batches")
@require_role(Role.SUPERVISOR)
@bp.input(BatchQuery, location="query", arg_name="query")
@bp.output(BatchList)
@bp.doc(summary="Pick batches, newest first")
def list_batches(query):
    stmt = sa.select(PickBatch).order_by(PickBatch.id.desc()).limit(query["limit"])
    if query["status"]:
        stmt = stmt.where(PickBatch.status == query["status"])
    return {"batches": [batch_out(b, tasks=False) for b in db.session.scalars(stmt)]}


@bp.write("/batches", roles=Role.SUPERVISOR, body=BatchIn, out=BatchOut, status=201,
          answers={409: "No allocated order is waiting for a batch"},
          summary="Build a batch from the most urgent allocated orders (released at once when PICK_RELEASE=auto)")
def post_batch(body):
    zone_id = None
    if body["zone"]:
        zone = db.session.scalar(sa.select(Zone).where(sa.func.upper(Zone.code) == body["zone"].upper()))
        if zone is None:
            raise NotFound(_("There is no zone %(zone)s.", zone=body["zone"]), field="zone")
        zone_id = zone.id
    batch = batching.build_batch(size=body["size"], zone_id=zone_id, sort_later=body["sort_later"],
                                 actor=actor_from_request())
    return batch_out(batch)


@bp.write("/batches/<int:batch_id>/release", roles=Role.SUPERVISOR, out=BatchOut,
          summary="Release a draft batch to the floor")
def post_release(batch_id: int):
    return batch_out(services.release_batch(queries.get_batch(batch_id), actor=actor_from_request()))


@bp.write("/batches/<int:batch_id>/cancel", roles=Role.SUPERVISOR, out=BatchOut,
          summary="Cancel a batch: open tasks cancelled, orders back to allocated, picked units stay in the totes")
def post_cancel(batch_id: int):
    return batch_out(services.cancel_batch(queries.get_batch(batch_id), actor=actor_from_request()))
