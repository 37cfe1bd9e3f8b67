"""Refusals of the orders domain, each with a stable code."""

from ..errors import DomainError


class InvalidTransition(DomainError):
    code, title = "invalid_transition", "Not possible in this order status"


class DuplicateOrder(DomainError):
    code, title = "duplicate_order", "This order exists already"


class UnknownSku(DomainError):
    status, code, title = 422, "unknown_sku", "Unknown SKU"


class NoCancelRequest(DomainError):
    code, title = "no_cancel_request", "No cancel request to decide"
