"""gunicorn settings for `make run` and production: threaded workers with keep-alive over one database.

Keep-alive: gunicorn's sync workers answer every request with `Connection: close`, so each scan from
a phone would pay a new TCP connection (and under HTTPS a new TLS handshake) on warehouse Wi-Fi. The
gthread workers keep an idle connection open for `keepalive` seconds; a thread serves one request at
a time, idle connections wait in the worker's poller without holding a thread (so one thread suffices).

Threads and the database: each request has its own SQLAlchemy session and pooled connection (SQLite
connections are never shared by two threads at once; the pool allows 15 per worker, more than the
threads). SQLite still lets one writer in at a time (BEGIN IMMEDIATE + busy_timeout, server/db.py).

Alternative: terminate TLS and keep-alive in a reverse proxy (nginx, Caddy) in front of sync
workers; the proxy holds the phones' connections open and talks to gunicorn over loopback. Then set
SHIPFLOOR_WORKER_CLASS=sync and bind gunicorn to 127.0.0.1 only.
"""

import multiprocessing
import os

bind = os.environ.get("SHIPFLOOR_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("SHIPFLOOR_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# One thread per worker by default: measured on 2 cores (bench/RESULTS.md), 4 threads fought over each
# worker's GIL (scan p99 46 ms, 933 scans/s at 8 clients) where 1 thread gave 14.6 ms and 1241/s. Keep-alive
# does not need more threads: idle connections wait in the poller. More threads help when requests wait on
# the network or on PostgreSQL rather than on the CPU.
threads = int(os.environ.get("SHIPFLOOR_THREADS", "1"))
# "sync" only behind a reverse proxy that keeps the clients' connections alive (see above). Both are
# gunicorn's workers with one change: the requests gunicorn refuses for their size (the limits below)
# are answered as problem+json, not HTML (server/gunicorn_workers.py).
_WORKERS = {"gthread": "server.gunicorn_workers.ThreadWorker", "sync": "server.gunicorn_workers.SyncWorker"}
worker_class = _WORKERS.get(os.environ.get("SHIPFLOOR_WORKER_CLASS", "gthread"),
                            os.environ.get("SHIPFLOOR_WORKER_CLASS"))
# gunicorn's defaults, stated: a request line (method, path and query) up to 4094 bytes, 100 header
# fields of up to 8190 bytes each. Larger ones get 414 / 431 problem answers; long data goes in a body.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Seconds an idle client connection stays open: a handheld scanning every few seconds keeps reusing it.
keepalive = int(os.environ.get("SHIPFLOOR_KEEPALIVE", "5"))
timeout = 30
graceful_timeout = 10
accesslog = os.environ.get("SHIPFLOOR_ACCESS_LOG", "-") or None  # "" turns the access log off
certfile = os.environ.get("SHIPFLOOR_CERT") or None
keyfile = os.environ.get("SHIPFLOOR_KEY") or None


def on_starting(server):
    # Create SECRET_KEY once, in the master, before any worker starts (DESIGN decision 11).
    if not os.environ.get("SECRET_KEY"):
        from server.config import ensure_secret_key
        ensure_secret_key()
