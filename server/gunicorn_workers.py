"""gunicorn's workers, answering the requests gunicorn refuses itself as problem+json.

gunicorn refuses a request line past limit_request_line (414), header fields past
limit_request_fields / limit_request_field_size (431) and a request head it cannot read (400) before
the app sees the request, with an HTML page: a handheld or an integrator would get HTML where the contract promises problem+json. These
workers write the same refusals as problem+json. The path is unknown at that point (a 414 may not
even have a whole request line), so every such refusal, a page's too, is problem+json.

Raising gunicorn's limits and checking ours in the app would not do: past gunicorn's hard maximum
(8190 bytes for the request line) it answers HTML again. The limits stay gunicorn's (gunicorn.conf.py).
The text is English: there is no request to choose a language from.
"""

from __future__ import annotations

import json

from gunicorn import util
from gunicorn.http.errors import (
    InvalidHeader, InvalidHeaderName, InvalidHTTPVersion, InvalidRequestLine, InvalidRequestMethod,
    InvalidResponseHeader, InvalidResponseHeaderName, LimitRequestHeaders, LimitRequestLine, ObsoleteFolding,
)
from gunicorn.workers.gthread import ThreadWorker as _GunicornThreadWorker
from gunicorn.workers.sync import SyncWorker as _GunicornSyncWorker

from .errors import PROBLEM_JSON, problem_body

_REFUSALS = (
    (LimitRequestLine, 414, "URI Too Long", problem_body(
        414, "uri_too_long", "Address too long",
        "The address of the request is too long for the server. Send long data in the body.")),
    (LimitRequestHeaders, 431, "Request Header Fields Too Large", problem_body(
        431, "headers_too_large", "Headers too large",
        "The request has too many or too large header fields.")),
    # A request head gunicorn cannot read (a malformed request line, method, version or header).
    ((InvalidRequestLine, InvalidRequestMethod, InvalidHTTPVersion, InvalidHeader, InvalidHeaderName,
      ObsoleteFolding), 400, "Bad Request", problem_body(
        400, "bad_request", "Bad request", "The request could not be read.")),
)
# Raised for the app's own answer, not the client's request: gunicorn's 500 stands.
_NOT_THE_CLIENTS = (InvalidResponseHeader, InvalidResponseHeaderName)


def _answer(status: int, reason: str, body: dict) -> bytes:
    payload = json.dumps(body).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: {PROBLEM_JSON}\r\n"
            f"Content-Length: {len(payload)}\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n"
            "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n\r\n")
    return head.encode("latin-1") + payload


class ProblemRefusals:
    """Mixed into a gunicorn worker: its size refusals as problem+json; anything else as gunicorn does."""

    def handle_error(self, req, client, addr, exc):
        for error, status, reason, body in _REFUSALS:
            if isinstance(exc, error) and not isinstance(exc, _NOT_THE_CLIENTS):
                self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
                try:
                    util.write_nonblock(client, _answer(status, reason, body))
                except Exception:  # the client is gone: nothing to tell it
                    self.log.debug("Failed to send error message.")
                return
        super().handle_error(req, client, addr, exc)


class ThreadWorker(ProblemRefusals, _GunicornThreadWorker):
    pass


class SyncWorker(ProblemRefusals, _GunicornSyncWorker):
    pass
