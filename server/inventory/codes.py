"""Enumerations of the inventory domain: location kinds, movement kinds and reason codes, with their labels."""

import enum

from flask_babel import lazy_gettext

from ..enums import LabelledStrEnum
# The most units one movement, receipt line or adjustment may carry; defined beside the shared schemas, where the
# catalogue's case packs read it too.
from ..schemas import MAX_QTY  # noqa: F401


class LocationKind(LabelledStrEnum):
    BIN = "bin", lazy_gettext("Bin")
    SHELF = "shelf", lazy_gettext("Shelf")
    PALLET_POSITION = "pallet_position", lazy_gettext("Pallet position")
    DOCK = "dock", lazy_gettext("Dock")
    STAGING = "staging", lazy_gettext("Staging")
    PACK_STATION = "pack_station", lazy_gettext("Pack station")
    # Containers: they stand somewhere (parent) and move with what they hold.
    CART = "cart", lazy_gettext("Cart")
    TOTE = "tote", lazy_gettext("Tote")
    PALLET = "pallet", lazy_gettext("Pallet")
    CARTON = "carton", lazy_gettext("Carton")
    # The outside world: movements but no balances (DESIGN decision 1).
    VIRTUAL = "virtual", lazy_gettext("Virtual")


CONTAINER_KINDS = frozenset({LocationKind.CART, LocationKind.TOTE, LocationKind.PALLET, LocationKind.CARTON})


class VirtualLocation(enum.StrEnum):
    SUPPLIER = "SUPPLIER"
    CUSTOMER = "CUSTOMER"
    ADJUSTMENT = "ADJUSTMENT"
    SCRAP = "SCRAP"


class MoveKind(LabelledStrEnum):
    RECEIVE = "receive", lazy_gettext("Receive")
    PUTAWAY = "putaway", lazy_gettext("Put away")
    MOVE = "move", lazy_gettext("Move")
    PICK = "pick", lazy_gettext("Pick")
    PACK = "pack", lazy_gettext("Pack")
    SHIP = "ship", lazy_gettext("Ship")
    ADJUST = "adjust", lazy_gettext("Adjust")
    COUNT = "count", lazy_gettext("Count")
    RETURN = "return", lazy_gettext("Return")
    SCRAP = "scrap", lazy_gettext("Scrap")


class ReasonCode(LabelledStrEnum):
    """Why a movement happened, beside its kind (DESIGN decision 2)."""

    OPENING_BALANCE = "opening_balance", lazy_gettext("Opening balance")
    DAMAGED = "damaged", lazy_gettext("Damaged")
    FOUND = "found", lazy_gettext("Found")
    LOST = "lost", lazy_gettext("Lost")
    COUNT_VARIANCE = "count_variance", lazy_gettext("Count variance")
    EXPIRED = "expired", lazy_gettext("Expired")
    RECEIVING_ERROR = "receiving_error", lazy_gettext("Receiving error")
    BIN_FULL = "bin_full", lazy_gettext("Bin full")
    BIN_BLOCKED = "bin_blocked", lazy_gettext("Bin blocked")
    CLOSER_TO_PICK = "closer_to_pick", lazy_gettext("Closer to pick face")
    CORRECTION = "correction", lazy_gettext("Correction")
    OTHER = "other", lazy_gettext("Other")


# Reasons allowed per use, in the order a form or the handheld offers them.
ADJUST_REASONS = (ReasonCode.DAMAGED, ReasonCode.LOST, ReasonCode.FOUND, ReasonCode.EXPIRED,
                  ReasonCode.RECEIVING_ERROR, ReasonCode.CORRECTION, ReasonCode.OPENING_BALANCE, ReasonCode.OTHER)
PUTAWAY_OVERRIDE_REASONS = (ReasonCode.BIN_FULL, ReasonCode.BIN_BLOCKED, ReasonCode.CLOSER_TO_PICK,
                            ReasonCode.OTHER)

# A reversal corrects a mistake: "correction" always, plus what names that kind's typical mistake.
_REVERSAL_EXTRA = {MoveKind.RECEIVE: (ReasonCode.RECEIVING_ERROR,), MoveKind.COUNT: (ReasonCode.COUNT_VARIANCE,)}
_REASONS_BY_KIND = {MoveKind.ADJUST: ADJUST_REASONS, MoveKind.PUTAWAY: PUTAWAY_OVERRIDE_REASONS,
                    MoveKind.COUNT: (ReasonCode.COUNT_VARIANCE,)}


def reasons_for(kind: MoveKind) -> tuple[ReasonCode, ...]:
    """The reason codes a movement of this kind may carry (none: it needs no reason), in offering order."""
    return _REASONS_BY_KIND.get(kind, ())


def reversal_reasons(kind: MoveKind) -> tuple[ReasonCode, ...]:
    """The reason codes a reversal of a movement of this kind may give, in offering order."""
    return (ReasonCode.CORRECTION, *_REVERSAL_EXTRA.get(kind, ()))

