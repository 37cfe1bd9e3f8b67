"""The live dashboard's page (server/supervisor/dashboard.py): every section drawn, each number linking to the rows
behind it, the live endpoint's ETag (304 when nothing changed, only the changed sections otherwise, drawn as the
page draws them), the CSV of every table, and the server-drawn charts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from server.dashboard import charts
from server.http import run_in_transaction
from server.supervisor import dashboard
from tests.factories import make_item, make_location, make_order, make_stock
from tests.supervisor.web import csv_rows, table, total

pytestmark = pytest.mark.rollback

NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)  # a Wednesday, 15:30 on a UTC floor


@pytest.fixture
def pinned(monkeypatch):
    """The dashboard and the order list stand still at NOW."""
    monkeypatch.setattr("server.supervisor.dashboard.now", lambda: NOW)
    monkeypatch.setattr("server.supervisor.orders.now", lambda: NOW)
    return NOW


def _section(page: str, name: str) -> str:
    """The inner html of one live section of the page."""
    found = re.search(rf'<section id="dash-{name}" [^>]*data-section="{name}"[^>]*>(.*?)</section>', page, re.S)
    assert found, f"no section {name}"
    return found.group(1)


def _count(page: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}"[^>]*>\s*<span class="count">([\d,]+)</span>', page)
    assert found, f"no count {element_id}"
    return int(found.group(1).replace(",", ""))


def _href(page: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}"[^>]*href="([^"]+)"', page).group(1).replace("&amp;", "&")


def test_the_page_draws_every_section_with_the_etag_to_poll_with(supervisor, pinned):
    page = supervisor.get("/dashboard").text
    for section in dashboard.SECTIONS:
        _section(page, section.name)
    assert re.search(r'data-live="/dashboard/live" data-etag="&#34;d1(\.[0-9a-f]{12}){%d}&#34;"'
                     % len(dashboard.SECTIONS), page)
    assert 'src="/supervisor/static/dashboard.js"' in page


def _orders_by_urgency():
    """Orders not closed in every urgency class at NOW (two overdue, one due within 2 h, one due today, one later
    and one without a ship-by), and two closed ones that count in none."""
    for ship_by, status in ((NOW - timedelta(days=2), "allocated"), (NOW - timedelta(seconds=1), "open"),
                            (NOW + timedelta(minutes=30), "picking"), (NOW + timedelta(hours=5), "open"),
                            (NOW + timedelta(days=3), "open"), (None, "open"),
                            (NOW - timedelta(hours=1), "shipped"), (NOW + timedelta(hours=1), "cancelled")):
        make_order(ship_by=ship_by, status=status, ordered_at=NOW - timedelta(days=3))


def test_urgency_and_status_counts_open_as_many_orders_on_the_order_list(supervisor, pinned):
    run_in_transaction(_orders_by_urgency)
    page = supervisor.get("/dashboard").text
    expected = {"overdue": 2, "due_2h": 1, "due_today": 1, "later": 2}
    for urgency, n in expected.items():
        assert _count(page, f"urgency-{urgency}") == n
        href = _href(page, f"urgency-{urgency}")
        assert href == f"/orders?urgency={urgency}"
        assert total(supervisor.get(href).text) == n
    for status, n in {"open": 4, "allocated": 1, "picking": 1, "shipped": 1, "cancelled": 1, "packed": 0}.items():
        assert _count(page, f"status-{status}") == n
        assert total(supervisor.get(_href(page, f"status-{status}")).text) == n


def test_an_overdue_order_is_said_in_a_word_and_an_icon_not_by_colour_alone(supervisor, pinned):
    run_in_transaction(lambda: make_order(ship_by=NOW - timedelta(hours=3), ordered_at=NOW - timedelta(days=2)))
    strip = _section(supervisor.get("/dashboard").text, "orders")
    tile = re.search(r'<a class="tile urgency-overdue has-some"[^>]*>(.*?)</a>', strip, re.S).group(1)
    assert "✕" in tile and "Overdue" in tile
    assert 'class="tile urgency-later"' in strip  # no order later: no emphasis


def test_metric_tiles_give_rate_counts_window_target_and_status_in_words(supervisor, pinned):
    """One order due yesterday and not shipped: the late shipment rates are 1 of 1, red; nothing was placed in
    the cancel window and nothing shipped: those have nothing to measure."""
    run_in_transaction(lambda: make_order(ship_by=NOW - timedelta(days=1), ordered_at=NOW - timedelta(days=20)))
    section = _section(supervisor.get("/dashboard").text, "metrics")
    tiles = dict(re.findall(r'<article class="metric status-\w+" id="metric-(\w+)" data-status="(\w+)"', section))
    assert tiles == {"lsr_10": "red", "lsr_30": "red", "cancel_7": "none", "vtr_30": "none"}
    lsr = re.search(r'id="metric-lsr_30".*?</article>', section, re.S).group(0)
    assert re.search(r'href="/orders\?metric=lsr_30"[^>]*>100.00 %</a>', lsr)
    assert "✕" in lsr and "Over the limit" in lsr
    assert "1 of 1 orders due were not confirmed by their ship-by" in lsr
    assert "Target: under 4 %" in lsr and "last 30 days" in lsr
    assert 'href="/orders/export.csv?metric=lsr_30"' in lsr
    assert "Nothing to measure yet" in re.search(r'id="metric-vtr_30".*?</article>', section, re.S).group(0)


def test_a_poll_with_the_pages_etag_is_304_until_something_changes(supervisor, pinned):
    page = supervisor.get("/dashboard").text
    etag = re.search(r'data-etag="([^"]+)"', page).group(1).replace("&#34;", '"')
    r = supervisor.get("/dashboard/live", headers={"If-None-Match": etag})
    assert (r.status_code, r.headers["ETag"], r.data) == (304, etag, b"")

    from server.printing import services
    run_in_transaction(lambda: services.create_printer("Dock Zebra", host="10.0.0.9"))
    r = supervisor.get("/dashboard/live", headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] != etag
    assert list(r.json) == ["printers"]  # what a new printer changes, and nothing else
    fresh = supervisor.get("/dashboard").text
    assert r.json["printers"].strip() == _section(fresh, "printers").strip()
    assert table(r.json["printers"], "printers-table")[0][:2] == ["Dock Zebra", "– Not checked yet"]
    again = supervisor.get("/dashboard/live", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_a_new_order_redraws_the_sections_drawn_from_orders(supervisor, pinned):
    etag = supervisor.get("/dashboard/live").headers["ETag"]
    run_in_transaction(lambda: make_order(ship_by=NOW + timedelta(hours=1), ordered_at=NOW - timedelta(hours=2)))
    r = supervisor.get("/dashboard/live", headers={"If-None-Match": etag})
    changed = {s.name for s in dashboard.SECTIONS if "orders" in s.sources}
    assert set(r.json) == changed
    assert re.search(r'id="urgency-due_2h"[^>]*>\s*<span class="count">1</span>', r.json["orders"])


def test_the_next_minute_redraws_the_sections_that_move_with_time(supervisor, monkeypatch, pinned):
    etag = supervisor.get("/dashboard/live").headers["ETag"]
    monkeypatch.setattr("server.supervisor.dashboard.now", lambda: NOW + timedelta(seconds=59))
    assert supervisor.get("/dashboard/live", headers={"If-None-Match": etag}).status_code == 304  # same minute
    monkeypatch.setattr("server.supervisor.dashboard.now", lambda: NOW + timedelta(minutes=1))
    r = supervisor.get("/dashboard/live", headers={"If-None-Match": etag})
    assert set(r.json) == {s.name for s in dashboard.SECTIONS if "minute" in s.sources}
    assert not {"printers", "variances", "jobs", "low-stock", "ira"} & set(r.json)


@pytest.mark.parametrize("header", [None, '"d0.abc"', 'W/"d1.zz"', "*"])
def test_a_poll_without_a_usable_etag_gets_every_section(supervisor, pinned, header):
    r = supervisor.get("/dashboard/live", headers={"If-None-Match": header} if header else {})
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert set(r.json) == {s.name for s in dashboard.SECTIONS}
    assert r.headers["Cache-Control"] == "no-store"


def test_the_live_endpoint_needs_a_supervisor_sign_in(client, pinned):
    r = client.get("/dashboard/live")
    assert r.status_code == 302 and r.location.startswith("/login")


# --- CSV --------------------------------------------------------------------------------------------------

def test_goods_waiting_csv_lists_each_dock_with_its_units_and_wait(supervisor, monkeypatch):
    def stock():
        item = make_item("DASH-DOCK", "Crate")
        make_stock(item, make_location("DOCK-9", kind="dock"), 7)
        make_stock(item, make_location("BIN-9"), 5)  # a bin holds stock, it does not wait
    run_in_transaction(stock)
    moment = datetime.now(UTC) + timedelta(minutes=90)
    monkeypatch.setattr("server.supervisor.dashboard.now", lambda: moment)
    rows = csv_rows(supervisor.get("/dashboard/goods-waiting.csv"))
    assert rows[0] == list(dashboard.WAITING_COLUMNS)
    assert [r[:3] for r in rows[1:]] == [["DOCK-9", "dock", "7"]]
    assert rows[1][4] in ("89", "90")
    assert table(supervisor.get("/dashboard").text, "waiting-table")[0][:2] == ["DOCK-9 Dock", "7"]


def test_printers_csv_says_state_problems_and_queue(supervisor):
    from server.printing import services

    def printers():
        jammed = services.create_printer("Pack Zebra", host="10.0.0.9")
        services.record_status(jammed.id, {"paper_out": True}, online=True)
        services.submit_print(printer=jammed, payload=b"^XA^XZ", kind="bin")
    run_in_transaction(printers)
    rows = csv_rows(supervisor.get("/dashboard/printers.csv"))
    assert rows[0] == list(dashboard.PRINTER_COLUMNS)
    assert rows[1][:3] == ["Pack Zebra", "problem", "yes"] and rows[1][4] == "1" and rows[1][3]


def test_people_and_devices_csv_have_who_scanned_and_which_handheld_reported(supervisor, client, users):
    from tests.devices.test_report_api import badge_sign_in

    on_device = badge_sign_in(client, users["picker"], "HH-DASH-1")
    assert client.post("/api/scan", json={"code": "NO-SUCH-CODE"}, headers=on_device).status_code in (200, 404, 422)
    assert client.post("/api/devices/report", json={"screen": "pick", "queued": 2, "refused": 1},
                       headers=on_device).status_code == 204
    people = csv_rows(supervisor.get("/dashboard/people.csv"))
    assert people[0] == list(dashboard.PEOPLE_COLUMNS)
    row = dict(zip(people[0], people[1]))
    assert (row["user"], row["scans"], row["error_scans"]) == (users["picker"].username, "1", "1")
    devices = csv_rows(supervisor.get("/dashboard/devices.csv"))
    assert devices[0] == list(dashboard.DEVICE_COLUMNS)
    row = dict(zip(devices[0], devices[1]))
    assert (row["device_id"], row["user"], row["signed_in"], row["screen"], row["queued"], row["refused"]) == (
        "HH-DASH-1", users["picker"].username, "yes", "pick", "2", "1")
    devices_table = _section(supervisor.get("/dashboard").text, "devices")
    assert '<tr data-device="HH-DASH-1" class="refused">' in devices_table
    assert 'class="state state-bad"' in devices_table  # refused writes in red, with an icon


def test_metrics_csv_has_the_four_metrics_with_their_counts(supervisor, pinned):
    run_in_transaction(lambda: make_order(ship_by=NOW - timedelta(days=1), ordered_at=NOW - timedelta(days=2)))
    rows = csv_rows(supervisor.get("/dashboard/metrics.csv"))
    assert rows[0] == list(dashboard.METRIC_COLUMNS)
    got = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert list(got) == ["lsr_10", "lsr_30", "cancel_7", "vtr_30"]
    assert {k: (v["numerator"], v["denominator"], v["status"]) for k, v in got.items()} == {
        "lsr_10": ("1", "1", "red"), "lsr_30": ("1", "1", "red"), "cancel_7": ("0", "1", "green"),
        "vtr_30": ("0", "0", "none")}


def test_orders_due_by_hour_count_open_orders_in_each_local_hour(supervisor, pinned):
    def orders():
        for hour, minute, status in ((9, 0, "open"), (9, 59, "allocated"), (15, 45, "open"), (16, 0, "picking"),
                                     (16, 0, "shipped"), (23, 59, "open")):
            make_order(ship_by=NOW.replace(hour=hour, minute=minute), status=status, ordered_at=NOW)
        make_order(ship_by=NOW + timedelta(days=1), ordered_at=NOW)  # tomorrow: not today's
    run_in_transaction(orders)
    rows = csv_rows(supervisor.get("/dashboard/due.csv"))
    assert rows[0] == ["hour", "orders"] and len(rows) == 25
    assert {int(h): int(n) for h, n in rows[1:] if n != "0"} == {9: 2, 15: 1, 16: 1, 23: 1}
    section = _section(supervisor.get("/dashboard").text, "due")
    assert table(section, "due-table") == [["09:00 (begun)", "2"], ["15:00 (begun)", "1"], ["16:00", "1"],
                                           ["23:00", "1"]]
    assert "<title>09: Due 2 (hour begun: overdue or due now)</title>" in section


def test_forecast_misses_csv_lists_the_orders_that_will_miss(supervisor, pinned):
    """An order overdue and not shipped misses its ship-by whatever the pace."""
    late = run_in_transaction(lambda: make_order(ship_by=NOW - timedelta(hours=2), ordered_at=NOW - timedelta(days=1),
                                                 status="allocated").channel_order_id)
    rows = csv_rows(supervisor.get("/dashboard/forecast-misses.csv"))
    assert rows[0] == list(dashboard.MISS_COLUMNS)
    assert [r[2] for r in rows[1:]] == [late]
    section = _section(supervisor.get("/dashboard").text, "forecast")
    assert re.search(r'id="forecast-misses" class="count">1</strong>', section)
    assert f">{late}</a>" in section


# --- Charts ------------------------------------------------------------------------------------------------

def test_a_bar_chart_titles_each_bar_with_its_exact_value_and_escapes_text():
    svg = charts.bar_chart("c<1>", "Units & scans", ["08", "09", "10"],
                           [charts.Series("picked", "Picked <units>", [3, 0, 12]),
                            charts.Series("packed", "Packed", [1, None, 7])], marks=[None, "past", None],
                           mark_words={"past": "gone"})
    assert 'id="c&lt;1&gt;"' in svg and "<title id=\"c&lt;1&gt;-title\">Units &amp; scans</title>" in svg
    titles = re.findall(r"<rect [^>]*><title>([^<]*)</title></rect>", svg)
    assert titles == ["08: Picked &lt;units&gt; 3", "08: Packed 1", "10: Picked &lt;units&gt; 12", "10: Packed 7"]
    assert "<script" not in svg and 'role="img"' in svg
    tallest = max(float(h) for h in re.findall(r'<rect class="bar[^"]*" [^>]*height="([\d.]+)"', svg))
    twelve = re.search(r'<rect class="bar bar-picked" [^>]*height="([\d.]+)"><title>10:', svg).group(1)
    assert float(twelve) == tallest


def test_a_line_chart_breaks_where_a_value_is_missing():
    svg = charts.line_chart("ira", "IRA", ["w1", "w2", "w3", "w4", "w5"],
                            [charts.Series("ira", "IRA", [90.0, 95.5, None, 80.0, 85.0])], unit="%", top=100)
    assert len(re.findall(r"<polyline ", svg)) == 2
    assert re.findall(r"<circle [^>]*><title>([^<]*)</title>", svg) == [
        "w1: IRA 90%", "w2: IRA 95.5%", "w4: IRA 80%", "w5: IRA 85%"]
    assert ">100%</text>" in svg


@pytest.mark.parametrize(("value", "top"), [(0, 2), (1, 2), (3, 4), (5, 6), (11, 20), (45, 60), (81, 100),
                                            (101, 200)])
def test_the_axis_top_is_a_round_number_at_or_above_the_largest_value(value, top):
    assert charts.nice_ceiling(value) == top
