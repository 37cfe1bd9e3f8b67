"""Refusals of the inventory domain, each with a stable code the handheld switches on."""

from ..errors import DomainError, InvalidInput


class InsufficientStock(DomainError):
    code, title = "insufficient_stock", "Not enough stock"


class MixedItemsNotAllowed(DomainError):
    code, title = "mixed_items_not_allowed", "Bin takes one item only"


class LocationBlocked(DomainError):
    code, title = "location_blocked", "Location blocked"


class InvalidQuantity(InvalidInput):
    code, title = "invalid_quantity", "Invalid quantity"


class NotPhysical(InvalidInput):
    code, title = "not_physical", "Not a stock location"


class AlreadyReversed(DomainError):
    code, title = "already_reversed", "Already reversed"


class ContainerCycle(InvalidInput):
    code, title = "container_cycle", "Container cannot go inside itself"


class LotRequired(InvalidInput):
    code, title = "lot_required", "Which lot?"


class InvalidReason(InvalidInput):
    code, title = "invalid_reason", "Reason not allowed"
