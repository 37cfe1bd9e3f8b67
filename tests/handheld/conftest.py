"""Fixtures of the handheld browser tests: a small floor, no silent script errors."""

from __future__ import annotations

import pytest

from tests.factories import FloorPlan, place, sku
from tests.handheld.steps import CASE_GTIN14, GTIN13


@pytest.fixture(autouse=True)
def _no_script_errors(page):
    """Fail a test whose page threw an uncaught error: a broken module is a blank screen on the floor."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def floor_plan():
    """`floor` here: a dock with a tote, three empty bins in pick order, two items (one in cases of 12)."""
    return FloorPlan(
        locations=(place("DOCK-1", "dock"), *(place(f"A-01-0{n}", zone="A", seq=n) for n in (1, 2, 3)),
                   place("TOTE-9", "tote", parent="DOCK-1")),
        items=(sku("SKU-1001", "Blue mug", barcodes=[GTIN13]),
               sku("COLA-12", "Cola can", barcodes=[f"{CASE_GTIN14}*12"])))
