"""A large CSV import while the floor works: does the import stop the scans and moves?

For each backend: a fresh database seeded through the API (bench/common.py), gunicorn started as
scripts/run.sh starts it (gunicorn.conf.py; SHIPFLOOR_WORKERS workers, default 5 = 2 × cores + 1) and the
job consumer (`flask --app wsgi jobs worker`). Then, with `--clients` floor clients (default 8) each
scanning (POST /api/scan) and moving one unit (POST /api/moves, own Idempotency-Key) in a loop:

1. baseline: --baseline seconds with no import running;
2. API: POST /api/items/import of --rows item rows (default 100,000: sku, name, a GTIN barcode), answered
   202 with a job; /api/jobs/<id> is polled until done;
3. page: the same number of other rows uploaded through the supervisor page (/items/import, signed in
   with a password and the form's CSRF token), which redirects to the job's progress page; the job's
   progress JSON is polled until done (--no-page skips it: the page queues the very same job).

Reported per phase: the clients' requests, failures (transport errors, 5xx, and any answer but 200/201),
p50/p99/max latency; the import's duration and rows/s; and p99 during an import over p99 at baseline.

    .venv/bin/python bench/import_load.py                      # SQLite, then PostgreSQL
    .venv/bin/python bench/import_load.py --backend sqlite --rows 20000 --baseline 10
    DATABASE_URL=postgresql://... .venv/bin/python bench/import_load.py --backend postgresql
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (HOST, PYTHON, ROOT, VENV_BIN, Api, Database, Server, database,  # noqa: E402
                          check_digit, fmt_table, log, machine_info, percentile, prepare_app, seed_catalogue,
                          write_results)
from bench.common import BENCH_PASSWORD, BENCH_USER  # noqa: E402

OK = (200, 201)


# --- the floor clients ----------------------------------------------------------------------------------

def _floor_client(port: int, token: str, mover: dict, code: str, stop, out) -> None:
    """Scan, move a unit a → b, scan, move it back ... until stop; (t, kind, status, seconds) per request."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    a, b = mover["a"], mover["b"]
    rows = []
    while not stop.is_set():
        for kind, path, body, extra in (
                ("scan", "/api/scan", {"code": code}, {}),
                ("move", "/api/moves", {"item": mover["sku"], "qty": 1, "from": a, "to": b},
                 {"Idempotency-Key": uuid.uuid4().hex})):
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, json.dumps(body).encode(), {**auth, **extra})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
            rows.append((time.time(), kind, status, time.perf_counter() - t0))
        a, b = b, a
    conn.close()
    out.put(rows)


def _driver(port, token, assignments, stop, out) -> None:
    threads = [threading.Thread(target=_floor_client, args=(port, token, m, c, stop, out))
               for m, c in assignments]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@contextmanager
def floor_load(port: int, token: str, cat, clients: int, procs: int = 2):
    """Run the floor clients while the block runs; yields a list that holds every request afterwards."""
    stop, out = mp.Event(), mp.Queue()
    per = [[] for _ in range(procs)]
    for n in range(clients):
        per[n % procs].append((cat.movers[n], next(it["gtin13"] for it in cat.items
                                                     if it["sku"] == cat.movers[n]["sku"])))
    drivers = [mp.Process(target=_driver, args=(port, token, assign, stop, out)) for assign in per if assign]
    for d in drivers:
        d.start()
    collected: list = []
    try:
        yield collected
    finally:
        stop.set()
        for _ in range(clients):
            collected.extend(out.get(timeout=120))
        for d in drivers:
            d.join(30)


def summarise(rows: list, start: float, end: float) -> dict:
    """The requests that started in [start, end]: count, failures, latency percentiles (ms)."""
    inside = [r for r in rows if start <= r[0] <= end]
    lat = sorted(r[3] for r in inside)
    failures = [r for r in inside if r[2] not in OK]
    by_kind = {kind: sorted(r[3] for r in inside if r[1] == kind) for kind in ("scan", "move")}
    ms = lambda v: round(v * 1000, 1)  # noqa: E731
    return {"requests": len(inside), "failures": len(failures),
            "failure_statuses": sorted({r[2] for r in failures}),
            "seconds": round(end - start, 1), "rps": round(len(inside) / max(end - start, 1e-9), 1),
            "p50_ms": ms(percentile(lat, 50)) if lat else None, "p99_ms": ms(percentile(lat, 99)) if lat else None,
            "max_ms": ms(lat[-1]) if lat else None,
            **{f"{k}_p99_ms": ms(percentile(v, 99)) if v else None for k, v in by_kind.items()}}


# --- the imports ------------------------------------------------------------------------------------------

def import_gtin(n: int) -> str:
    """A GTIN-13 outside the seeded catalogue's range (bench/common.py gtin13 keeps 5 digits for items)."""
    body = f"06142{n:07d}"
    return body + str(check_digit(body))


def items_csv(rows: int, prefix: str, gtin_offset: int) -> str:
    lines = ["sku,name,barcodes"]
    lines += [f"{prefix}-{n:06d},Imported item {n},{import_gtin(gtin_offset + n)}" for n in range(rows)]
    return "\n".join(lines) + "\n"


def import_through_api(api: Api, text: str) -> dict:
    t0 = time.time()
    job = api.post_csv("/api/items/import", text, expect=(200, 202))
    if "id" not in job:
        return {"start": t0, "end": time.time(), "result": job, "inline": True}
    while True:
        state = api.get(f"/api/jobs/{job['id']}")
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    return {"start": t0, "end": time.time(), "job": job["id"], "status": state["status"],
            "result": state["result"], "error": state["error"]}


class Browser:
    """Just enough of a browser for the supervisor pages: a cookie jar and the forms' CSRF token."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=300)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body, {**(headers or {}), **({"Cookie": cookie} if cookie else {})})
        resp = conn.getresponse()
        data = resp.read()
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return resp, data.decode("utf-8", "replace")

    def csrf(self, path: str) -> str:
        _resp, page = self.request("GET", path)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def login(self, username: str, password: str) -> None:
        body = urlencode({"username": username, "password": password, "csrf_token": self.csrf("/login")})
        resp, _page = self.request("POST", "/login", body.encode(),
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        assert resp.status == 302, resp.status


def import_through_page(port: int, text: str) -> dict:
    browser = Browser(port)
    browser.login(BENCH_USER, BENCH_PASSWORD)
    token = browser.csrf("/items/import")
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"items.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + text.encode() + f"\r\n--{boundary}--\r\n".encode()
    t0 = time.time()
    resp, page = browser.request("POST", "/items/import", body,
                                 {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert resp.status == 303, (resp.status, page[:2000])
    job_id = int(resp.headers["Location"].rsplit("job=", 1)[1])
    while True:
        _r, data = browser.request("GET", f"/jobs/{job_id}/progress")
        state = json.loads(data)
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    end = time.time()
    _r, page = browser.request("GET", f"/items/import?job={job_id}")
    created = re.search(r'id="import-created">(\d+)<', page)
    return {"start": t0, "end": end, "job": job_id, "status": state["status"], "error": state["error"],
            "result": {"created": int(created.group(1)) if created else None}}


# --- one backend ------------------------------------------------------------------------------------------

def run_backend(db: Database, args, workdir: Path) -> dict:
    env, token = prepare_app(db, workdir)
    env = dict(env, SHIPFLOOR_JOBS_QUEUE_FILE=str(workdir / "instance" / "jobs-queue.db"))
    flask = str(VENV_BIN / "flask") if (VENV_BIN / "flask").exists() else None
    worker_log = open(workdir / "jobs-worker.log", "ab")
    worker = subprocess.Popen([*([flask] if flask else [PYTHON, "-m", "flask"]), "--app", "wsgi", "jobs", "worker"],
                              cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    out = {"database": db.note}
    try:
        with Server(env, workdir, workers=args.workers, threads=1) as server:
            api = Api(server.port, token)
            log(f"{db.backend}: seeding")
            cat = seed_catalogue(api, n_items=max(300, args.clients), movers=args.clients)
            api_csv = items_csv(args.rows, "IMP", 0)
            page_csv = items_csv(args.rows, "PAGE", 5_000_000)
            with floor_load(server.port, token, cat, args.clients) as rows:
                time.sleep(2)  # connections up, caches warm
                t0 = time.time()
                time.sleep(args.baseline)
                t1 = time.time()
                api_run = page_run = None
                if not args.no_api:
                    log(f"{db.backend}: importing {args.rows} rows through the API")
                    api_run = import_through_api(api, api_csv)
                if not args.no_page:
                    time.sleep(2)
                    log(f"{db.backend}: importing {args.rows} rows through the page")
                    page_run = import_through_page(server.port, page_csv)
            out["baseline"] = summarise(rows, t0, t1)
            for name, run in (("api", api_run), ("page", page_run)):
                if run is None:
                    continue
                out[name] = {"import_seconds": round(run["end"] - run["start"], 1),
                             "rows_per_s": round(args.rows / (run["end"] - run["start"])),
                             "status": run.get("status", "inline"), "error": run.get("error"),
                             "created": (run["result"] or {}).get("created"),
                             "refused": len((run["result"] or {}).get("errors") or []),
                             "floor": summarise(rows, run["start"], run["end"])}
                base = out["baseline"]["p99_ms"]
                out[name]["p99_over_baseline"] = round(out[name]["floor"]["p99_ms"] / base, 2) if base else None
            verify = subprocess.run([*([flask] if flask else [PYTHON, "-m", "flask"]), "--app", "wsgi", "inventory",
                                     "verify"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
            out["inventory_verify"] = verify.stdout.strip().splitlines()[-1] if verify.stdout.strip() else verify.stderr
    finally:
        worker.terminate()
        worker.wait(30)
        worker_log.close()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--baseline", type=float, default=20.0, help="seconds of floor load with no import")
    p.add_argument("--workers", type=int, default=int(os.environ.get("SHIPFLOOR_WORKERS", 2 * os.cpu_count() + 1)))
    p.add_argument("--no-page", action="store_true", help="skip the supervisor page upload")
    p.add_argument("--no-api", action="store_true", help="skip the API upload")
    p.add_argument("--out", help="write the JSON here instead of bench/results/")
    args = p.parse_args()
    backends = args.backend or (["postgresql"] if os.environ.get("DATABASE_URL") else ["sqlite", "postgresql"])
    results = {"machine": machine_info(), "rows": args.rows, "clients": args.clients, "workers": args.workers,
               "backends": {}}
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix=f"import-load-{backend}-") as tmp:
            if backend == "postgresql" and os.environ.get("DATABASE_URL"):
                db = Database("postgresql", os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1),
                              note="PostgreSQL from DATABASE_URL")
                results["backends"][backend] = run_backend(db, args, Path(tmp))
            else:
                with database(backend, Path(tmp)) as db:
                    results["backends"][backend] = run_backend(db, args, Path(tmp))
    path = write_results("import_load", results, args.out)
    table = []
    for backend, r in results["backends"].items():
        table.append([backend, "baseline", "", "", r["baseline"]["requests"], r["baseline"]["failures"],
                      r["baseline"]["p50_ms"], r["baseline"]["p99_ms"], ""])
        for name in ("api", "page"):
            if name in r:
                f = r[name]["floor"]
                table.append([backend, f"{name} import", r[name]["import_seconds"], r[name]["rows_per_s"],
                              f["requests"], f["failures"], f["p50_ms"], f["p99_ms"], r[name]["p99_over_baseline"]])
    print(fmt_table(["backend", "phase", "import s", "rows/s", "requests", "failures", "p50 ms", "p99 ms",
                     "p99 / baseline"], table))
    print(f"results: {path}")


if __name__ == "__main__":
    main()
