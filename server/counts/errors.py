"""Refusals of the counts domain, each with a stable code the handheld switches on (docs/counts-api.md)."""

from ..errors import DomainError, InvalidInput, NotFound


class NoCountTask(NotFound):
    code, title = "no_count_task", "Nothing to count"


class CountTaskClosed(DomainError):
    code, title = "task_closed", "Task already done"


class RecountExcluded(DomainError):
    code, title = "recount_excluded", "Someone else recounts this bin"


class NothingCounted(DomainError):
    code, title = "nothing_counted", "Nothing counted yet"


class CountLotRequired(InvalidInput):
    code, title = "lot_required", "Which lot?"


class VarianceDecided(DomainError):
    code, title = "variance_decided", "Variance already decided"
