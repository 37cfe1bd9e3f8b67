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

from .auth.guard import require_role
from .auth.models import Role
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
    def write(self, rule: str, *, roles: Role | Iterable[Role] | None = None, body=None, files=None, out=None,
              status: int = 200, summary: str, description: str | None = None, method: str = "POST",
              public: bool = False, transaction: bool = True, deferred_lock: bool = False, queued: bool = False):
        """Declare a write: `body` (JSON) or `files` (multipart) is parsed after the role check, inside the
        transaction, and passed to the handler as `body` / `files`; `out` serialises its return value.

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
            responses = _problem_responses(rule, public, transaction)
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


def _problem_responses(rule: str, public: bool, transaction: bool) -> dict[int, str]:
    """The problem+json answers CONTRACT.md promises, in its order 401 → 403 → 422 → 404 → 409."""
    responses = {} if public else {403: "Your role cannot do this"}
    if "<" in rule:
        responses[404] = "Not found"
    if transaction:
        responses[409] = "Conflict: refused by a stock rule, or the same Idempotency-Key is still running"
    return responses


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
