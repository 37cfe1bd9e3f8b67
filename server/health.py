"""GET /healthz: is the database answering? No auth; load balancers and the run command poll it."""

import sqlalchemy as sa
from apiflask import APIBlueprint

from .errors import ServiceBusy
from .extensions import db

bp = APIBlueprint("health", __name__, tag="Health")


@bp.get("/healthz")
@bp.doc(summary="Health check")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any database failure means "not healthy", never a 500
        db.session.rollback()
        raise ServiceBusy("The database does not answer.") from exc
    finally:
        db.session.rollback()  # end the read transaction; nothing to keep
    return {"status": "ok"}
