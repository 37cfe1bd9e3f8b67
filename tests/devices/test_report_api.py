"""POST /api/devices/report: a handheld's latest status, one row per device (issue 12, 4)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.helpers import assert_problem

DEVICE = "HH-REPORT-0001"


def badge_sign_in(client, user, device: str) -> dict:
    """Sign in as a handheld does: badge and PIN, bound to the device → the headers its requests carry."""
    r = client.post("/api/auth/badge-login", json={"badge": user.badge_code, "pin": "1234", "device_id": device})
    assert r.status_code == 200, r.get_data(as_text=True)
    return {"Authorization": f"Bearer {r.json['token']}", "X-Device-Id": device}


def reports() -> dict[str, dict]:
    from server.devices.models import DeviceReport
    from server.extensions import db
    db.session.expire_all()
    rows = db.session.execute(sa.select(DeviceReport)).scalars()
    return {r.device_id: {"user_id": r.user_id, "screen": r.screen, "batch": r.batch_id, "queued": r.queued,
                          "refused": r.refused, "oldest": r.oldest_queued_at, "version": r.app_version,
                          "at": r.reported_at} for r in rows}


def test_each_device_keeps_its_latest_report(client, users):
    ana, ben = users["picker"], users["packer"]
    on_a, on_b = badge_sign_in(client, ana, DEVICE), badge_sign_in(client, ben, "HH-REPORT-0002")
    first = {"screen": "pick", "batch": 5, "queued": 2, "refused": 1, "oldest_queued_at": "2026-06-15T10:00:00-04:00",
             "app_version": "3f9c1a2b7d4e"}
    assert client.post("/api/devices/report", json=first, headers=on_a).status_code == 204
    before = reports()[DEVICE]["at"]
    r = client.post("/api/devices/report", json={"screen": "index", "queued": 0, "refused": 0}, headers=on_a)
    assert (r.status_code, r.get_data()) == (204, b"")
    assert client.post("/api/devices/report", json={"screen": "pack", "queued": 3, "refused": 0},
                       headers=on_b).status_code == 204
    rows = reports()
    assert set(rows) == {DEVICE, "HH-REPORT-0002"}
    assert {k: v for k, v in rows[DEVICE].items() if k != "at"} == {
        "user_id": ana.id, "screen": "index", "batch": None, "queued": 0, "refused": 0, "oldest": None,
        "version": None}
    assert rows[DEVICE]["at"] >= before
    assert (rows["HH-REPORT-0002"]["user_id"], rows["HH-REPORT-0002"]["queued"]) == (ben.id, 3)


def test_the_oldest_waiting_write_is_kept_in_utc(client, users):
    on_a = badge_sign_in(client, users["picker"], DEVICE)
    body = {"screen": "pick", "queued": 1, "refused": 0, "oldest_queued_at": "2026-06-15T10:00:00-04:00"}
    assert client.post("/api/devices/report", json=body, headers=on_a).status_code == 204
    assert reports()[DEVICE]["oldest"].isoformat() == "2026-06-15T14:00:00+00:00"


def test_malformed_reports_are_refused_and_change_nothing(api):
    picker = api("picker")
    good = {"screen": "pick", "batch": 1, "queued": 0, "refused": 0}
    bad = {
        "queued": {**good, "queued": -1}, "refused": {**good, "refused": -3},
        "too many": {**good, "queued": 2**31}, "not a number": {**good, "queued": "lots"},
        "no count": {"screen": "pick", "refused": 0},
        "screen words": {**good, "screen": "Pick screen"}, "screen long": {**good, "screen": "p" * 25},
        "screen markup": {**good, "screen": "<b>pick</b>"},
        "batch zero": {**good, "batch": 0}, "naive time": {**good, "oldest_queued_at": "2026-06-15T10:00:00"},
        "not a time": {**good, "oldest_queued_at": "yesterday"},
        "version long": {**good, "app_version": "v" * 33}, "version control": {**good, "app_version": "1\n2"},
        "unknown field": {**good, "battery": 80},
    }
    answers = {name: picker.post("/api/devices/report", body, headers={"X-Device-Id": DEVICE}).status_code
               for name, body in bad.items()}
    assert answers == dict.fromkeys(bad, 422)
    assert reports() == {}
    assert picker.post("/api/devices/report", good, headers={"X-Device-Id": DEVICE}).status_code == 204


def test_a_report_names_its_device(api):
    r = api("picker").post("/api/devices/report", {"queued": 0, "refused": 0})
    assert_problem(r, 422, field="X-Device-Id")
    assert reports() == {}


def test_a_report_needs_a_sign_in(client, backend):
    r = client.post("/api/devices/report", json={"queued": 0, "refused": 0}, headers={"X-Device-Id": DEVICE})
    assert_problem(r, 401)
