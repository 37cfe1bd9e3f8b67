"""Picking: batches of orders and the walking route of a pick list (issue 8)."""
