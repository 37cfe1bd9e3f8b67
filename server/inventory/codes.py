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
