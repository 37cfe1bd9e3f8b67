"""The server as `make run` starts it keeps a handheld's connection open between requests.

gunicorn.conf.py's default threaded workers answer with keep-alive, so a phone's scans share one TCP
(and TLS) connection; sync workers, for use behind a keep-alive reverse proxy only, close every one.
"""

from __future__ import annotations

import http.client

from tests.inventory.live import Gunicorn


def _two_requests_on_one_connection(port: int) -> list[bool]:
    """Send two GET /healthz on one connection; for each, whether the server said it will close."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    closes = []
    try:
        for _ in range(2):
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200
            closes.append(resp.will_close)
    finally:
        conn.close()
    return closes


def test_the_default_workers_keep_the_connection_alive(database_url, tmp_path):
    server = Gunicorn(database_url, tmp_path, workers=1)
    for var in ("SHIPFLOOR_THREADS", "SHIPFLOOR_WORKER_CLASS", "SHIPFLOOR_KEEPALIVE"):  # the config's defaults
        server.env.pop(var, None)
    server.start()
    try:
        assert _two_requests_on_one_connection(server.port) == [False, False]
    finally:
        server.stop()


def test_sync_workers_close_every_connection(database_url, tmp_path):
    server = Gunicorn(database_url, tmp_path, workers=1, threads=1, SHIPFLOOR_WORKER_CLASS="sync").start()
    try:
        assert _two_requests_on_one_connection(server.port) == [True, True]
    finally:
        server.stop()
