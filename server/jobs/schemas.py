"""What the API says about a job."""

from apiflask import Schema
from apiflask.fields import DateTime, Dict, Integer, String


class JobOut(Schema):
    id = Integer()
    kind = String()
    status = String(metadata={"description": "queued, running, done or failed"})
    done = Integer(metadata={"description": "Units done (rows, for an import)"})
    total = Integer(allow_none=True)
    percent = Integer()
    result = Dict(allow_none=True, metadata={"description": "When done: the kind's answer (an import's "
                                                            "ImportResult, as the inline import gives it)"})
    error = String(allow_none=True)
    created_at = DateTime()
    started_at = DateTime(allow_none=True)
    finished_at = DateTime(allow_none=True)
