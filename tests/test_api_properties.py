"""Property-based test of the whole /api surface (issue 7, acceptance): schemathesis reads /api/openapi.json
and sends generated requests, valid and invalid, with each role's bearer token, on both databases, through
the Flask test client.

For every answer: no 5xx; a non-2xx answer is application/problem+json with title, status and detail
(CONTRACT.md, Errors); its status is one the document lists for that operation; a 2xx body matches the
documented schema. The hostile inputs of issue 7 item 4 are explicit examples beside the generated ones
(tests/test_bad_input.py says what each must answer). Bounded and derandomized: the same ~550 requests
every run, about ten seconds of CPU per backend.
"""

from __future__ import annotations

import re
import uuid

import schemathesis
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode

from tests.factories import FloorPlan, make_receipt, place, sku

ROLES = ("picker", "packer", "receiver", "supervisor", "admin")
EXAMPLES_PER_OPERATION = 15
GTIN = "09501101530003"


# Two bins with stock, a dock, an item with a GTIN and a case pack, an open receipt.
FLOOR = FloorPlan(locations=(place("A-01", zone="A"), place("A-02", zone="A"), place("DOCK-1", "dock")),
                  items=(sku("SKU-1", "Mug", barcodes=[GTIN, "MUGCASE*12"]),), stock=(("SKU-1", "A-01", 5),),
                  extra=lambda floor: {"receipt": make_receipt([("SKU-1", 4)], reference="PO-1").id})


def _move(**changes) -> dict:
    return {"item": "SKU-1", "qty": 1, "from": "A-01", "to": "A-02", **changes}


def _receipt(**changes) -> dict:
    return {"reference": "PO-9", "lines": [{"item": "SKU-1", "qty": 1}], **changes}


def _item(*barcodes: str) -> dict:
    return {"sku": "SKU-9", "name": "Box", "barcodes": list(barcodes)}


def _nested(depth: int) -> bytes:
    return b'{"code": ' + b"[" * depth + b"]" * depth + b"}"


# Issue 7 item 4, as (method, path, role, request parts); "raw" is a body sent as written.
CORPUS = [
    *[("POST", "/api/receipts", "receiver", {"body": _receipt(expected_at=at)}) for at in (
        "2026-05-01T10:00:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "10000-01-01T00:00:00Z")],
    *[("POST", "/api/moves", "picker", {"body": _move(), "headers": {"X-Scanned-At": at}}) for at in (
        "2026-05-01T10:00:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00")],
    *[("POST", "/api/scan", "picker", {"raw": _nested(depth)}) for depth in (100, 1000, 100_000)],
    ("POST", "/api/moves", "picker", {"body": _move(item="SKU-1\ud800")}),
    ("POST", "/api/receipts", "receiver", {"body": _receipt(lines=[{"item": "\udfff", "qty": 1}])}),
    ("POST", "/api/items", "supervisor", {"body": {"sku": "SKU-9", "name": "Mug \ud800"}}),
    ("POST", "/api/scan", "picker", {"body": {"code": "\ud800"}}),
    *[("POST", "/api/moves", "picker", {"body": _move(), "headers": {"X-Device-Id": device}})
      for device in ("D" * 65, "HH-01\x07")],
    ("POST", "/api/scan", "picker", {"body": {"code": "A-01"}, "headers": {"X-Device-Id": "D" * 65}}),
    ("GET", "/api/locations/{code}/stock", "picker", {"path_parameters": {"code": "\x00"}}),
    ("GET", "/api/locations/{code}/stock", "picker", {"path_parameters": {"code": "A-\x0001"}}),
    ("GET", "/api/stock", "picker", {"query": {"item": "SKU\x001"}}),
    ("GET", "/api/items", "picker", {"query": {"q": "\x00"}}),
    ("POST", "/api/moves", "picker", {"body": _move(**{"from": "A-01\x00"})}),
    *[("POST", "/api/items", "supervisor", {"body": _item(spec)})
      for spec in ("ABCX*x", "ABCX*99999999999999999999", "X*0", "X*-1")],
    ("POST", "/api/items", "supervisor", {"body": _item(*(f"CODE{i:05d}" for i in range(5000)))}),
    *[("POST", "/api/scan", "picker", {"body": {"code": code}})
      for code in ("ABCX*x", "ABCX*99999999999999999999", "X*0", "X*-1", f"]C102{GTIN}3799999999")],
    ("POST", "/api/moves", "picker", {"body": _move(qty=2**62)}),
    ("POST", "/api/receipts", "receiver", {"body": _receipt(lines=[{"item": "SKU-1", "qty": 2**31}])}),
]


def allowed_roles(app, operation) -> set[str]:
    """The roles the operation's view lets in (server/auth/guard.py require_role), by name."""
    rule = next(r for r in app.url_map.iter_rules()
                if re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", r.rule) == operation.path
                and operation.method.upper() in r.methods)
    return {role.value for role in getattr(app.view_functions[rule.endpoint], "allowed_roles", ())}


def check_answer(case, response, problems: list[str]) -> None:
    """The contract every /api answer keeps; what breaks it is added to `problems`."""
    where = f"{case.method} {case.formatted_path} → {response.status_code}"
    if response.status_code >= 500:
        problems.append(f"{where}: a server error: {response.text[:200]}")
        return
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])[0]  # lower-case keys, lists of values
        body = response.json() if content_type.startswith("application/problem+json") else None
        if body is None:
            problems.append(f"{where}: not problem+json but {content_type!r}")
        elif any(body.get(key) in (None, "") for key in ("title", "status", "detail")) \
                or body["status"] != response.status_code:
            problems.append(f"{where}: a problem without title, status or detail: {body}")
    try:
        case.validate_response(response, checks=[schemathesis.checks.status_code_conformance,
                                                 schemathesis.checks.content_type_conformance,
                                                 schemathesis.checks.response_schema_conformance])
    except (Failure, FailureGroup) as failed:  # one failed check, or several
        for failure in getattr(failed, "exceptions", [failed]):
            problems.append(f"{where}: {failure.title}: {failure.message[:300]}")


def test_every_api_answer_is_documented_and_no_input_is_a_500(app, api, users, floor, backend):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    tokens = {role: api(role).token for role in ROLES}
    # A PIN reset or deactivation ends that user's tokens: generated ones leave the test's own users alone.
    own_users = {user.id for user in users.values()}
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = sorted((op for op in operations if op.path.startswith("/api")),
                        key=lambda op: op.path == "/api/auth/logout")  # logout ends a token: last
    problems: list[str] = []
    for operation in operations:
        strategy = (operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
                    | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)).filter(
            lambda case: case.path_parameters.get("user_id") not in own_users)

        # Half the examples as a role the operation allows (to get past the 403), half as any role.
        allowed = [role for role in ROLES if role in allowed_roles(app, operation)] or list(ROLES)
        roles = st.sampled_from(allowed) | st.sampled_from(ROLES)

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy, role=roles, raw=st.none())
        def call(case, role, raw):
            # The role's token, never a generated Authorization: these answers are about the input, not the sign-in.
            headers = {name: value for name, value in (case.headers or {}).items()
                       if name.lower() != "authorization"}
            headers["Authorization"] = f"Bearer {tokens[role]}"
            if case.method.upper() == "POST":
                headers.setdefault("Idempotency-Key", uuid.uuid4().hex)
            extra = {"data": raw, "headers": {**headers, "Content-Type": "application/json"}} if raw else {}
            check_answer(case, case.call(**{"headers": headers, **extra}), problems)

        for method, path, role, parts in CORPUS:
            if (method, path) == (operation.method.upper(), operation.path):
                raw = parts.get("raw")
                case = operation.Case(**{k: v for k, v in parts.items() if k != "raw"},
                                      **({"body": {}, "media_type": "application/json"} if raw else {}))
                call = example(case=case, role=role, raw=raw)(call)
        call()
    assert not problems, "\n".join(sorted(set(problems)))


def test_the_corpus_names_operations_of_the_document(app):
    """A corpus entry for a path the document lost would silently test nothing."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    documented = {(result.ok().method.upper(), result.ok().path) for result in schema.get_all_operations()}
    assert {(method, path) for method, path, _role, _parts in CORPUS} <= documented
