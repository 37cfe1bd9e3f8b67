"""Refusals of the picking domain, each with a stable code the handheld switches on (docs/picking-api.md)."""

from ..errors import DomainError, InvalidInput, NotFound


class WrongLocation(DomainError):
    code, title = "wrong_location", "Wrong location"


class WrongItem(DomainError):
    code, title = "wrong_item", "Wrong item"


class WrongTote(DomainError):
    code, title = "wrong_tote", "Wrong tote"


class WrongLot(DomainError):
    code, title = "wrong_lot", "Wrong lot"


class PickLotRequired(InvalidInput):
    code, title = "lot_required", "Which lot?"


class TooMany(DomainError):
    code, title = "too_many", "More than the task asks"


class TaskClosed(DomainError):
    code, title = "task_closed", "Task already done"


class NotYourBatch(DomainError):
    code, title = "not_your_batch", "Not your batch"


class BatchStateError(DomainError):
    code, title = "batch_status", "Not possible in this batch status"


class NothingToBatch(DomainError):
    code, title = "nothing_to_batch", "No orders to batch"


class NothingToPick(NotFound):
    code, title = "nothing_to_pick", "Nothing to pick"


class NoBatch(NotFound):
    code, title = "no_batch", "No batch in progress"


class UnknownCart(NotFound):
    code, title = "unknown_cart", "Unknown cart"


class NotACart(InvalidInput):
    code, title = "not_a_cart", "Not a cart"


class CartTooSmall(DomainError):
    code, title = "cart_too_small", "Not enough totes"


class CartInUse(DomainError):
    code, title = "cart_in_use", "Cart in use"
