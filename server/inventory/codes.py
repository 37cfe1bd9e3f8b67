"""Enumerations of the inventory domain: location kinds, movement kinds and reason codes."""

import enum


class LocationKind(enum.StrEnum):
    BIN = "bin"
    SHELF = "shelf"
    PALLET_POSITION = "pallet_position"
    DOCK = "dock"
    STAGING = "staging"
    PACK_STATION = "pack_station"
    # Containers: they stand somewhere (parent) and move with what they hold.
    CART = "cart"
    TOTE = "tote"
    PALLET = "pallet"
    CARTON = "carton"
    # The outside world: movements but no balances (DESIGN decision 1).
    VIRTUAL = "virtual"


CONTAINER_KINDS = frozenset({LocationKind.CART, LocationKind.TOTE, LocationKind.PALLET, LocationKind.CARTON})


class VirtualLocation(enum.StrEnum):
    SUPPLIER = "SUPPLIER"
    CUSTOMER = "CUSTOMER"
    ADJUSTMENT = "ADJUSTMENT"
    SCRAP = "SCRAP"


class MoveKind(enum.StrEnum):
    RECEIVE = "receive"
    PUTAWAY = "putaway"
    MOVE = "move"
    PICK = "pick"
    PACK = "pack"
    SHIP = "ship"
    ADJUST = "adjust"
    COUNT = "count"
    RETURN = "return"
    SCRAP = "scrap"


class ReasonCode(enum.StrEnum):
    """Why a movement happened, beside its kind (DESIGN decision 2)."""

    OPENING_BALANCE = "opening_balance"
    DAMAGED = "damaged"
    FOUND = "found"
    LOST = "lost"
    COUNT_VARIANCE = "count_variance"
    EXPIRED = "expired"
    RECEIVING_ERROR = "receiving_error"
    BIN_FULL = "bin_full"
    BIN_BLOCKED = "bin_blocked"
    CLOSER_TO_PICK = "closer_to_pick"
    CORRECTION = "correction"
    OTHER = "other"


ADJUST_REASONS = frozenset({ReasonCode.DAMAGED, ReasonCode.FOUND, ReasonCode.LOST, ReasonCode.EXPIRED,
                            ReasonCode.RECEIVING_ERROR, ReasonCode.CORRECTION, ReasonCode.OPENING_BALANCE,
                            ReasonCode.OTHER})
PUTAWAY_OVERRIDE_REASONS = frozenset({ReasonCode.BIN_FULL, ReasonCode.BIN_BLOCKED, ReasonCode.CLOSER_TO_PICK,
                                      ReasonCode.OTHER})
