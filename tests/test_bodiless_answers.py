"""Every /api answer is problem+json or its documented body: bodiless answers claim no type (issue 7, 5)."""

from __future__ import annotations


def test_options_on_an_api_route_is_a_bodiless_204_with_the_allowed_methods(client, backend):
    r = client.open("/api/moves", method="OPTIONS")
    assert r.status_code == 204
    assert r.get_data() == b""
    assert "Content-Type" not in r.headers
    assert {"POST", "OPTIONS"} <= {m.strip() for m in r.headers["Allow"].split(",")}


def test_logout_answers_204_without_claiming_json(api):
    r = api("picker").post("/api/auth/logout")
    assert r.status_code == 204
    assert r.get_data() == b""
    assert "Content-Type" not in r.headers


def test_options_on_an_unknown_api_route_is_still_a_problem(client, backend):
    r = client.open("/api/no-such-thing", method="OPTIONS")
    assert r.status_code == 404
    assert r.mimetype == "application/problem+json"
