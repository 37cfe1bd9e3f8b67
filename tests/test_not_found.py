"""An unknown id in an /api path is a 404 not_found problem whose detail names the thing and whose field
names the parameter (server.errors.get_or_404): the handheld shows the detail as it is."""

from __future__ import annotations

import pytest

from tests.helpers import assert_problem

UNKNOWN = 999999  # no test makes this many rows

# (method, path, body, the sentence the floor reads, the field it names)
CASES = [
    ("get", "/api/orders/{id}", None, "No order {id}.", None),
    ("get", "/api/picking/batches/{id}", None, "There is no batch {id}.", "batch_id"),
    ("post", "/api/picking/batches/{id}/release", {}, "There is no batch {id}.", "batch_id"),
    ("post", "/api/picking/tasks/{id}/skip", {}, "There is no pick task {id}.", "task_id"),
    ("get", "/api/counts/tasks/{id}", None, "There is no count task {id}.", "task_id"),
    ("post", "/api/counts/variances/{id}/approve", {}, "There is no count variance {id}.", "variance_id"),
    ("get", "/api/receipts/{id}", None, "There is no receipt {id}.", "receipt_id"),
    ("get", "/api/shipments/{id}", None, "There is no shipment {id}.", "shipment_id"),
    ("get", "/api/shipments/{id}/labels.zpl", None, "There is no shipment {id}.", "shipment_id"),
    ("post", "/api/shipments/{id}/void", {"reason": "wrong box"}, "There is no shipment {id}.", "shipment_id"),
    ("post", "/api/packages/{id}/load", {}, "There is no package {id}.", "package_id"),
    ("get", "/api/shipping/rates?order={id}", None, "There is no order {id}.", "order"),
    ("get", "/api/packing/orders/{id}", None, "There is no order {id}.", "order_id"),
    ("post", "/api/movements/{id}/reverse", {}, "There is no movement {id}.", "move_id"),
    ("get", "/api/returns/{id}", None, "No return {id}.", "return"),
    ("post", "/api/printers/{id}/status", {}, "There is no printer {id}.", "printer"),
    ("get", "/api/print-jobs/{id}", None, "There is no print job {id}.", "job"),
    ("post", "/api/users/{id}/deactivate", None, "There is no user {id}.", "user_id"),
]


@pytest.mark.parametrize(("method", "path", "body", "detail", "field"), CASES, ids=[c[1] for c in CASES])
def test_an_unknown_id_is_a_not_found_problem_naming_it(api, method, path, body, detail, field):
    client = api("admin")
    url = path.format(id=UNKNOWN)
    r = client.get(url) if method == "get" else client.post(url, json=body)
    problem = assert_problem(r, 404, "not_found", field=field)
    assert problem["detail"] == detail.format(id=UNKNOWN)
    assert ("field" in problem) == (field is not None)
