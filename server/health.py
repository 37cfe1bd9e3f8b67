"""GET /healthz: can the database answer and store? No auth; load balancers and the run command poll it.

It stays as cheap as the plain SELECT 1 it was (bench/scan.py compares scans to it): one query that
also says whether the database is read-only, a stat of the SQLite file's folder, and the storage
fault this process last met (server/storage.py). It never writes.
"""

import sqlalchemy as sa
from apiflask import APIBlueprint

from . import storage
from .errors import ServiceBusy
from .extensions import db

bp = APIBlueprint("health", __name__, tag="Health")


@bp.get("/healthz")
@bp.doc(summary="Health check", responses={503: "The database does not answer or cannot store anything"})
def healthz():
    engine = db.engine
    sqlite_path = engine.url.database if engine.dialect.name == "sqlite" else None
    try:
        read_only = db.session.execute(sa.text(storage.READ_ONLY_QUERY[engine.dialect.name])).scalar()
    except Exception as exc:  # any database failure means "not healthy", never a 500
        fault = storage.sqlite_file_fault(sqlite_path)  # a read-only disk: SQLite cannot even open the file
        raise (storage.StorageFault(fault) if fault else ServiceBusy("The database does not answer.")) from exc
    finally:
        db.session.rollback()  # end the read transaction; nothing to keep
    fault = ((storage.READ_ONLY if read_only else None) or storage.recent_fault()
             or storage.sqlite_file_fault(sqlite_path))
    if fault:
        raise storage.StorageFault(fault)
    return {"status": "ok"}
