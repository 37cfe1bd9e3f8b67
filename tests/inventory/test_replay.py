"""Idempotency-Key (CONTRACT.md): a write sent twice, or ten times, happens once.

500 writes of every kind that moves stock (moves, adjustments, receipts' receive calls, put-aways),
each with its own key, are sent once and the state is recorded; then all of them are sent again, and
again in a shuffled order with duplicates. The state must not change by a single row, and every
replay must answer exactly what the first send answered.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import date, timedelta

import httpx
import pytest
import sqlalchemy as sa

from server.http import run_in_transaction
from tests.helpers import ApiClient, assert_problem, make_token

WRITES = 500
BINS = [f"B-{n:02d}" for n in range(1, 9)]
DOCK = "DOCK-1"
PLAIN_ITEMS = {"RP-1": "4006381333931", "RP-2": None, "RP-3": None}
LOT_ITEM, LOT_GTIN = "RP-LOT", "09501101530003"
GS = "\x1d"


@pytest.fixture
def replay_floor(app, users):
    from server.catalog.services import create_item
    from server.inventory.ledger import Actor
    from server.inventory.locations import create_location, get_or_create_zone
    from server.inventory.moves import adjust_stock
    from server.receiving.services import create_receipt, start_blind_receipt

    def build():
        zone = get_or_create_zone("Z")
        for seq, code in enumerate(BINS):
            create_location(code, zone=zone, pick_sequence=seq)
        create_location(DOCK, kind="dock")
        for sku, gtin in PLAIN_ITEMS.items():
            create_item(sku, f"Item {sku}", barcodes=[gtin] if gtin else [])
            for loc in BINS[:3]:
                adjust_stock(item_code=sku, location_code=loc, delta=6, reason="opening_balance",
                             actor=Actor(user_id=None))
        create_item(LOT_ITEM, "Lot item", barcodes=[LOT_GTIN], tracks_lot=True)
        receipts = [create_receipt("PO-1", lines=[("RP-1", 40), ("RP-2", 40)]).id,
                    create_receipt("PO-2", lines=[("RP-3", 30), (LOT_ITEM, 30)]).id,
                    start_blind_receipt().id]
        return receipts

    receipts = run_in_transaction(build)
    tokens = {role: make_token(users[role]) for role in ("picker", "receiver", "supervisor")}
    return {"receipts": receipts, "tokens": tokens}


def _gs1_lot_scan(lot: str, expiry: date) -> str:
    return "]C1" + "01" + LOT_GTIN + "10" + lot + GS + "17" + expiry.strftime("%y%m%d")


def _writes(rng: random.Random, receipts: list[int]) -> list[tuple[str, str, dict, str]]:
    """(role, path, body, key) for a realistic mix of writes; some are refused, and that is stored too."""
    out = []
    items = list(PLAIN_ITEMS)
    for n in range(WRITES):
        r = rng.random()
        if r < 0.33:
            src, dst = rng.sample(BINS + [DOCK], 2)
            item = rng.choice(items + [LOT_ITEM])
            role, path, body = "picker", "/api/moves", {"item": item, "qty": rng.randint(1, 4), "from": src, "to": dst}
        elif r < 0.52:
            qty = rng.choice([-3, -2, -1, 1, 2, 3])
            reason = rng.choice(["found", "damaged"]) if qty > 0 else rng.choice(["lost", "damaged"])
            role, path, body = "supervisor", "/api/adjustments", {"item": rng.choice(items), "location": rng.choice(BINS),
                                                                  "qty": qty, "reason": reason}
        elif r < 0.77:
            receipt = rng.choice(receipts)
            if rng.random() < 0.3:
                lot = rng.choice(["L1", "L2", "L3"])
                code = _gs1_lot_scan(lot, date(2027, 1, 31) + timedelta(days=30 * int(lot[1])))
            else:
                sku = rng.choice(items)
                code = PLAIN_ITEMS[sku] if PLAIN_ITEMS[sku] and rng.random() < 0.5 else sku
            role, path, body = "receiver", f"/api/receipts/{receipt}/receive", {"code": code, "qty": rng.randint(1, 3),
                                                                                 "location": DOCK}
        elif r < 0.98:
            body = {"item": rng.choice(items + [LOT_ITEM]), "qty": rng.randint(1, 3), "from": DOCK,
                    "to": rng.choice(BINS)}
            if rng.random() < 0.7:
                body["reason"] = "other"
            role, path = "receiver", "/api/putaways"
        else:  # invalid input: the 422 is an answer, stored and replayed like any other
            role, path, body = "picker", "/api/moves", {"item": "RP-1", "qty": 0, "from": BINS[0], "to": BINS[1]}
        out.append((role, path, body, f"w-{n}-{uuid.uuid4().hex[:8]}"))
    return out


def _state() -> dict:
    """Everything a write could change: balances, movements, receipt lines, containers, keys."""
    from server.catalog.models import Item
    from server.extensions import db
    from server.idempotency import IdempotencyRecord
    from server.inventory.ledger_models import StockBalance, StockMove
    from server.inventory.models import Location
    from server.receiving.models import Receipt, ReceiptLine

    db.session.rollback()
    balances = sorted(db.session.execute(
        sa.select(Item.sku, Location.code, StockBalance.lot, StockBalance.expiry, StockBalance.qty,
                  StockBalance.reserved)
        .join(Item, StockBalance.item_id == Item.id).join(Location, StockBalance.location_id == Location.id)).all())
    lines = sorted(db.session.execute(
        sa.select(Receipt.reference, Receipt.status, Item.sku, ReceiptLine.expected_qty, ReceiptLine.received_qty)
        .join(ReceiptLine, ReceiptLine.receipt_id == Receipt.id).join(Item, ReceiptLine.item_id == Item.id)).all())
    state = {
        "balances": [tuple(b) for b in balances],
        "moves": db.session.scalar(sa.select(sa.func.count()).select_from(StockMove)),
        "last_move": db.session.scalar(sa.select(sa.func.max(StockMove.id))),
        "receipt_lines": [tuple(ln) for ln in lines],
        "locations": db.session.scalar(sa.select(sa.func.count()).select_from(Location)),
        "keys": db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)),
    }
    db.session.rollback()
    return state


def test_every_write_replayed_twice_and_shuffled_changes_nothing(app, client, replay_floor):
    from server.inventory.queries import verify_ledger

    clients = {role: ApiClient(client, tok) for role, tok in replay_floor["tokens"].items()}
    rng = random.Random(20261122)
    writes = _writes(rng, replay_floor["receipts"])
    before = _state()

    first = {}
    for role, path, body, key in writes:
        r = clients[role].post(path, body, key=key)
        assert r.status_code < 500, (path, body, r.get_data(as_text=True))
        assert "Idempotent-Replayed" not in r.headers
        first[key] = (r.status_code, r.content_type, r.get_data())
    once = _state()
    statuses = {}
    for status, *_ in first.values():
        statuses[status] = statuses.get(status, 0) + 1
    # The mix really wrote, and really included refusals (stored answers too).
    assert statuses.get(201, 0) > WRITES // 3, statuses
    assert statuses.get(409, 0) > 0 and statuses.get(422, 0) > 0, statuses
    assert once["moves"] - before["moves"] >= statuses[201]
    assert once["keys"] - before["keys"] == WRITES
    assert any(b[2] for b in once["balances"]), "no lot ever reached a balance"
    assert verify_ledger() == []

    def replay(batch):
        for role, path, body, key in batch:
            r = clients[role].post(path, body, key=key)
            status, ctype, raw = first[key]
            assert (r.status_code, r.content_type, r.get_data()) == (status, ctype, raw), (path, body)
            assert r.headers.get("Idempotent-Replayed") == "true"

    replay(writes)
    assert _state() == once

    shuffled = writes + rng.sample(writes, WRITES // 2)
    rng.shuffle(shuffled)
    replay(shuffled)
    assert _state() == once
    assert verify_ledger() == []


def test_same_key_with_another_body_is_refused_and_changes_nothing(app, client, replay_floor):
    picker = ApiClient(client, replay_floor["tokens"]["picker"])
    body = {"item": "RP-1", "qty": 2, "from": BINS[0], "to": BINS[4]}
    first = picker.post("/api/moves", body, key="scan-77")
    assert first.status_code == 201
    after_first = _state()
    for other in ({**body, "qty": 1}, {**body, "to": BINS[5]}):
        r = picker.post("/api/moves", other, key="scan-77")
        assert_problem(r, 422, "idempotency_key_reused", field="Idempotency-Key")
    other_path = picker.post("/api/adjustments", {"item": "RP-1", "location": BINS[0], "qty": 1, "reason": "found"},
                             key="scan-77")
    assert other_path.status_code == 403  # the role check comes first, as on every route
    supervisor = ApiClient(client, replay_floor["tokens"]["supervisor"])
    again = picker.post("/api/moves", {"to": BINS[4], "from": BINS[0], "qty": 2, "item": "RP-1"}, key="scan-77")
    assert (again.status_code, again.get_data()) == (201, first.get_data())  # same JSON, other key order
    assert _state() == after_first

    # Keys belong to the user who sent them: the supervisor's "scan-77" is a new request.
    mine = supervisor.post("/api/moves", body, key="scan-77")
    assert mine.status_code == 201 and mine.json["id"] != first.json["id"]
    assert _state()["moves"] == after_first["moves"] + 1


def test_an_invalid_key_is_a_422(app, client, replay_floor):
    picker = ApiClient(client, replay_floor["tokens"]["picker"])
    body = {"item": "RP-1", "qty": 1, "from": BINS[0], "to": BINS[1]}
    assert_problem(picker.post("/api/moves", body, key="k" * 65), 422, field="Idempotency-Key")
    assert picker.post("/api/moves", body, key="k" * 64).status_code == 201


def test_a_stored_refusal_is_replayed_even_after_stock_arrived(app, client, replay_floor):
    picker = ApiClient(client, replay_floor["tokens"]["picker"])
    supervisor = ApiClient(client, replay_floor["tokens"]["supervisor"])
    body = {"item": "RP-2", "qty": 10, "from": BINS[0], "to": BINS[1]}
    refused = picker.post("/api/moves", body, key="too-many")
    assert_problem(refused, 409, "insufficient_stock", field="qty")
    assert supervisor.post("/api/adjustments", {"item": "RP-2", "location": BINS[0], "qty": 10,
                                                "reason": "found"}).status_code == 201
    state = _state()
    again = picker.post("/api/moves", body, key="too-many")
    assert (again.status_code, again.get_data()) == (409, refused.get_data())
    assert _state() == state
    fresh = picker.post("/api/moves", body, key="too-many-2")
    assert fresh.status_code == 201


ROUNDS = 12


def test_two_requests_with_one_key_at_once_make_one_movement(app, replay_floor, live_server):
    """Two threads send the same key at the same moment: one movement; the other answer is the same
    answer (replayed) or 409 request_in_progress."""
    from server.extensions import db
    from server.inventory.ledger_models import StockMove

    from server.inventory.ledger import Actor
    from server.inventory.moves import adjust_stock

    run_in_transaction(lambda: adjust_stock(item_code="RP-1", location_code=BINS[0], delta=ROUNDS, reason="found",
                                            actor=Actor(user_id=None)))
    token = replay_floor["tokens"]["picker"]
    body = {"item": "RP-1", "qty": 1, "from": BINS[0], "to": BINS[1]}
    outcomes = []
    overlapped = 0
    with httpx.Client(base_url=live_server, timeout=60, headers={"Authorization": f"Bearer {token}"}) as one, \
            httpx.Client(base_url=live_server, timeout=60, headers={"Authorization": f"Bearer {token}"}) as two:
        for n in range(ROUNDS):
            db.session.rollback()
            count = db.session.scalar(sa.select(sa.func.count()).select_from(StockMove))
            db.session.rollback()
            key = f"same-{n}-{uuid.uuid4().hex[:6]}"
            barrier = threading.Barrier(2)
            answers: list = [None, None]

            spans: list = [None, None]

            def send(i, c):
                barrier.wait(10)
                began = time.monotonic()
                answers[i] = c.post("/api/moves", json=body, headers={"Idempotency-Key": key})
                spans[i] = (began, time.monotonic())

            threads = [threading.Thread(target=send, args=(i, c)) for i, c in enumerate((one, two))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert all(a is not None for a in answers)
            overlapped += spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1]
            db.session.rollback()
            assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMove)) == count + 1, n
            made = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers]
            assert len(made) == 1, [(a.status_code, a.headers.get("Idempotent-Replayed"), a.text) for a in answers]
            other = next(a for a in answers if a is not made[0])
            if other.status_code == 201:
                assert other.headers.get("Idempotent-Replayed") == "true"
                assert other.content == made[0].content
                outcomes.append("replayed")
            else:
                assert other.status_code == 409, other.text
                assert other.headers["content-type"].startswith("application/problem+json")
                assert other.json()["code"] == "request_in_progress"
                outcomes.append("in_progress")
                # Asked again later, the same key gets the first answer.
                later = one.post("/api/moves", json=body, headers={"Idempotency-Key": key})
                assert later.status_code == 201 and later.content == made[0].content
    db.session.rollback()
    stock = {(b["location"]): b["qty"] for b in ApiClient(app.test_client(), token).get(
        "/api/stock?item=RP-1").json["locations"]}
    assert stock[BINS[0]] == 6 and stock[BINS[1]] == 6 + ROUNDS, (stock, outcomes)
    assert overlapped > 0, "the two requests never ran at the same time"
