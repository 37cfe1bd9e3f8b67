"""Refusals of the orders domain, each with a stable code."""

from ..errors import DomainError


class InvalidTransition(DomainError):
    code, title = "invalid_transition", "Not possible in this order status"
