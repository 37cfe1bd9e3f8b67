"""Shared machinery for the benchmarks (bench/): a throwaway database, the app migrated and served by
gunicorn on 127.0.0.1, seeding through the public API, and a closed-loop load driver.

Everything listens on and talks to 127.0.0.1 only. Every load run is bounded by a request count and
a wall-clock limit and stops by itself. Figures are meant to be read as ratios against a baseline
(`GET /healthz`) measured in the same run, on the same server, at the same concurrency.

The load driver runs N clients as threads spread over a few forked processes (so that the GIL of
one driver process is not what limits the rate). A serving *mode* names the gunicorn worker class and
how clients connect: `gthread/keepalive` (threaded workers, each client keeps one HTTP/1.1 connection
open, as a phone does on Wi-Fi), `gthread/new` and `sync/new` (a new TCP connection for every request:
the client sends `Connection: close`; gunicorn's sync workers close every connection anyway). The
driver counts the reconnects it made. The driver's own CPU time, the server's (gunicorn master +
workers) and the database server's (PostgreSQL) are measured from /proc for every run, so a reader can see whether the driver was the bottleneck: on a
2-core machine the driver shares the cores with the server.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import multiprocessing as mp
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
HOST = "127.0.0.1"
RESULTS_DIR = ROOT / "bench" / "results"
SECRET_KEY = "bench-secret-key-not-for-production"
BENCH_USER, BENCH_PASSWORD = "bench", "bench-password-1"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --- CPU accounting from /proc ------------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from "state" on (field 3 of proc(5))


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(int(name))
            if st:
                kids.setdefault(int(st[1]), []).append(int(name))
    return kids


def system_busy_seconds() -> float:
    """CPU seconds all cores of the machine spent busy so far (from /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / CLK_TCK


def wait_for_quiet(max_wait: float, *, threshold: float = 0.4, window: float = 2.0) -> dict:
    """Wait (at most max_wait seconds) until the machine is nearly idle before measuring.

    This machine may be shared with other work (test suites of other people); a measurement taken
    while they run shows their load, not ours. Returns how long we waited and the busy cores seen last.
    """
    t0 = time.monotonic()
    busy = 0.0
    while True:
        b0 = system_busy_seconds()
        time.sleep(window)
        busy = (system_busy_seconds() - b0) / window
        waited = time.monotonic() - t0
        if busy <= threshold or waited >= max_wait:
            return {"waited_s": round(waited, 1), "busy_cores_before": round(busy, 2)}


def tree_cpu_seconds(root_pid: int | None) -> float:
    """CPU seconds (user + system) of a process, its live descendants, and its reaped children."""
    if not root_pid:
        return 0.0
    kids = _children_map()
    total, todo, first = 0, [root_pid], True
    while todo:
        pid = todo.pop()
        st = _stat(pid)
        if st is None:
            continue
        total += int(st[11]) + int(st[12])  # utime, stime
        if first:
            total += int(st[13]) + int(st[14])  # cutime, cstime: children that have exited
            first = False
        todo.extend(kids.get(pid, []))
    return total / CLK_TCK


# --- the database -------------------------------------------------------------------------------------

@dataclass
class Database:
    backend: str
    url: str
    note: str
    pid: int | None = None  # the database server's main process (PostgreSQL), for CPU accounting
    version: str = ""

    def sqlite_path(self) -> str:
        return self.url.split("sqlite:///", 1)[1]

    def psycopg_url(self) -> str:
        return self.url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def database(backend: str, workdir: Path, *, pg_durable: bool = False):
    """A fresh, empty database: a SQLite file in workdir, or a throwaway PostgreSQL cluster."""
    if backend == "sqlite":
        sync = os.environ.get("SHIPFLOOR_SQLITE_SYNCHRONOUS", "FULL").upper()
        yield Database("sqlite", f"sqlite:///{workdir / 'bench.db'}",
                       note=f"SQLite {sqlite3.sqlite_version} file on local disk, WAL, synchronous={sync} "
                            + ("(the app's default; durable)" if sync == "FULL" else
                               "(NOT the app's default, set by SHIPFLOOR_SQLITE_SYNCHRONOUS)"),
                       version=sqlite3.sqlite_version)
        return
    if backend != "postgresql":
        raise ValueError(backend)
    from tests.pg import throwaway_cluster
    with throwaway_cluster(durable=pg_durable) as cluster:
        url = cluster.create_database("bench")
        pid = None
        with contextlib.suppress(OSError, ValueError):
            pid = int(open(os.path.join(cluster.admin_host, "data", "postmaster.pid")).readline())
        import psycopg
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        note = (f"PostgreSQL {version}, throwaway cluster on 127.0.0.1, "
                + ("durable (fsync on)" if pg_durable else
                   "NOT durable: fsync=off, synchronous_commit=off, full_page_writes=off (throughput only)"))
        yield Database("postgresql", url, note=note, pid=pid, version=version)


def app_env(db: Database, instance_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIPFLOOR_") or k in (
        "SHIPFLOOR_SQLITE_SYNCHRONOUS",)}
    env.update(DATABASE_URL=db.url, SECRET_KEY=SECRET_KEY, SHIPFLOOR_INSTANCE=str(instance_dir),
               PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def flask_cli(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    flask = str(VENV_BIN / "flask") if (VENV_BIN / "flask").exists() else None
    cmd = [flask] if flask else [PYTHON, "-m", "flask"]
    proc = subprocess.run([*cmd, "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)
    if check and proc.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def prepare_app(db: Database, workdir: Path) -> tuple[dict, str]:
    """Migrate the database and create the bench user (supervisor) and its API token."""
    instance = workdir / "instance"
    instance.mkdir(exist_ok=True)
    env = app_env(db, instance)
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "user", "add", BENCH_USER, "--role", "supervisor", "--password", BENCH_PASSWORD)
    token = flask_cli(env, "token", "create", BENCH_USER).stdout.strip().splitlines()[-1].strip()
    return env, token


# --- gunicorn -----------------------------------------------------------------------------------------

WORKER_CLASSES = ("gthread", "sync")
CONNECTIONS = ("keepalive", "new")
DEFAULT_MODES = "gthread/keepalive,gthread/new,sync/new"


@dataclass(frozen=True)
class Mode:
    """How the server runs (gunicorn worker class) and how each client connects (keepalive or new)."""

    worker_class: str
    connection: str

    @property
    def name(self) -> str:
        return f"{self.worker_class}/{self.connection}"


def parse_modes(text: str) -> list[Mode]:
    """"gthread/keepalive,sync/new" → [Mode, ...]; refuses unknown names."""
    modes = []
    for part in text.split(","):
        worker_class, _sep, connection = part.strip().partition("/")
        if worker_class not in WORKER_CLASSES or connection not in CONNECTIONS:
            raise ValueError(f"bad mode {part!r}: use worker class {'|'.join(WORKER_CLASSES)} "
                             f"/ connection {'|'.join(CONNECTIONS)}, e.g. gthread/keepalive")
        modes.append(Mode(worker_class, connection))
    return modes


def add_mode_ratios(rows: list[dict], name: str) -> None:
    """Each row's `name` req/s over the first mode's at the same concurrency (measured in this run)."""
    first: dict = {}
    for r in rows:
        base = first.setdefault(r["clients"], r)
        r["vs_mode"] = base["mode"]
        r[f"{name}_rps_over_first_mode"] = round(r[name]["rps"] / base[name]["rps"], 2) if base[name]["rps"] else None


def by_worker_class(modes: list[Mode]) -> dict[str, list[Mode]]:
    """Group modes by worker class, in first-seen order: one server start per worker class."""
    groups: dict[str, list[Mode]] = {}
    for m in modes:
        groups.setdefault(m.worker_class, []).append(m)
    return groups


class Server:
    """gunicorn -c gunicorn.conf.py wsgi:app on a free loopback port; stopped on exit.

    worker_class "sync" runs one thread a worker (gunicorn would switch to gthread with more).
    """

    def __init__(self, env: dict, workdir: Path, *, workers: int = 4, threads: int = 1,
                 worker_class: str = "gthread", keepalive: int = 5):
        self.env, self.workdir, self.workers = env, workdir, workers
        self.worker_class, self.keepalive = worker_class, keepalive
        self.threads = 1 if worker_class == "sync" else threads
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = workdir / "gunicorn.log"

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> "Server":
        self.port = free_port()
        env = dict(self.env, SHIPFLOOR_BIND=f"{HOST}:{self.port}", SHIPFLOOR_WORKERS=str(self.workers),
                   SHIPFLOOR_THREADS=str(self.threads), SHIPFLOOR_WORKER_CLASS=self.worker_class,
                   SHIPFLOOR_KEEPALIVE=str(self.keepalive),
                   # "" would be the natural way to say "no access log", but gunicorn then tries to open
                   # a file named "" and refuses to start; /dev/null still formats each line (equal cost
                   # for the baseline and the endpoint under test).
                   SHIPFLOOR_ACCESS_LOG="/dev/null")
        gunicorn = str(VENV_BIN / "gunicorn") if (VENV_BIN / "gunicorn").exists() else None
        cmd = [gunicorn] if gunicorn else [PYTHON, "-m", "gunicorn"]
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([*cmd, "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.log_path.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200 and len(self.worker_pids()) >= self.workers:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def worker_pids(self) -> list[int]:
        return _children_map().get(self.proc.pid, []) if self.proc else []

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.proc.pid if self.proc else None)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc:
            self._log.close()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- a small API client for seeding -----------------------------------------------------------------

class Api:
    def __init__(self, base_port: int, token: str):
        self.port, self.token = base_port, token

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
             expect: tuple[int, ...] = (200, 201)) -> dict:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=300)
        try:
            conn.request(method, path, body, {"Authorization": f"Bearer {self.token}", **(headers or {})})
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        if resp.status not in expect:
            raise RuntimeError(f"{method} {path} -> {resp.status}: {data[:2000]!r}")
        return json.loads(data) if data else {}

    def get(self, path: str, **kw) -> dict:
        return self.call("GET", path, **kw)

    def post_json(self, path: str, obj, **kw) -> dict:
        return self.call("POST", path, json.dumps(obj).encode(), {"Content-Type": "application/json"}, **kw)

    def post_csv(self, path: str, text: str, **kw) -> dict:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"seed.csv\"\r\n"
                f"Content-Type: text/csv\r\n\r\n").encode() + text.encode() + f"\r\n--{boundary}--\r\n".encode()
        return self.call("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}, **kw)


# --- the seeded catalogue -----------------------------------------------------------------------------

COMPANY_PREFIX = "0614141"  # GS1's documentation prefix: valid check digits, never a real product


def check_digit(data: str) -> int:
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(data)))
    return (10 - total % 10) % 10


def gtin13(n: int) -> str:
    body = f"{COMPANY_PREFIX}{n:05d}"
    return body + str(check_digit(body))


@dataclass
class Catalogue:
    items: list[dict] = field(default_factory=list)      # sku, gtin13, lot (None unless lot-tracked)
    bins: list[str] = field(default_factory=list)
    totes: list[str] = field(default_factory=list)
    stock: dict[str, list[str]] = field(default_factory=dict)  # sku -> bins holding it
    movers: list[dict] = field(default_factory=list)     # per move client: sku, a, b (both stocked)


def seed_catalogue(api: Api, *, n_items: int = 300, movers: int = 64, mover_qty: int = 100000) -> Catalogue:
    """Items, locations and opening stock through the go-live CSV imports of the API.

    n_items items (every 4th tracked by lot and expiry), 300 bins in two zones, a staging location
    with 20 totes, opening stock for every item, and `movers` non-lot items stocked with mover_qty in
    two bins each for the move benchmark (one item and pair of bins per client).
    """
    cat = Catalogue()
    zones = ("A", "B")
    loc_rows = ["code,zone,kind,parent,aisle,bay,level,pick_sequence"]
    seq = 0
    for zone in zones:
        for aisle in range(1, 6):
            for bay in range(1, 11):
                for level in "ABC":
                    seq += 1
                    code = f"{zone}-{aisle:02d}-{bay:02d}-{level}"
                    loc_rows.append(f"{code},{zone},bin,,{aisle},{bay},{level},{seq}")
                    cat.bins.append(code)
    loc_rows.append("STAGE-1,S,staging,,,,,")
    for t in range(1, 21):
        code = f"TOTE-{t:03d}"
        loc_rows.append(f"{code},,tote,STAGE-1,,,,")
        cat.totes.append(code)
    res = api.post_csv("/api/locations/import", "\n".join(loc_rows) + "\n")
    assert not res.get("errors"), res

    item_rows = ["sku,name,barcodes,tracks_lot,tracks_expiry"]
    for n in range(n_items):
        lot_tracked = n % 4 == 3
        sku = f"BN-{n:04d}"
        g13 = gtin13(n + 1)
        item_rows.append(f"{sku},Bench item {n},{g13},{'yes' if lot_tracked else 'no'},"
                         f"{'yes' if lot_tracked else 'no'}")
        cat.items.append({"sku": sku, "gtin13": g13, "lot": f"L{n:05d}" if lot_tracked else None})
    res = api.post_csv("/api/items/import", "\n".join(item_rows) + "\n")
    assert not res.get("errors"), res

    expiry = (date.today() + timedelta(days=200)).isoformat()
    stock_rows = ["item,location,qty,lot,expiry"]
    plain = [it for it in cat.items if it["lot"] is None]
    mover_items = plain[:movers]
    used = 0
    for it in mover_items:
        a, b = cat.bins[used % len(cat.bins)], cat.bins[(used + 1) % len(cat.bins)]
        used += 2
        stock_rows += [f"{it['sku']},{a},{mover_qty},,", f"{it['sku']},{b},{mover_qty},,"]
        cat.stock[it["sku"]] = [a, b]
        cat.movers.append({"sku": it["sku"], "a": a, "b": b})
    for it in cat.items:
        if it["sku"] in cat.stock:
            continue
        loc = cat.bins[used % len(cat.bins)]
        used += 1
        stock_rows.append(f"{it['sku']},{loc},{20 + used % 40},{it['lot'] or ''},{expiry if it['lot'] else ''}")
        cat.stock[it["sku"]] = [loc]
    res = api.post_csv("/api/stock/import", "\n".join(stock_rows) + "\n")
    assert not res.get("errors"), res
    return cat


# --- the load driver ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Req:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class LoadResult:
    label: str
    clients: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict
    errors: int
    unexpected: int
    reconnects: int
    driver_procs: int
    driver_cores: float   # CPU used by the load driver, in cores (CPU seconds / wall seconds)
    server_cores: float   # gunicorn master + workers
    db_cores: float       # PostgreSQL server processes (0 for SQLite: it runs inside the workers)
    other_cores: float    # everything else busy on the machine meanwhile (other people's work)
    latencies: list = field(default_factory=list, repr=False)  # seconds, sorted; not written out

    def row(self) -> dict:
        d = asdict(self)
        d.pop("latencies")
        return d


def merge(results: list[LoadResult]) -> LoadResult:
    """Pool interleaved slices of one measurement: total requests over total time, pooled percentiles."""
    lat = sorted(x for r in results for x in r.latencies)
    seconds = sum(r.seconds for r in results)
    n = len(lat)
    statuses: Counter = Counter()
    for r in results:
        statuses.update(r.statuses)

    def wavg(attr):
        return round(sum(getattr(r, attr) * r.seconds for r in results) / seconds, 2) if seconds else 0.0
    first = results[0]
    return LoadResult(
        label=first.label, clients=first.clients, requests=n, seconds=round(seconds, 3), rps=round(n / seconds, 1),
        p50_ms=_ms(percentile(lat, 50)), p90_ms=_ms(percentile(lat, 90)), p99_ms=_ms(percentile(lat, 99)),
        max_ms=_ms(lat[-1] if lat else float("nan")), statuses=dict(sorted(statuses.items())),
        errors=sum(r.errors for r in results), unexpected=sum(r.unexpected for r in results),
        reconnects=sum(r.reconnects for r in results), driver_procs=first.driver_procs,
        driver_cores=wavg("driver_cores"), server_cores=wavg("server_cores"), db_cores=wavg("db_cores"),
        other_cores=wavg("other_cores"), latencies=lat)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return sorted_values[k]


def _client(port: int, reqs: list[Req], go: mp.Event, go_at, deadline_s: float, out: list,
            connection: str = "keepalive") -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    close = (("Connection", "close"),) if connection == "new" else ()
    lat: list[float] = []
    statuses: Counter = Counter()
    errors = reconnects = 0
    go.wait()
    deadline = go_at.value + deadline_s
    t_start = time.perf_counter()
    for r in reqs:
        t0 = time.perf_counter()
        if t0 > deadline:
            break
        try:
            conn.request(r.method, r.path, r.body, dict(r.headers + close))
            resp = conn.getresponse()
            resp.read()
            if resp.will_close:  # http.client has closed the socket; the next request reconnects
                reconnects += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            continue
        lat.append(time.perf_counter() - t0)
        statuses[resp.status] += 1
    out.append({"lat": lat, "statuses": dict(statuses), "errors": errors, "reconnects": reconnects,
                "start": t_start, "end": time.perf_counter()})
    conn.close()


def _driver_proc(port, client_reqs, go, go_at, deadline_s, ready, results, connection):
    out: list = []
    threads = [threading.Thread(target=_client, args=(port, reqs, go, go_at, deadline_s, out, connection))
               for reqs in client_reqs]
    for t in threads:
        t.start()
    ready.put(os.getpid())
    go.wait()
    c0 = os.times()
    for t in threads:
        t.join()
    c1 = os.times()
    results.put({"clients": out, "cpu": (c1.user - c0.user) + (c1.system - c0.system)})


def default_driver_procs(clients: int) -> int:
    return 1 if clients == 1 else 2


def run_load(label: str, port: int, per_client: list[list[Req]], *, max_seconds: float = 60.0,
             expect: tuple[int, ...] = (200,), driver_procs: int | None = None,
             server: Server | None = None, db: Database | None = None,
             connection: str = "keepalive") -> LoadResult:
    """Closed loop: each client sends its requests one after another, as fast as answers come back.

    Stops when every client has sent its list, or after max_seconds. Throughput counts answers of any
    status over the whole run (first request sent → last answer); latencies are per request, including
    the reconnect a closed keep-alive connection needs. connection "new" opens a new TCP connection for
    every request ("keepalive": one per client, reopened only when the server closes it).
    """
    clients = len(per_client)
    procs = max(1, min(clients, driver_procs or default_driver_procs(clients)))
    ctx = mp.get_context("fork")
    go, ready, results = ctx.Event(), ctx.Queue(), ctx.Queue()
    go_at = ctx.Value("d", 0.0)
    groups = [per_client[i::procs] for i in range(procs)]
    workers = [ctx.Process(target=_driver_proc, args=(port, g, go, go_at, max_seconds, ready, results, connection),
                           daemon=True) for g in groups]
    for w in workers:
        w.start()
    for _ in workers:
        ready.get(timeout=60)
    s0 = server.cpu_seconds() if server else 0.0
    d0 = tree_cpu_seconds(db.pid) if db and db.pid else 0.0
    b0 = system_busy_seconds()
    go_at.value = time.perf_counter()
    t0 = go_at.value
    go.set()
    outs = [results.get(timeout=max_seconds + 120) for _ in workers]
    wall = time.perf_counter() - t0
    s1 = server.cpu_seconds() if server else 0.0
    d1 = tree_cpu_seconds(db.pid) if db and db.pid else 0.0
    b1 = system_busy_seconds()
    for w in workers:
        w.join(10)
    per = [c for o in outs for c in o["clients"]]
    lat = sorted(x for c in per for x in c["lat"])
    statuses: Counter = Counter()
    for c in per:
        statuses.update(c["statuses"])
    start = min((c["start"] for c in per), default=t0)
    end = max((c["end"] for c in per), default=t0)
    seconds = max(end - start, 1e-9)
    n = len(lat)
    driver_cpu = sum(o["cpu"] for o in outs)
    return LoadResult(
        label=label, clients=clients, requests=n, seconds=round(seconds, 3), rps=round(n / seconds, 1),
        p50_ms=_ms(percentile(lat, 50)), p90_ms=_ms(percentile(lat, 90)),
        p99_ms=_ms(percentile(lat, 99)), max_ms=_ms(lat[-1] if lat else float("nan")),
        statuses={str(k): v for k, v in sorted(statuses.items())},
        errors=sum(c["errors"] for c in per),
        unexpected=sum(v for k, v in statuses.items() if k not in expect),
        reconnects=sum(c["reconnects"] for c in per), driver_procs=procs,
        driver_cores=round(driver_cpu / wall, 2), server_cores=round((s1 - s0) / wall, 2),
        db_cores=round((d1 - d0) / wall, 2),
        other_cores=round(max(0.0, (b1 - b0) - driver_cpu - (s1 - s0) - (d1 - d0)) / wall, 2), latencies=lat)


def interleaved(port: int, make: dict, *, rounds: int, expect: dict, **kw) -> tuple[dict, dict]:
    """Measure several request streams in alternating slices (A B, B A, A B, ...) on the same server.

    make[name](round) gives that round's per-client request lists. Alternating keeps a baseline and the
    endpoint under test exposed to the same background load (this machine is shared), and the order
    flips each round so that neither always runs first. Returns the pooled result per stream and, per
    stream, the list of per-round results (for per-round ratios).
    """
    slices: dict[str, list[LoadResult]] = {name: [] for name in make}
    for rnd in range(rounds):
        order = list(make) if rnd % 2 == 0 else list(reversed(list(make)))
        for name in order:
            slices[name].append(run_load(name, port, make[name](rnd), expect=expect.get(name, (200,)), **kw))
    return {name: merge(s) for name, s in slices.items()}, slices


def ratio_summary(base: list[LoadResult], test: list[LoadResult]) -> dict:
    """Per-round ratios test/base (rps and p99), with their median: robust to a noisy round."""
    import statistics
    rps = [round(t.rps / b.rps, 3) for b, t in zip(base, test) if b.rps]
    p99 = [round(t.p99_ms / b.p99_ms, 2) for b, t in zip(base, test) if b.p99_ms]
    return {"rps_ratio_per_round": rps, "rps_ratio_median": round(statistics.median(rps), 3) if rps else None,
            "p99_ratio_per_round": p99, "p99_ratio_median": round(statistics.median(p99), 2) if p99 else None}


def split(reqs: list[Req], clients: int) -> list[list[Req]]:
    """Deal a request list out to clients (round-robin), keeping each client's order."""
    return [reqs[i::clients] for i in range(clients)]


def healthz_requests(n: int) -> list[Req]:
    return [Req("GET", "/healthz")] * n


# --- reporting ----------------------------------------------------------------------------------------

def machine_info() -> dict:
    info = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version}
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["mem_gib"] = round(int(line.split()[1]) / 2**20, 1)
                break
    try:
        import gunicorn
        info["gunicorn"] = gunicorn.__version__
    except ImportError:
        pass
    return info


def write_results(kind: str, payload: dict, out: str | None = None) -> Path:
    if out:
        path = Path(out)
    else:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


def fmt_table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
