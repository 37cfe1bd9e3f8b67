"""The one way to declare an /api write route (DESIGN decision 14, STYLE §11).

    @bp.write("/moves", roles=ANY_ROLE, body=MoveIn, out=MoveOut, status=201, summary="Move stock")
    def post_moves(body): ...

fixes the order every write goes through: role check (401 → 403) → Idempotency-Key and one transaction
→ input (422) → the handler → output schema. Routes that are not stock writes (login, scan, logout) are
declared with `bp.action(...)`: same order, but the handler runs its own transaction(s).
The declaration marks the view; `undeclared_write_routes(app)` finds any /api write registered otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from apiflask import APIBlueprint as _APIBlueprint
from flask import current_app

from .auth.guard import require_role
from .auth.models import Role
from .errors import PROBLEM_JSON
from .idempotency import idempotent

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class WriteRoute:
    """What a declaration promised; kept on the view function as `view.write_route`."""

    rule: str
    method: str
    public: bool
    transaction: bool


class APIBlueprint(_APIBlueprint):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The document's finishing touch is the app's one spec processor: every /api blueprint sets the same.
        self.record_once(lambda state: state.app.spec_processor(document_every_answer))

    def write(self, rule: str, *, roles: Role | Iterable[Role] | None = None, body=None, files=None, out=None,
              status: int = 200, summary: str, description: str | None = None, method: str = "POST",
              public: bool = False, transaction: bool = True, deferred_lock: bool = False, queued: bool = False,
              answers: dict[int, str] | None = None):
        """Declare a write: `body` (JSON) or `files` (multipart) is parsed after the role check, inside the
        transaction, and passed to the handler as `body` / `files`; `out` serialises its return value.
        `answers`: problem answers beside those every such write may give (a scan's unknown code: 404).

        deferred_lock: the handler only writes through the ledger (and the key), which claims the write
        lock itself (server/db.py claim_write_lock): on SQLite the lock is then not held while the request
        is parsed and its item and locations are looked up.

        queued: the handler may answer 202 with a background job (server/jobs) instead of `out`."""
        method = method.upper()
        roles = (roles,) if isinstance(roles, str) else tuple(roles or ())  # one Role, or several
        if method not in WRITE_METHODS:
            raise ValueError(f"{method} is not a write method")
        if public == bool(roles):
            raise ValueError("a write route names its roles, or is public (and then names none)")
        if public and transaction:
            raise ValueError("a public route has no user to key idempotency on: declare it transaction=False")
        if body is not None and files is not None:
            raise ValueError("a route takes a JSON body or a file upload, not both")

        def decorate(view):
            responses = {**_problem_responses(rule, public, transaction, files is not None), **(answers or {})}
            if queued:
                responses[202] = "Accepted: queued as a background job (Location: /api/jobs/<id>)"
            fn = self.doc(summary=summary, description=description, responses=responses)(view)
            fn = self.output(out if out is not None else {}, status_code=status)(fn)
            if body is not None:
                fn = self.input(body, arg_name="body")(fn)
            if files is not None:
                fn = self.input(files, location="files", arg_name="files")(fn)
            if transaction:
                fn = idempotent(fn, deferred_lock=deferred_lock)
            if not public:
                fn = require_role(*roles)(fn)
            fn.write_route = WriteRoute(rule=rule, method=method, public=public, transaction=transaction)
            self.route(rule, methods=[method])(fn)
            return fn

        return decorate

    def action(self, rule: str, **kwargs):
        """Declare a POST that is not a stock write: the handler commits what it needs itself."""
        return self.write(rule, transaction=False, **kwargs)


def _problem_responses(rule: str, public: bool, transaction: bool, upload: bool) -> dict[int, str]:
    """The problem+json answers CONTRACT.md promises, in its order 401 → 403 → 422 → 404 → 409.

    Every /api operation may also answer 400, 403 and 503: document_every_answer adds those."""
    # A public write is a sign-in: a wrong credential is a 401, and guessing is slowed down with 429s.
    responses = {401: "Wrong badge, name, PIN or password", 429: "Too many attempts: wait"} if public else {}
    if "<" in rule or transaction:  # a stock write names the item, locations or receipt it changes
        responses[404] = "Not found"
    if transaction:
        responses[409] = "Conflict: refused by a stock rule, or the same Idempotency-Key is still running"
    if upload:
        responses[413] = "The file is too large"
    return responses


def document_every_answer(spec: dict) -> dict:
    """Say in /api/openapi.json what every /api operation answers (issue 7, 5): errors are problem+json;
    a JSON body that cannot be read is a 400; a role the route does not allow gets a 403; any of them may
    meet a busy or unwritable database (503)."""
    views = {(_PARAM.sub(r"{\1}", rule.rule), method.lower()): current_app.view_functions[rule.endpoint]
             for rule in current_app.url_map.iter_rules() if rule.rule.startswith("/api")
             for method in rule.methods}
    for path, operations in spec.get("paths", {}).items():
        if not path.startswith("/api"):
            continue
        for method, operation in operations.items():
            view = views.get((path, method))
            answers = operation.setdefault("responses", {})
            if "requestBody" in operation:
                answers.setdefault("400", {"description": "The body cannot be read: not JSON, or nested too deeply"})
            roles = getattr(view, "allowed_roles", None)
            if roles is not None and set(roles) != set(Role):
                answers.setdefault("403", {"description": "Your role cannot do this"})
            answers.setdefault("503", {"description": "Busy, or the database cannot be written: try again"})
            for status, answer in answers.items():
                if status[0] in "45":
                    answer["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/HTTPError"}}}
    return spec


_PARAM = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


def undeclared_write_routes(app) -> list[str]:
    """Every /api POST/PUT/PATCH/DELETE whose view was not declared through `write`/`action` for that URL."""
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api"):
            continue
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "write_route", None)
        for method in sorted(rule.methods & WRITE_METHODS):
            if declared is None or declared.method != method or not rule.rule.endswith(declared.rule):
                missing.append(f"{method} {rule.rule}")
    return missing
