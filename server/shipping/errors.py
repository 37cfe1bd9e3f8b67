"""Refusals of the shipping domain, each with a stable code."""

from ..errors import DomainError, InvalidInput


class NotReadyToShip(DomainError):
    code, title = "not_ready_to_ship", "Not ready to ship"


class TrackingInUse(DomainError):
    code, title = "tracking_in_use", "Tracking number already used"


class UnknownService(InvalidInput):
    code, title = "unknown_service", "Unknown carrier service"


class CannotVoid(DomainError):
    code, title = "cannot_void", "The label cannot be voided"


class NotLoadable(DomainError):
    code, title = "not_loadable", "Not a labelled package"


class NothingToManifest(DomainError):
    code, title = "nothing_to_manifest", "Nothing to put on a manifest"
