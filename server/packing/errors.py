"""Refusals of the packing domain, each with a stable code the handheld and the pack station switch on
(docs/packing-api.md)."""

from ..errors import DomainError, Forbidden, InvalidInput, NotFound


class WrongItem(DomainError):
    code, title = "wrong_item", "Not in this order"


class NothingLeftOfItem(DomainError):
    code, title = "nothing_left_of_item", "All of this item is packed"


class TooMany(DomainError):
    code, title = "too_many", "More than is left to pack"


class WrongLot(DomainError):
    code, title = "wrong_lot", "Wrong lot"


class NotReadyToPack(DomainError):
    code, title = "not_picked", "Not picked yet"


class NothingToPack(NotFound):
    code, title = "nothing_to_pack", "Nothing to pack here"


class ScanItemFirst(DomainError):
    code, title = "scan_item_first", "Several orders in this tote"


class NotAPackStation(InvalidInput):
    code, title = "not_a_pack_station", "Not a pack station"


class PackageClosed(DomainError):
    code, title = "package_closed", "Package closed"


class EmptyPackage(DomainError):
    code, title = "empty_package", "Nothing in the package"


class UnknownBox(NotFound):
    code, title = "unknown_box", "Unknown box"


class NotAllPacked(DomainError):
    code, title = "not_all_packed", "Units left to pack"


class OverrideNotAllowed(Forbidden):
    code, title = "override_not_allowed", "A supervisor must approve"


class OrderNotPackable(DomainError):
    code, title = "order_status", "Not possible in this order status"
