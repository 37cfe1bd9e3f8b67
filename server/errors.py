"""Domain errors and the single problem+json shape every /api error answers with (CONTRACT.md)."""

from __future__ import annotations

import logging

from apiflask import HTTPError
from flask import Flask, jsonify, render_template_string, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

# The OpenAPI description of every error answer (CONTRACT.md "Errors").
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "code": {"type": "string", "description": "stable snake_case word the handheld switches on"},
        "detail": {"type": "string", "description": "a sentence a floor worker understands"},
        "field": {"type": "string"}, "expected": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": ["string", "null"], "description": "null: the body as a whole"},
            "detail": {"type": "string"}}}},
        "lots": {"type": "array", "description": "lot_required: the lots on hand to choose from, first to expire "
                 "first", "items": {"type": "object", "properties": {
                     "lot": {"type": "string"}, "expiry": {"type": "string", "format": "date", "nullable": True},
                     "qty": {"type": "integer"}, "available": {"type": "integer"},
                     "first_expiry": {"type": "boolean"}}}},
    },
}


class DomainError(Exception):
    """A refusal a floor worker can act on. Subclasses set status, code and title."""

    status = 409
    code = "conflict"
    title = "Conflict"

    def __init__(self, detail: str, *, field: str | None = None, expected: str | None = None,
                 headers: dict | None = None, **extra):
        super().__init__(detail)
        self.detail, self.field, self.expected = detail, field, expected
        self.headers = headers or {}
        self.extra = extra


class Unauthorized(DomainError):
    status, code, title = 401, "unauthorized", "Sign in needed"


class BadCredentials(Unauthorized):
    code, title = "bad_credentials", "Wrong badge, name or PIN"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Not allowed"


class BadRequest(DomainError):
    status, code, title = 400, "bad_request", "Bad request"


class InvalidInput(DomainError):
    status, code, title = 422, "invalid_input", "Invalid input"


class NotFound(DomainError):
    status, code, title = 404, "not_found", "Not found"


def get_or_404(model, ident, detail: str, field: str | None = None):
    """The row of `model` with primary key `ident`, or NotFound with the caller's sentence and field.

    Unlike Flask-SQLAlchemy's db.get_or_404 (a bare 404), the handheld shows `detail` as it is, so each
    caller passes its own translated sentence ("There is no batch 7.") and the request field it names.
    """
    row = db.session.get(model, ident)
    if row is None:
        raise NotFound(detail, field=field)
    return row


class TooManyAttempts(DomainError):
    status, code, title = 429, "too_many_attempts", "Too many attempts"


class ServiceBusy(DomainError):
    status, code, title = 503, "busy", "Busy, try again"


def problem_body(status: int, code: str, title: str, detail: str, **extra) -> dict:
    """The problem+json document (also written by server/gunicorn_workers.py, outside any request)."""
    body = {"type": f"/problems/{code.replace('_', '-')}", "title": title, "status": status,
            "code": code, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem(status: int, code: str, title: str, detail: str, **extra):
    """Build a problem+json response."""
    resp = jsonify(problem_body(status, code, title, detail, **extra))
    resp.status_code = status
    resp.mimetype = PROBLEM_JSON
    return resp


def _wants_problem() -> bool:
    return request.path.startswith("/api/") or request.path in ("/api", "/healthz")


def _field_errors(detail) -> list[dict]:
    """Flatten marshmallow's {'json': {'qty': ['msg']}} into [{'field': 'qty', 'detail': 'msg'}]."""
    out: list[dict] = []

    def walk(prefix: str, node):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        elif isinstance(node, (list, tuple)):
            if all(isinstance(x, str) for x in node):
                out.append({"field": prefix or None, "detail": " ".join(node)})
            else:
                for value in node:
                    walk(prefix, value)
        else:
            out.append({"field": prefix or None, "detail": str(node)})

    for location, fields in (detail or {}).items():  # location: json, query, form, files...
        walk("", fields)
    return out


def _errors_text(errors: list[dict]) -> str:
    return "; ".join(f"{x['field']}: {x['detail']}" if x["field"] else x["detail"] for x in errors)


def field_errors_text(messages) -> str:
    """marshmallow's {'qty': ['msg']} as one line, worded as the API's 422 detail (CSV import rows)."""
    return _errors_text(_field_errors({"row": messages}))


_HTML_ERROR = """<!doctype html><title>{{ code }}</title><body>
<h1>{{ code }} {{ title }}</h1><p>{{ detail }}</p><p><a href="/">{{ home }}</a></p></body>"""


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(e: DomainError):
        if not _wants_problem():
            return render_template_string(_HTML_ERROR, code=e.status, title=e.title, detail=e.detail,
                                          home=_("Back to start")), e.status
        resp = problem(e.status, e.code, e.title, e.detail, field=e.field, expected=e.expected, **e.extra)
        resp.headers.update(e.headers)
        return resp

    @app.errorhandler(HTTPError)  # APIFlask: request validation (422) and abort()
    def _apiflask(e: HTTPError):
        if e.status_code == 422:
            errors = _field_errors(e.detail)
            first = errors[0] if errors else {"field": None, "detail": "The request is not valid."}
            detail = _errors_text(errors)
            return problem(422, "invalid_input", "Invalid input", detail or first["detail"],
                           field=first["field"], errors=errors)
        return _http(e.status_code, e.message or "", headers=e.headers)

    @app.errorhandler(HTTPException)
    def _werkzeug(e: HTTPException):
        return _http(e.code or 500, e.description or e.name, headers=dict(e.get_headers()))

    @app.after_request
    def _bodiless_answers_say_no_type(response):
        # An /api answer is problem+json or its documented body: a 204 (logout) or the automatic OPTIONS
        # answer has no body, so it must not claim one (Flask labels them JSON or HTML by default).
        automatic_options = request.method == "OPTIONS" and response.status_code == 200
        if request.path.startswith("/api") and (response.status_code == 204 or automatic_options):
            response.status_code = 204
            response.set_data(b"")
            del response.headers["Content-Type"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _http(500, "")

    @app.errorhandler(DBAPIError)
    def _database(e: DBAPIError):
        # A full or read-only database is a 503 the floor can act on (server/storage.py), answered as
        # any DomainError is: problem+json for the API, the blueprint's own error page for the pages.
        from .storage import StorageFault, fault_reason, remember
        reason = fault_reason(e, db.engine.url.database)
        if reason is None:
            return _unexpected(e)
        log.error("storage fault (%s) on %s %s: %s", reason, request.method, request.path, e.orig)
        db.session.rollback()
        remember(reason)
        return app.handle_user_exception(StorageFault(reason))


_GENERIC = {
    400: ("bad_request", "Bad request", "The request could not be read."),
    401: ("unauthorized", "Sign in needed", "Sign in first: send a valid bearer token."),
    403: ("forbidden", "Not allowed", "Your role does not allow this."),
    404: ("not_found", "Not found", "There is nothing at this address."),
    405: ("method_not_allowed", "Method not allowed", "This address does not take that method."),
    413: ("too_large", "Too large", "The upload is too large."),
    415: ("unsupported_media_type", "Unsupported media type", "Send JSON with Content-Type application/json."),
    429: ("too_many_attempts", "Too many attempts", "Too many attempts; wait and try again."),
    500: ("internal_error", "Something went wrong", "Something went wrong on the server. Try again; if it repeats, call a supervisor."),
    503: ("busy", "Busy, try again", "The server is busy. Try again in a moment."),
}


def _http(status: int, description: str, headers: dict | None = None):
    code, title, default_detail = _GENERIC.get(status, ("error", "Error", "The request failed."))
    # A 5xx says nothing internal; werkzeug's stock descriptions are for developers, not the floor.
    detail = default_detail if status >= 500 or not description or status in (404, 405) else description
    if not _wants_problem():
        return render_template_string(_HTML_ERROR, code=status, title=title, detail=detail,
                                      home=_("Back to start")), status
    resp = problem(status, code, title, detail)
    for k, v in (headers or {}).items():
        if k.lower() not in ("content-type", "content-length"):
            resp.headers[k] = v
    return resp
