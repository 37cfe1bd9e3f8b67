"""A realistic history for bench/dashboard.py, written straight into the tables of a migrated database that holds
the demo warehouse (`flask demo`): executemany in one transaction on SQLite, COPY on PostgreSQL, ids assigned
here so that no row needs a round trip. About 1.3 million rows with the defaults, in well under a minute.

What it writes, over the last `days` (60) days up to `now`, in the warehouse's time zone and shift:
- 15 floor people (8 pickers, 4 packers, 3 receivers) who work every day's shift, each with a handheld;
- `orders` (50,000) orders of 1-5 lines, placed around the clock, ship-by the next or the day after at an hour
  between 10:00 and 20:00 or at the end of the day; worked on their ship-by day (30 % the day before), 3 % a day
  late (late shipments, overdue orders), 2.5 % cancelled (seller, buyer, channel: the cancel rate); by `now` they
  are shipped, packed, picked, being picked, allocated or open (some short) as their times say, so every urgency
  class and every metric window has orders;
- per order worked: a pick batch of up to 8 orders per picker, pick tasks, pick → pack → ship movements, packages
  (10 % two of them) in carton locations with SSCCs, shipments with UPS / USPS / local tracking numbers (2 % with a
  wrong check digit, 1 % none: the valid tracking rate), 1 % voided first labels, daily manifests, a printed label
  job per package, order events;
- receipts into the docks with put-aways into reserve or the pick bins (today's last ones still on the docks:
  goods waiting), replenishment moves from reserve to the pick bins, adjustments, cycle counts with their entries
  and variances (some waiting for approval) and the count movements of the approved ones: `moves` (500,000) ledger
  rows in all; balances are the sum of the movements (`flask inventory verify` says ok), each topped up by an
  opening balance where the history would leave it negative or under its reservations;
- reservations for the allocated and half-picked orders; scans (`scans`, ~200,000: pick, pack, receive and
  put-away scans, some refused or unknown; today's are all kept, older ones sampled down to the count);
- device reports and sign-ins for today, printers (one out of paper, one offline) with a few jobs queued, jobs,
  ABC classes and reorder points (a dozen items below theirs).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
import sqlite3
import time as clock
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from server.gtin import gs1_check_digit
from server.shipping.sscc import sscc_for
from server.shipping.tracking import local_tracking_number, ups_check_digit

PICK_FROM, PICK_TO = time(8, 15), time(15, 15)  # batches start inside the default 08:00-16:30 shift
PACK_UNTIL = time(16, 20)
ROLES = (("picker", 8), ("packer", 4), ("receiver", 3))
PAYLOAD = b"^XA^CI28^PW812^LL1218^FO30,28^A0N,44,0^FDBENCH LABEL^FS^XZ"


@dataclass(frozen=True)
class Sizes:
    orders: int = 50_000
    moves: int = 500_000
    scans: int = 200_000
    days: int = 60


def _lite_time(v: datetime) -> str:
    if v.tzinfo is not UTC:
        v = v.astimezone(UTC)
    return v.replace(tzinfo=None).isoformat(" ", "microseconds")  # SQLAlchemy's SQLite storage: naive UTC


def _converters(rows: list, width: int, backend: str) -> list:
    """Per column, how a value goes into the database (by the type of its first value that is not None)."""
    out = []
    for k in range(width):
        sample = next((r[k] for r in rows if r[k] is not None), None)
        if isinstance(sample, dict | list):
            out.append(json.dumps)
        elif backend != "sqlite":
            out.append(None)
        elif isinstance(sample, datetime):
            out.append(_lite_time)
        elif isinstance(sample, date):
            out.append(date.isoformat)
        elif isinstance(sample, bool):
            out.append(int)
        else:
            out.append(None)
    return out


def _converted(rows, convs):
    if not any(convs):
        return rows
    pairs = [(k, f) for k, f in enumerate(convs) if f]
    out = []
    for r in rows:
        r = list(r)
        for k, f in pairs:
            if r[k] is not None:
                r[k] = f(r[k])
        out.append(r)
    return out


class Writer:
    """Plain inserts in one transaction, outside the app (as a data migration would write)."""

    def __init__(self, db):
        self.backend = db.backend
        if db.backend == "sqlite":
            self.conn = sqlite3.connect(db.sqlite_path(), timeout=60, isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys = OFF")  # checked once at the end (finish)
            self.conn.execute("BEGIN IMMEDIATE")
            self.ph = "?"
        else:
            import psycopg
            self.conn = psycopg.connect(db.psycopg_url())
            self.ph = "%s"
        self.rows: Counter = Counter()
        self.tables: list[str] = []

    def q(self, sql: str, params=()) -> list[tuple]:
        return list(self.conn.execute(sql.replace("?", self.ph), params).fetchall())

    def next_id(self, table: str) -> int:
        return self.q(f"SELECT COALESCE(MAX(id), 0) FROM {table}")[0][0] + 1

    def insert(self, table: str, columns: str, rows) -> None:
        cols = [c.strip() for c in columns.split(",")]
        if table not in self.tables:
            self.tables.append(table)
        rows = _converted(rows, _converters(rows, len(cols), self.backend))
        if self.backend == "sqlite":
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            self.conn.executemany(sql, rows)
        else:
            with self.conn.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        self.rows[table] += len(rows)

    def update(self, sql: str, rows) -> None:
        if rows:
            rows = _converted(rows, _converters(rows, len(rows[0]), self.backend))
            self.conn.cursor().executemany(sql.replace("?", self.ph), rows)

    def finish(self) -> None:
        if self.backend == "sqlite":
            broken = self.q("PRAGMA foreign_key_check")
            if broken:
                raise RuntimeError(f"rows that name nothing: {broken[:10]}")
            self.conn.execute("COMMIT")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            for table in self.tables:  # ids were given here: move each table's sequence past them
                if table in ("item_classes", "replenishment_params", "device_reports"):
                    continue
                self.conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
            self.conn.commit()
            # autovacuum would analyze the new rows within a minute or so; do it now for steady plans.
            self.conn.autocommit = True
            self.conn.execute("VACUUM ANALYZE")
        self.conn.close()


class History:
    def __init__(self, w: Writer, *, now: datetime, tz: tzinfo, sizes: Sizes, seed: int,
                 shift: tuple[time, time] = (time(8), time(16, 30))):
        self.w, self.now, self.tz, self.sizes = w, now.astimezone(UTC), tz, sizes
        self.rng = random.Random(seed)
        self.shift = shift
        self.today = self.now.astimezone(tz).date()
        self.first_day = self.today - timedelta(days=sizes.days)
        self.moves: list[list] = []      # [at, kind, item, qty, src, dst, reason, ref_type, ref_id, user, device]
        self.scans: list[list] = []      # [at, user, device, code, kind, outcome, screen, expected]
        self.net: Counter = Counter()    # (item, location) → units moved in minus out
        self.reservations: list[list] = []  # [id, order_line_id, (item, location), qty, at]
        self.stats: dict = {}

    # --- time -----------------------------------------------------------------------------------------------
    def at(self, day: date, t: time) -> datetime:
        return datetime.combine(day, t, tzinfo=self.tz).astimezone(UTC)

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def between(self, a: datetime, b: datetime) -> datetime:
        return a + (b - a) * self.rng.random()

    def in_shift(self, moment: datetime, until: time = PICK_TO) -> datetime:
        """The moment itself when the floor works then (starts work before `until`), else a little after the
        next shift starts."""
        day = self.local_day(moment)
        start, end = self.at(day, PICK_FROM), self.at(day, until)
        if moment < start:
            return start + timedelta(minutes=self.rng.uniform(0, 45))
        if moment > end:
            return self.at(day + timedelta(days=1), PICK_FROM) + timedelta(minutes=self.rng.uniform(0, 45))
        return moment

    def shift_moment(self, day: date) -> datetime:
        return self.between(self.at(day, PICK_FROM), self.at(day, PICK_TO))

    def past_shift_moment(self) -> datetime:
        """A moment of some shift in the history, never after now."""
        while True:
            moment = self.shift_moment(self.first_day + timedelta(days=self.rng.randrange(self.sizes.days + 1)))
            if moment < self.now:
                return moment

    # --- the ledger -----------------------------------------------------------------------------------------
    def move(self, at, kind, item, qty, src, dst, user, *, reason=None, ref=(None, None)) -> list:
        row = [at, kind, item, qty, src, dst, reason, ref[0], ref[1], user, self.device.get(user)]
        self.moves.append(row)
        if src not in self.virtual_ids:
            self.net[(item, src)] -= qty
        if dst not in self.virtual_ids:
            self.net[(item, dst)] += qty
        return row

    def popular(self) -> int:
        """An item, the popular ones more often."""
        return self.rng.choices(self.items, cum_weights=self.cum)[0]

    def scan(self, at, user, code, kind, screen, outcome="ok", expected=None):
        self.scans.append([at, user, self.device.get(user), code, kind, outcome, screen, expected])

    # --- the warehouse as the demo left it ------------------------------------------------------------------
    def load(self) -> None:
        w, rng = self.w, self.rng
        items = [(i, v) for i, v, lot, exp, active in
                 w.q("SELECT id, value_cents, tracks_lot, tracks_expiry, active FROM items ORDER BY id")
                 if active and not lot and not exp]
        self.items = [i for i, _v in items]
        self.value = {i: v or 999 for i, v in items}
        rng.shuffle(self.items)  # popularity rank: a few items sell much more than most (Zipf-like weights)
        self.weights = [1 / (rank + 8) for rank in range(len(self.items))]
        self.cum = list(itertools.accumulate(self.weights))
        self.codes = {i: c for i, c in w.q("SELECT item_id, MIN(code) FROM item_barcodes GROUP BY item_id")}
        locs = w.q("SELECT id, code, kind, parent_id FROM locations")
        self.loc_code = {lid: code for lid, code, _k, _p in locs}
        by_kind = defaultdict(list)
        for lid, code, kind, _p in locs:
            by_kind[kind].append(lid)
        self.virtual = {code: lid for lid, code, kind, _p in locs if kind == "virtual"}
        self.virtual_ids = set(self.virtual.values())
        self.docks, self.staging = sorted(by_kind["dock"]), sorted(by_kind["staging"])
        self.stations, self.carts = sorted(by_kind["pack_station"]), sorted(by_kind["cart"])
        self.totes = sorted(by_kind["tote"])
        bins = sorted(by_kind["bin"])
        reserve = sorted(by_kind["pallet_position"])
        self.balances = {(i, l): (bid, q, r) for bid, i, l, q, r in
                         w.q("SELECT id, item_id, location_id, qty, reserved FROM stock_balances WHERE lot = ''")}
        self.home: dict[int, list[int]] = defaultdict(list)
        self.reserve: dict[int, int] = {}
        bin_set, reserve_set = set(bins), set(reserve)
        for (i, l) in self.balances:
            if l in bin_set:
                self.home[i].append(l)
            elif l in reserve_set:
                self.reserve.setdefault(i, l)
        for i in self.items:
            if not self.home[i]:
                self.home[i] = [rng.choice(bins)]
            self.home[i].sort()
            self.reserve.setdefault(i, rng.choice(reserve))
        self.boxes = [b for (b,) in w.q("SELECT id FROM box_types ORDER BY id")]
        self.boss = w.q("SELECT id FROM users WHERE role IN ('supervisor', 'admin') ORDER BY id")[0][0]

    # --- people and their handhelds -------------------------------------------------------------------------
    def people(self) -> None:
        uid = self.w.next_id("users")
        rows, self.crew = [], {role: [] for role, _n in ROLES}
        self.device, self.username = {}, {}
        for role, n in ROLES:
            for k in range(1, n + 1):
                name = f"bench-{role}-{k:02d}"
                rows.append((uid, name, f"Bench {role.title()} {k}", role, f"BADGE-{name.upper()}", None, None,
                             True, self.at(self.first_day, time(7)), 1))
                self.crew[role].append(uid)
                self.device[uid], self.username[uid] = f"hh-{name}", name
                uid += 1
        self.w.insert("users", "id, username, display_name, role, badge_code, pin_hash, password_hash, active, "
                               "created_at, credentials_version", rows)
        # More totes, so that today's picked orders each wait in a tote of their own.
        lid = self.w.next_id("locations")
        extra = [(lid + k, 1, None, self.staging[0], f"TOTE-B{k + 1:03d}", f"TOTE-B{k + 1:03d}", "tote", False,
                  self.at(self.first_day, time(7))) for k in range(96)]
        self.w.insert("locations", "id, warehouse_id, zone_id, parent_id, code, code_key, kind, pickable, created_at",
                      extra)
        self.totes += [r[0] for r in extra]
        self.loc_code.update({r[0]: r[4] for r in extra})

    # --- orders, picking, packing, shipping -----------------------------------------------------------------
    def ship_by_of(self, ordered: datetime) -> datetime:
        local = ordered.astimezone(self.tz)
        day = local.date() + timedelta(days=1 if local.time() < time(14) else 2)
        if self.rng.random() < 0.4:
            return self.at(day, time(23, 59, 59))
        return self.at(day, time(self.rng.randint(10, 20)))

    def work_times(self, ordered: datetime, ship_by: datetime, lines: int) -> tuple[list[datetime], datetime,
                                                                                   datetime]:
        """When the order's lines are picked (a batch's orders are picked side by side: minutes apart), its
        package closed and its label made: on its ship-by day or the day before, in time; 3 % a day late."""
        rng = self.rng
        earliest = ordered + timedelta(minutes=20)
        start = None
        if rng.random() >= 0.03:
            due_day, placed_day = self.local_day(ship_by), self.local_day(ordered)
            days = [due_day, due_day - timedelta(days=1)]
            if rng.random() < 0.3:
                days.reverse()
            for d in days:
                lo = max(self.at(d, PICK_FROM), earliest)
                hi = min(self.at(d, PICK_TO), ship_by - timedelta(minutes=100))
                if d >= placed_day and hi > lo:
                    start = self.between(lo, hi)
                    break
        if start is None:  # late: the day after it was due, or as soon as the floor could
            start = max(self.in_shift(ship_by + timedelta(hours=rng.uniform(0, 20))), self.in_shift(earliest))
        picks, t = [], start
        for _ in range(lines):
            picks.append(t)
            t += timedelta(minutes=rng.uniform(2, 8))
        packed = self.in_shift(picks[-1] + timedelta(minutes=rng.uniform(10, 60)), PACK_UNTIL)
        shipped = packed + timedelta(minutes=rng.uniform(2, 20))
        return picks, packed, shipped

    def orders(self) -> None:
        rng, w, now, n = self.rng, self.w, self.now, self.sizes.orders
        start = self.at(self.first_day, time(0))
        placed = sorted(self.between(start, now - timedelta(minutes=5)) for _ in range(n))
        ids = {k: w.next_id(k) for k in ("orders", "order_lines", "order_events", "shipments", "packages",
                                         "package_lines", "locations", "pick_batches", "pick_batch_orders",
                                         "pick_tasks", "print_jobs", "manifests", "stock_balances",
                                         "reservations")}
        self.ids = ids
        orders, lines, events, shipments, packages, package_lines, cartons = [], [], [], [], [], [], []
        jobs, tasks_of = [], []  # tasks_of: (picker, first pick, order id, tote, being picked, [task rows])
        printers = self.printer_ids
        manifests: dict[tuple[str, date], int] = {}
        existing = {(c, d if isinstance(d, date) else date.fromisoformat(d)): mid
                    for mid, c, d in w.q("SELECT id, carrier, day FROM manifests WHERE number = 1")}
        tracking_serial = 10_000_000
        status_count: Counter = Counter()
        for k, ordered in enumerate(placed):
            oid = ids["orders"] + k
            ship_by = self.ship_by_of(ordered)
            channel = "amazon" if rng.random() < 0.85 else "shop"
            created = min(ordered + timedelta(minutes=rng.uniform(1, 20)), now - timedelta(seconds=1))
            count = rng.choices((1, 2, 3, 4, 5), (60, 25, 10, 3, 2))[0]
            chosen = set()
            while len(chosen) < count:
                chosen.add(self.popular())
            my_lines = []
            for n_line, item in enumerate(sorted(chosen), start=1):
                qty = rng.choices((1, 2, 3), (80, 15, 5))[0]
                my_lines.append([ids["order_lines"], oid, item, qty, str(n_line), 0])
                ids["order_lines"] += 1
            cancel = None
            r = rng.random()
            if r < 0.025:
                source = "seller" if r < 0.01 else "buyer" if r < 0.0225 else "channel"
                cancel = (min(ordered + timedelta(minutes=rng.uniform(10, 600)), now - timedelta(seconds=1)), source)
            picks, packed, shipped = self.work_times(ordered, ship_by, len(my_lines))
            short = 0
            if cancel:
                status, updated = "cancelled", cancel[0]
            elif shipped <= now:
                status, updated = "shipped", shipped
            elif packed <= now:
                status, updated = "packed", packed
            elif picks[-1] <= now:
                status, updated = "picked", picks[-1]
            elif picks[0] <= now:
                status, updated = "picking", max(p for p in picks if p <= now)
            else:
                status = "allocated" if rng.random() < 0.85 else "open"
                updated = created
                if status == "open" and rng.random() < 0.4:
                    short = my_lines[0][3]
            status_count[status] += 1
            channel_cancel = None
            if status in ("open", "allocated") and rng.random() < 0.01:
                channel_cancel = self.between(created, now)
            orders.append([oid, channel, f"B{100 + k % 900:03d}-{k:07d}-{rng.randrange(10**7):07d}", status,
                           f"Buyer {k}", f"{k % 900 + 1} Bench Street", "Austin", "TX", "78701", "US", ordered,
                           ship_by, created, f"Buyer {k}", "Standard", "channel", short, channel_cancel,
                           "channel cancellation requested" if channel_cancel else None,
                           cancel[1] if cancel else None, "bench cancellation" if cancel else None, updated])
            events.append([oid, None, "open", None, "Imported (bench).", created])
            if cancel:
                events.append([oid, "open", "cancelled", self.boss, cancel[1], cancel[0]])
            if status in ("picking", "picked", "packed", "shipped"):
                picker = rng.choice(self.crew["picker"])
                tote = self.totes[k % len(self.totes)]
                done = [p <= now for p in picks]
                task_rows = []
                for seq, (line, at, is_done) in enumerate(zip(my_lines, picks, done, strict=True), start=1):
                    item, qty = line[2], line[3]
                    where, booked = rng.choice(self.home[item]), None
                    if is_done:
                        line[5] = qty
                        booked = self.move(at, "pick", item, qty, where, tote, picker, ref=("pick_task", None))
                        self.pick_scans(at, picker, where, item, tote)
                    else:
                        self.reserve_units(line[0], (item, where), qty, at)
                    if is_done and status in ("picking", "picked"):  # picked units wait reserved in the tote
                        self.reserve_units(line[0], (item, tote), qty, at)
                    task_rows.append([line[0], item, where, qty, qty if is_done else 0, seq,
                                      "picked" if is_done else "open", picker if is_done else None,
                                      at if is_done else None, booked])
                tasks_of.append((picker, picks[0], oid, tote, status == "picking", task_rows))
            elif status == "allocated":
                for line in my_lines:
                    self.reserve_units(line[0], (line[2], rng.choice(self.home[line[2]])), line[3], created)
            if status in ("packed", "shipped"):
                packer = rng.choice(self.crew["packer"])
                station = rng.choice(self.stations)
                parcels = 2 if len(my_lines) >= 2 and rng.random() < 0.1 else 1
                ship_id = None
                if status == "shipped":
                    carrier = rng.choices(("ups", "usps", "local"), (45, 20, 35))[0]
                    if rng.random() < 0.01:  # a first label voided
                        shipments.append([ids["shipments"], oid, carrier, "ground", "voided", 900, "USD", None,
                                          shipped - timedelta(minutes=5), None, None, shipped - timedelta(minutes=3),
                                          "wrong box", None, None, packer, shipped - timedelta(minutes=5)])
                        ids["shipments"] += 1
                    ship_id = ids["shipments"]
                    ids["shipments"] += 1
                    day = self.local_day(shipped)
                    manifest = None
                    if day < self.today:
                        manifest = existing.get((carrier, day))
                        if manifest is None:
                            manifest = ids["manifests"] + manifests.setdefault((carrier, day), len(manifests))
                    confirmed = shipped + timedelta(minutes=rng.uniform(1, 10))
                    shipments.append([ship_id, oid, carrier, {"ups": "ground", "usps": "priority",
                                                              "local": "nextday"}[carrier], "shipped",
                                      rng.randint(600, 2400), "USD", self.local_day(shipped) + timedelta(days=3),
                                      shipped, shipped, shipped <= ship_by, None, None, manifest,
                                      confirmed if confirmed <= now else None, packer, shipped])
                    events.append([oid, "packed", "shipped", packer, None, shipped])
                for number in range(1, parcels + 1):
                    pid, carton = ids["packages"], ids["locations"]
                    ids["packages"] += 1
                    ids["locations"] += 1
                    cartons.append([carton, 1, None, station, f"PKG-{pid}", f"PKG-{pid}", "carton", False,
                                    packed - timedelta(minutes=3)])
                    mine = my_lines[number - 1::parcels]
                    tracking = None
                    if ship_id is not None:
                        tracking_serial += 1
                        tracking = self.tracking(carrier, tracking_serial)
                        printer = printers[pid % len(printers)]
                        jobs.append([printer, "shipping_label", "package", pid, PAYLOAD, 1, "printed", 1, packer,
                                     shipped, shipped + timedelta(seconds=rng.uniform(1, 8))])
                    box = rng.choice(self.boxes)
                    packages.append([pid, oid, number, "shipped" if ship_id else "packed", carton, station, box,
                                     300, 250, 150, rng.randint(200, 9000), sscc_for(pid, extension=9), ship_id,
                                     tracking, packer, packed, None, packed - timedelta(minutes=rng.uniform(1, 6))])
                    for line in mine:
                        package_lines.append([ids["package_lines"], pid, line[0], line[2], line[3]])
                        ids["package_lines"] += 1
                        tote = self.totes[k % len(self.totes)]
                        self.move(packed, "pack", line[2], line[3], tote, carton, packer, ref=("package", pid))
                        self.scan(packed - timedelta(seconds=30), packer, self.codes.get(line[2], str(line[2])),
                                  "item", "pack")
                        if ship_id is not None:
                            self.move(shipped, "ship", line[2], line[3], carton, self.virtual["CUSTOMER"], packer,
                                      ref=("shipment", ship_id))
                    self.scan(packed - timedelta(seconds=60), packer, self.loc_code[self.totes[k % len(self.totes)]],
                              "tote", "pack")
            lines += my_lines
        self.stats["order_statuses"] = dict(status_count)
        w.insert("orders", "id, channel, channel_order_id, status, ship_to_name, ship_to_address1, ship_to_city, "
                           "ship_to_state, ship_to_postal_code, ship_to_country, ordered_at, ship_by, created_at, "
                           "customer_name, service_level, ship_by_source, short_units, channel_cancel_requested_at, "
                           "channel_cancel_note, cancel_source, cancel_reason, updated_at", orders)
        w.insert("order_lines", "id, order_id, item_id, qty, channel_line_id, qty_picked", lines)
        base = ids["order_events"]
        w.insert("order_events", "id, order_id, from_status, to_status, user_id, note, created_at",
                 [[base + j, *e] for j, e in enumerate(events)])
        mbase = ids["manifests"]
        w.insert("manifests", "id, carrier, day, number, closed_at, closed_by, created_at",
                 [[mbase + j, carrier, day, 1, self.at(day, time(17)), self.boss, self.at(day, time(17))]
                  for (carrier, day), j in manifests.items()])
        w.insert("shipments", "id, order_id, carrier, service, status, rate_cents, currency, promised_delivery, "
                              "label_created_at, shipped_at, ship_by_met, voided_at, void_reason, manifest_id, "
                              "confirmed_at, created_by, created_at", shipments)
        w.insert("locations", "id, warehouse_id, zone_id, parent_id, code, code_key, kind, pickable, created_at",
                 cartons)
        w.insert("packages", "id, order_id, number, status, container_id, station_id, box_type_id, length_mm, "
                             "width_mm, height_mm, weight_g, sscc, shipment_id, tracking_number, packed_by, packed_at, "
                             "loaded_at, created_at", packages)
        w.insert("package_lines", "id, package_id, order_line_id, item_id, qty", package_lines)
        jbase = ids["print_jobs"]
        w.insert("print_jobs", "id, printer_id, kind, ref_type, ref_id, payload, copies, status, attempts, "
                               "created_by, created_at, printed_at", [[jbase + j, *r] for j, r in enumerate(jobs)])
        self.next_print_job = jbase + len(jobs)
        self.batches(tasks_of)
        self.stats["packages"] = len(packages)

    def tracking(self, carrier: str, serial: int) -> str | None:
        r = self.rng.random()
        if r < 0.01:
            return None  # never scanned or typed
        if carrier == "ups":
            body = f"5R8939{serial % 100:02d}{serial % 10**7:07d}"
            number = f"1Z{body}{ups_check_digit(body)}"
        elif carrier == "usps":
            digits = f"9261290{serial:014d}"
            number = f"{digits}{gs1_check_digit(digits)}"
        else:
            number = local_tracking_number(serial)
        if r < 0.03:  # a typo in the check digit
            number = number[:-1] + str((int(number[-1]) + 1) % 10)
        return number

    def pick_scans(self, at, picker, where, item, tote) -> None:
        r = self.rng.random()
        if r < 0.025:  # the wrong bin first: the screen refuses it
            other = self.rng.choice(self.home[self.rng.choice(self.items)])
            self.scan(at - timedelta(seconds=50), picker, self.loc_code[other], "location", "pick",
                      "wrong_location", self.loc_code[where])
        elif r < 0.035:
            self.scan(at - timedelta(seconds=50), picker, f"UNKNOWN{self.rng.randrange(10**6)}", None, "pick",
                      "unknown_code")
        self.scan(at - timedelta(seconds=40), picker, self.loc_code[where], "location", "pick")
        self.scan(at - timedelta(seconds=20), picker, self.codes.get(item, str(item)), "item", "pick")
        self.scan(at, picker, self.loc_code[tote], "tote", "pick")

    def reserve_units(self, line_id: int, key: tuple[int, int], qty: int, at: datetime) -> None:
        self.reservations.append([self.ids["reservations"], line_id, key, qty, at])
        self.ids["reservations"] += 1

    def batches(self, tasks_of: list) -> None:
        """Each picker's orders of a day in batches of up to 8, in pick order; their tasks get ids here."""
        rng, ids = self.rng, self.ids
        tasks_of.sort(key=lambda t: (t[0], t[1]))
        batches, members, tasks = [], [], []
        task_ids = iter(range(ids["pick_tasks"], 10**12))
        group: list = []

        def close(group):
            bid = ids["pick_batches"]
            ids["pick_batches"] += 1
            picker, first = group[0][0], group[0][1]
            active = any(g[4] for g in group)
            last = max(r[8] for g in group for r in g[5] if r[8] is not None)
            batches.append([bid, "picking" if active else "done", rng.choice(self.carts), picker,
                            self.device[picker], False, round(rng.uniform(40, 260), 1), self.boss,
                            first - timedelta(minutes=10), first - timedelta(minutes=5), first - timedelta(minutes=2),
                            None if active else last + timedelta(minutes=1)])
            for tote_no, (_p, _f, oid, tote, _a, rows) in enumerate(group, start=1):
                members.append([ids["pick_batch_orders"], bid, oid, tote_no, tote])
                ids["pick_batch_orders"] += 1
                for r in rows:
                    tid = next(task_ids)
                    if r[9] is not None:
                        r[9][8] = tid  # the pick movement names its task
                    tasks.append([tid, bid, *r[:5], tote_no, r[5], r[6], r[7],
                                  self.device[picker] if r[7] else None, r[8], r[8]])

        for entry in tasks_of:
            if group and (entry[0] != group[0][0] or len(group) == 8
                          or self.local_day(entry[1]) != self.local_day(group[0][1])):
                close(group)
                group = []
            group.append(entry)
        if group:
            close(group)
        self.w.insert("pick_batches", "id, status, cart_id, picker_id, device_id, sort_later, route_m, created_by, "
                                      "created_at, released_at, started_at, finished_at", batches)
        self.w.insert("pick_batch_orders", "id, batch_id, order_id, tote_number, tote_id", members)
        self.w.insert("pick_tasks", "id, batch_id, order_line_id, item_id, location_id, qty, qty_picked, tote_number, "
                                    "sequence, status, picked_by, device_id, picked_at, scanned_at", tasks)
        self.active_batch = {b[3]: b[0] for b in batches if b[1] == "picking"}
        self.last_batch = {b[3]: b[0] for b in batches}

    # --- printers and their queues --------------------------------------------------------------------------
    def printers(self) -> None:
        from server.printing.status import STOPPING_FLAGS

        w, now = self.w, self.now
        existing = [pid for (pid,) in w.q("SELECT id FROM printers WHERE active ORDER BY id")]
        pid = w.next_id("printers")
        ok = {**dict.fromkeys(STOPPING_FLAGS, False), "ready": True, "problems": []}
        out = {**ok, "paper_out": True, "ready": False, "problems": ["paper_out"]}
        created = self.at(self.first_day, time(7))
        w.insert("printers", "id, name, transport, host, port, dpi, active, status, status_at, online, created_at", [
            (pid, "Bench Pack 2", "tcp", "127.0.0.1", 9101, 203, True, ok, now - timedelta(seconds=20), True, created),
            (pid + 1, "Bench Pack 3", "tcp", "127.0.0.1", 9102, 203, True, out, now - timedelta(seconds=15), True,
             created),
            (pid + 2, "Bench Dock", "tcp", "127.0.0.1", 9103, 203, True, None, now - timedelta(minutes=9), False,
             created)])
        self.printer_ids = [*existing, pid]
        self.stuck_printers = (pid + 1, pid + 2)

    def print_queue(self) -> None:
        rows, jid, now = [], self.next_print_job, self.now
        packer = self.crew["packer"][0]
        for k, (printer, status) in enumerate([(self.stuck_printers[0], "waiting")] * 6
                                              + [(self.stuck_printers[1], "queued")] * 3
                                              + [(self.stuck_printers[1], "failed")]):
            at = now - timedelta(minutes=30 - k)
            rows.append([jid + k, printer, "shipping_label", "package", None, PAYLOAD, 1, status, 3, packer, at,
                         at + timedelta(minutes=2) if status == "waiting" else None,
                         "printer out of paper" if status != "queued" else None])
        self.w.insert("print_jobs", "id, printer_id, kind, ref_type, ref_id, payload, copies, status, attempts, "
                                    "created_by, created_at, next_attempt_at, last_error", rows)

    # --- receiving, replenishment, adjustments --------------------------------------------------------------
    def receiving(self, lines: int) -> None:
        """`lines` receipt lines over the days, into the docks, put away 15 min to 3 h later (not yet: waiting);
        as many units in all as the orders picked, and a tenth more."""
        rng, w, now = self.rng, self.w, self.now
        picked = sum(m[3] for m in self.moves if m[1] == "pick")
        case = max(6, round(picked * 1.1 / max(lines, 1) / 6) * 6)
        rid, lid = w.next_id("receipts"), w.next_id("receipt_lines")
        receipts, rlines = [], []
        per_receipt = 8
        waiting = 0
        for n in range(math.ceil(lines / per_receipt)):
            at = self.past_shift_moment()
            dock = rng.choice(self.docks)
            receiver = rng.choice(self.crew["receiver"])
            today = self.local_day(at) == self.today
            open_ = today and rng.random() < 0.5
            receipts.append([rid, f"PO-BENCH-{n:06d}", f"Supplier {n % 17}", False, "open" if open_ else "closed",
                             at - timedelta(hours=2), at - timedelta(days=2),
                             None if open_ else at + timedelta(hours=1)])
            items = set()
            while len(items) < per_receipt:
                items.add(self.popular())
            for j, item in enumerate(sorted(items)):
                qty = max(6, round(case * rng.uniform(0.5, 1.5) / 6) * 6)
                t = at + timedelta(minutes=2 * j)
                expected = qty + (rng.choice((0, 0, 0, 12)) if open_ else 0)
                received = 0 if open_ and j >= per_receipt // 2 else qty
                rlines.append([lid, rid, item, expected, received])
                lid += 1
                if not received:
                    continue
                self.move(t, "receive", item, qty, self.virtual["SUPPLIER"], dock, receiver, ref=("receipt", rid))
                self.scan(t - timedelta(seconds=20), receiver, self.codes.get(item, str(item)), "item", "receive")
                put = t + timedelta(minutes=rng.uniform(15, 180))
                if put >= now:
                    waiting += qty
                    continue
                dst = self.reserve[item] if rng.random() < 0.6 else rng.choice(self.home[item])
                self.move(put, "putaway", item, qty, dock, dst, receiver)
                self.scan(put - timedelta(seconds=30), receiver, self.loc_code[dock], "location", "putaway")
                self.scan(put, receiver, self.loc_code[dst], "location", "putaway")
            rid += 1
        w.insert("receipts", "id, reference, supplier, blind, status, expected_at, created_at, closed_at", receipts)
        w.insert("receipt_lines", "id, receipt_id, item_id, expected_qty, received_qty", rlines)
        self.stats["units_waiting_on_docks"] = waiting

    def replenish_and_adjust(self, moves: int, adjust: int) -> None:
        """Replenishments from reserve to the pick bins, as many units as the receipts put into reserve, then
        tidying moves between an item's places (there and, later, back: the ledger grows, the stock doesn't),
        `moves` movements in all; and `adjust` adjustments (damaged, lost, found...)."""
        rng = self.rng
        movers = self.crew["receiver"] + self.crew["picker"][:2]
        in_reserve = [(m[0], m[2], m[3]) for m in self.moves if m[1] == "putaway" and m[5] == self.reserve[m[2]]]
        made = 0
        for at, item, qty in in_reserve:
            while qty > 0 and made < moves:
                part = min(qty, rng.choice((6, 12, 12, 24)))
                at = self.in_shift(at + timedelta(hours=rng.uniform(2, 72)))
                if at >= self.now:
                    break
                self.move(at, "move", item, part, self.reserve[item], rng.choice(self.home[item]),
                          rng.choice(movers))
                qty -= part
                made += 1
        while made + 1 < moves:
            item = self.popular()
            places = [*self.home[item], self.reserve[item]]
            if len(places) < 2:
                continue
            a, b = rng.sample(places, 2)
            qty, first = rng.randint(1, 12), self.past_shift_moment()
            back = self.in_shift(first + timedelta(hours=rng.uniform(1, 240)))
            if back >= self.now:
                continue
            who = rng.choice(movers)
            self.move(first, "move", item, qty, a, b, who)
            self.move(back, "move", item, qty, b, a, who)
            made += 2
        adjustment = self.virtual["ADJUSTMENT"]
        for _ in range(adjust):
            item = rng.choice(self.items)
            where = rng.choice(self.home[item])
            reason = rng.choice(("damaged", "lost", "found", "expired", "correction"))
            src, dst = (adjustment, where) if reason == "found" else (where, adjustment)
            self.move(self.past_shift_moment(), "adjust", item, rng.randint(1, 3), src, dst,
                      rng.choice(self.crew["receiver"]), reason=reason)

    # --- cycle counts ---------------------------------------------------------------------------------------
    def counts(self, per_day: int) -> None:
        rng, w, now = self.rng, self.w, self.now
        tid, eid, vid = w.next_id("count_tasks"), w.next_id("count_entries"), w.next_id("count_variances")
        tasks, entries, variances = [], [], []
        classes = self.abc
        adjustment = self.virtual["ADJUSTMENT"]
        for d in range(self.sizes.days + 1):
            day = self.first_day + timedelta(days=d)
            for _ in range(per_day):
                item = rng.choice(self.items)
                where = rng.choice(self.home[item])
                at = self.shift_moment(day)
                counter = rng.choice(self.crew["receiver"])
                created = self.at(day, time(7))
                if at >= now:
                    if created < now:
                        tasks.append([tid, where, item, "scheduled", "open", classes[item], day, None, counter,
                                      created, None])
                        tid += 1
                    continue
                r = rng.random()
                outcome = "within" if r < 0.95 else ("pending" if day >= self.today - timedelta(days=2)
                                                     else "approved")
                status = "approval" if outcome == "pending" else "posted"
                tasks.append([tid, where, item, "scheduled", status, classes[item], day, None, counter, created,
                              None if status == "approval" else at])
                expected = rng.randint(5, 80)
                delta = 0 if r < 0.9 else (rng.choice((-3, -2, -1, 1, 2)) if outcome != "within" else 0)
                entries.append([eid, tid, counter, self.device[counter], item, expected + delta, 0, False, at, at])
                eid += 1
                if r >= 0.9:
                    move = None
                    if outcome == "approved":
                        src, dst = (adjustment, where) if delta > 0 else (where, adjustment)
                        move = self.move(at + timedelta(hours=2), "count", item, abs(delta) or 1, src, dst,
                                         self.boss, reason="count_variance", ref=("count_variance", vid))
                    variances.append([vid, tid, item, expected, expected + delta, delta,
                                      abs(delta) * self.value[item], outcome,
                                      self.boss if outcome == "approved" else None,
                                      at + timedelta(hours=2) if outcome == "approved" else None, move, at])
                    vid += 1
                self.scan(at - timedelta(seconds=30), counter, self.loc_code[where], "location", "count")
                self.scan(at, counter, self.codes.get(item, str(item)), "item", "count")
                tid += 1
        w.insert("count_tasks", "id, location_id, item_id, reason, status, abc_class, due_on, count_list_id, "
                                "created_by, created_at, closed_at", tasks)
        w.insert("count_entries", "id, task_id, user_id, device_id, item_id, qty, ledger_mark, unexpected, "
                                  "counted_at, scanned_at", entries)
        self.variances = variances
        self.stats["count_tasks"] = len(tasks)

    # --- balances, reservations and the ledger ------------------------------------------------------------
    def ledger(self) -> None:
        rng, w = self.rng, self.w
        reserved: Counter = Counter()
        for _rid, _line, key, qty, _at in self.reservations:
            reserved[key] += qty
        opening_at = self.at(self.first_day, time(6))
        adjustment = self.virtual["ADJUSTMENT"]
        keys = set(self.net) | set(reserved)
        for key in sorted(keys):
            _bid, q0, r0 = self.balances.get(key, (None, 0, 0))
            have = q0 + self.net[key]
            need = r0 + reserved[key]
            top_up = max(0, need - have)
            if key[1] in self.virtual_ids:
                continue
            if self.loc_kind(key[1]) == "bin" and have - need < 5:
                top_up += rng.randint(5, 40)  # the opening stock of a pick face
            if top_up:
                self.move(opening_at, "adjust", key[0], top_up, adjustment, key[1], self.boss,
                          reason="opening_balance")
        self.moves.sort(key=lambda m: m[0])
        base = w.next_id("stock_moves")
        for j, m in enumerate(self.moves):
            m.append(base + j)
        w.insert("stock_moves", "created_at, kind, item_id, qty, src_id, dst_id, reason, ref_type, ref_id, user_id, "
                                "device_id, id", self.moves)
        if self.variances:
            for v in self.variances:
                v[10] = v[10][11] if v[10] is not None else None
            w.insert("count_variances", "id, task_id, item_id, expected_qty, counted_qty, delta, value_cents, "
                                        "status, decided_by, decided_at, adjustment_move_id, created_at",
                     self.variances)
        stamp = self.now - timedelta(minutes=1)
        bid = self.ids["stock_balances"]
        updates, inserts, self.balance_id = [], [], {}
        for key in sorted(set(self.net) | set(reserved)):
            if key[1] in self.virtual_ids:
                continue
            old_id, q0, r0 = self.balances.get(key, (None, 0, 0))
            qty, res = q0 + self.net[key], r0 + reserved[key]
            assert 0 <= res <= qty, (key, qty, res)
            if old_id is None:
                inserts.append([bid, key[0], key[1], "", qty, res, stamp])
                self.balance_id[key] = bid
                bid += 1
            else:
                updates.append([qty, res, stamp, old_id])
                self.balance_id[key] = old_id
        w.update("UPDATE stock_balances SET qty = ?, reserved = ?, updated_at = ? WHERE id = ?", updates)
        w.insert("stock_balances", "id, item_id, location_id, lot, qty, reserved, updated_at", inserts)
        w.insert("reservations", "id, order_line_id, balance_id, qty, created_at",
                 [[rid, line, self.balance_id[key], qty, at] for rid, line, key, qty, at in self.reservations])
        on_hand: Counter = Counter()
        for (item, loc), (_b, q0, _r) in self.balances.items():
            on_hand[item] += q0
        for (item, loc), n in self.net.items():
            if loc not in self.virtual_ids:
                on_hand[item] += n
        self.on_hand, self.reserved_units = on_hand, reserved
        self.stats["moves"] = Counter(m[1] for m in self.moves)

    def loc_kind(self, lid: int) -> str:
        if not hasattr(self, "_kinds"):
            self._kinds = dict(self.w.q("SELECT id, kind FROM locations"))
        return self._kinds.get(lid, "carton")

    # --- scans, devices, jobs, reorder points ---------------------------------------------------------------
    def write_scans(self) -> None:
        midnight = self.at(self.today, time(0))
        today = [s for s in self.scans if s[0] >= midnight and s[0] < self.now]
        older = [s for s in self.scans if s[0] < midnight]
        room = max(0, self.sizes.scans - len(today))
        if len(older) > room:
            older = self.rng.sample(older, room)
        else:  # look-ups fill the rest
            people = [u for role in self.crew.values() for u in role]
            for _ in range(room - len(older)):
                at = self.past_shift_moment()
                if at < midnight:
                    item = self.rng.choice(self.items)
                    older.append([at, self.rng.choice(people), None, self.codes.get(item, str(item)), "item", "ok",
                                  "lookup", None])
        rows = sorted(older + today, key=lambda s: s[0])
        base = self.w.next_id("scan_logs")
        self.w.insert("scan_logs", "id, at, user_id, device_id, code, kind, outcome, screen, expected",
                      [[base + j, *s] for j, s in enumerate(rows)])
        self.stats["scans_today"] = len(today)

    def devices(self) -> None:
        rng, now = self.rng, self.now
        reports, tokens = [], []
        tid = self.w.next_id("api_tokens")
        screens = {"picker": "pick", "packer": "pack", "receiver": "receive"}
        for role, users in self.crew.items():
            for n, uid in enumerate(users):
                gone = role == "receiver" and n == len(users) - 1  # went home: an old report, signed out
                at = now - (timedelta(hours=5) if gone else timedelta(seconds=rng.uniform(5, 180)))
                queued = 3 if n == 1 else 0
                refused = 1 if (role, n) == ("picker", 2) else 0
                batch = self.active_batch.get(uid) or self.last_batch.get(uid) if role == "picker" else None
                reports.append([self.device[uid], uid, screens[role], batch, queued, refused,
                                at - timedelta(minutes=7) if queued else None, "bench", at])
                start = self.at(self.today, time(7, 55))
                tokens.append([tid, uid, "device", f"Handheld {self.device[uid]}",
                               hashlib.sha256(f"bench-{uid}-{rng.random()}".encode()).hexdigest(),
                               self.device[uid], start, start + timedelta(hours=10),
                               now - timedelta(hours=4) if gone else None])
                tid += 1
        self.w.insert("device_reports", "device_id, user_id, screen, batch_id, queued, refused, oldest_queued_at, "
                                        "app_version, reported_at", reports)
        self.w.insert("api_tokens", "id, user_id, kind, name, token_hash, device_id, created_at, expires_at, "
                                    "revoked_at", tokens)

    def jobs(self) -> None:
        now, jid, rows = self.now, self.w.next_id("jobs"), []
        for d in range(12):
            at = now - timedelta(days=d * 5 + 1)
            rows.append([jid + d, "import_orders", "done", 2400, 2400, {}, {"created": 2400}, 1, self.boss, at,
                         at + timedelta(seconds=5), at + timedelta(minutes=3)])
        rows.append([jid + 12, "import_orders", "running", 3400, 12000, {}, None, 1, self.boss,
                     now - timedelta(minutes=4), now - timedelta(minutes=4), None])
        rows.append([jid + 13, "print_labels", "queued", 0, 40, {}, None, 0, self.boss, now - timedelta(minutes=1),
                     None, None])
        self.w.insert("jobs", "id, kind, status, done, total, params, result, attempts, created_by, created_at, "
                              "started_at, finished_at", rows)

    def classes(self) -> None:
        """ABC classes by popularity, unless the item has one already (the demo's history may have set them)."""
        n = len(self.items)
        self.known_classes = dict(self.w.q("SELECT item_id, abc_class FROM item_classes"))
        self.abc = {item: self.known_classes.get(item) or ("A" if rank < n * 0.2 else "B" if rank < n * 0.5 else "C")
                    for rank, item in enumerate(self.items)}

    def reorder_points(self) -> None:
        rng, now = self.rng, self.now
        total = sum(self.weights)
        per_day = self.sizes.orders / self.sizes.days * 1.55 * 1.3
        classes, params = [], []
        have_params = {i for (i,) in self.w.q("SELECT item_id FROM replenishment_params")}
        low = set(rng.sample(self.items, min(12, len(self.items))))
        for rank, item in enumerate(self.items):
            demand = per_day * self.weights[rank] / total
            safety = math.ceil(1.65 * math.sqrt(7) * max(demand * 0.4, 0.5))
            point = math.ceil(demand * 7) + safety
            position = self.on_hand[item] - sum(q for (i, _l), q in self.reserved_units.items() if i == item)
            if item in low:
                point = max(point, position + rng.randint(1, 30))
            elif point >= position:
                point = max(0, position - 1)
            if item not in self.known_classes:
                classes.append([item, self.abc[item], round(demand, 3), round(demand * self.value[item], 1), now])
            if item not in have_params:
                params.append([item, 7.0, 1.0, 0.95, round(demand, 3), round(demand * 0.4, 3), safety, point, now,
                               now])
        self.w.insert("item_classes", "item_id, abc_class, units_per_day, value_per_day_cents, computed_at", classes)
        self.w.insert("replenishment_params", "item_id, lead_time_days, lead_time_sd_days, service_level, "
                                              "daily_demand, daily_demand_sd, safety_stock, reorder_point, "
                                              "computed_at, updated_at", params)


def generate(db, *, now: datetime, tz: tzinfo, sizes: Sizes = Sizes(), seed: int = 12) -> dict:
    """Write the history into db (migrated, demo warehouse in it); → what was written, and how long it took."""
    t0 = clock.perf_counter()
    w = Writer(db)
    try:
        h = History(w, now=now, tz=tz, sizes=sizes, seed=seed)
        h.load()
        h.people()
        h.classes()
        h.printers()
        h.orders()
        h.print_queue()
        order_moves = len(h.moves)
        receipt_lines = max(40, sizes.moves // 100)
        h.receiving(receipt_lines)
        h.counts(per_day=30)
        adjust = sizes.moves // 60
        opening_guess = len({k for k in h.net if k[1] not in h.virtual_ids and h.loc_kind(k[1]) == "bin"})
        h.replenish_and_adjust(max(0, sizes.moves - len(h.moves) - adjust - opening_guess), adjust)
        h.ledger()
        h.write_scans()
        h.devices()
        h.jobs()
        h.reorder_points()
        t_gen = clock.perf_counter() - t0
        w.finish()
    except BaseException:
        w.conn.rollback() if w.backend == "postgresql" else w.conn.execute("ROLLBACK")
        raise
    stats = dict(h.stats)
    moves = stats.pop("moves")
    return {"rows": dict(w.rows), "order_moves": order_moves, **stats, "moves_by_kind": dict(moves),
            "generate_and_insert_s": round(t_gen, 1), "total_s": round(clock.perf_counter() - t0, 1)}
