"""Error scans from the handheld (issue 12, 4): the screen of every /api/scan, and POST /api/scans/refusals for
the scans a screen refuses itself — a queued write, logged once however often it is sent."""

from __future__ import annotations

import sqlalchemy as sa

from tests.helpers import assert_problem

DEVICE = "HH-SCAN-0042"
REFUSAL = {"code": "A-01-03", "screen": "pick", "expected": "A-01-02", "reason": "wrong_location",
           "kind": "location"}


def scan_log() -> list[dict]:
    from server.extensions import db
    from server.scanning.models import ScanLog
    db.session.expire_all()
    return [{"user_id": r.user_id, "device_id": r.device_id, "code": r.code, "kind": r.kind, "outcome": r.outcome,
             "screen": r.screen, "expected": r.expected}
            for r in db.session.execute(sa.select(ScanLog).order_by(ScanLog.id)).scalars()]


def test_a_scan_logs_the_screen_it_was_made_on(api, users):
    picker = api("picker")
    r = picker.client.post("/api/scan", json={"code": "NO-SUCH-THING", "screen": "pick"},
                           headers=picker.headers({"X-Device-Id": DEVICE}))
    refused = assert_problem(r, 404)
    assert picker.scan("NO-SUCH-THING").status_code == 404  # the contract's body: {"code"} alone
    assert scan_log() == [
        {"user_id": users["picker"].id, "device_id": DEVICE, "code": "NO-SUCH-THING", "kind": None,
         "outcome": refused["code"], "screen": "pick", "expected": None},
        {"user_id": users["picker"].id, "device_id": None, "code": "NO-SUCH-THING", "kind": None,
         "outcome": refused["code"], "screen": None, "expected": None}]


def test_a_scan_from_an_unknown_screen_name_is_refused(api):
    r = api("picker").client.post("/api/scan", json={"code": "X", "screen": "Pick Screen!"},
                                  headers=api("picker").headers())
    assert_problem(r, 422)
    assert scan_log() == []


def test_a_screen_s_refusal_is_logged_as_an_error_scan_once_however_often_it_is_sent(api, users):
    picker = api("picker")
    headers = {"X-Device-Id": DEVICE, "X-Scanned-At": "2026-06-15T10:00:00-04:00"}
    first = picker.post("/api/scans/refusals", REFUSAL, key="replayed-key-1", headers=headers)
    again = picker.post("/api/scans/refusals", REFUSAL, key="replayed-key-1", headers=headers)  # the resend
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert {k: first.json[k] for k in ("code", "screen", "expected", "outcome")} == {
        "code": "A-01-03", "screen": "pick", "expected": "A-01-02", "outcome": "wrong_location"}
    assert scan_log() == [{"user_id": users["picker"].id, "device_id": DEVICE, "code": "A-01-03",
                           "kind": "location", "outcome": "wrong_location", "screen": "pick",
                           "expected": "A-01-02"}]


def test_a_refusal_judged_offline_has_no_kind_and_a_default_reason(api):
    body = {k: v for k, v in REFUSAL.items() if k not in ("kind", "reason")}
    assert api("picker").post("/api/scans/refusals", body).status_code == 201
    (row,) = scan_log()
    assert (row["kind"], row["outcome"]) == (None, "wrong_scan")


def test_malformed_refusals_are_refused_and_log_nothing(api):
    picker = api("picker")
    bad = {
        "no expected": {k: v for k, v in REFUSAL.items() if k != "expected"},
        "no screen": {k: v for k, v in REFUSAL.items() if k != "screen"},
        "empty code": {**REFUSAL, "code": ""}, "code too long": {**REFUSAL, "code": "1" * 513},
        "expected too long": {**REFUSAL, "expected": "x" * 129}, "expected control": {**REFUSAL, "expected": "a\nb"},
        "reason ok": {**REFUSAL, "reason": "ok"}, "reason words": {**REFUSAL, "reason": "Wrong bin!"},
        "screen words": {**REFUSAL, "screen": "The pick screen"}, "kind unknown": {**REFUSAL, "kind": "banana"},
    }
    answers = {name: picker.post("/api/scans/refusals", body).status_code for name, body in bad.items()}
    assert answers == dict.fromkeys(bad, 422)
    assert scan_log() == []
