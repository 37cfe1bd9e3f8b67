"""Requests gunicorn refuses (too large, unreadable) get problem+json, not gunicorn's HTML (issue 7, item 5).

gunicorn refuses them before the app sees them (414 for a long request line, 431 for too many or too
large header fields), so this runs the real server as `make run` starts it, on a loopback port.
"""

from __future__ import annotations

import http.client
import json
import socket

import pytest

from tests.inventory.live import Gunicorn


def _ask(port: int, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def _ask_raw(port: int, request: bytes):
    """Send bytes no HTTP client would; the status, headers (lower-case names) and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _sep, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _s, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("worker_class", ["gthread", "sync"])
def test_oversized_requests_are_refused_as_problems(backend, database_url, tmp_path, worker_class):
    if worker_class == "sync" and backend == "postgresql":
        pytest.skip("refused before any database work: the threaded worker covers PostgreSQL")
    server = Gunicorn(database_url, tmp_path, workers=1, threads=1, SHIPFLOOR_WORKER_CLASS=worker_class).start()
    try:
        cases = {
            "long request line": (414, "uri_too_long", "/api/items?q=" + "x" * 9000, None),
            "long page address": (414, "uri_too_long", "/hh/" + "x" * 5000, None),
            "too many headers": (431, "headers_too_large", "/api/me", {f"X-Extra-{n}": "1" for n in range(150)}),
            "one huge header": (431, "headers_too_large", "/api/me", {"Authorization": "Bearer " + "a" * 9000}),
        }
        for name, (status, code, path, headers) in cases.items():
            got_status, got_headers, body = _ask(server.port, path, headers)
            assert got_status == status, (name, got_status, body[:200])
            assert got_headers.get("Content-Type") == "application/problem+json", (name, got_headers)
            problem = json.loads(body)
            assert problem["status"] == status and problem["code"] == code, (name, problem)
            assert problem["title"] and problem["detail"] and problem["type"], (name, problem)
            assert got_headers.get("X-Content-Type-Options") == "nosniff"
        for raw in (b"GET /api/me HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n",  # a space in a name
                    b"GET /api/me HTTP/7.1\r\nHost: x\r\n\r\n"):
            status, headers, body = _ask_raw(server.port, raw)
            assert status == 400 and headers.get("content-type") == "application/problem+json", (raw, status)
            assert json.loads(body)["code"] == "bad_request"
        # A request within the limits still reaches the app.
        assert _ask(server.port, "/healthz")[0] == 200
    finally:
        server.stop()
