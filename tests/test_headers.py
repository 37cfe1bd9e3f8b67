"""Security headers on every answer (issue 7, item 6): pages, API answers, errors and files alike."""

from __future__ import annotations

import pytest

# One address of each kind the app answers: handheld and supervisor pages, API reads, API errors,
# the health check, the OpenAPI document and static files.
PATHS = ("/hh/", "/hh/move", "/login", "/dashboard", "/api/me", "/api/no-such-thing", "/healthz",
         "/api/openapi.json", "/hh/static/js/api.js", "/supervisor/static/supervisor.css", "/no-such-page")


def _directives(policy: str) -> dict[str, str]:
    return {d.strip().split(" ", 1)[0]: (d.strip().split(" ", 1) + [""])[1]
            for d in policy.split(";") if d.strip()}


def test_every_answer_carries_the_security_headers(client, backend):
    for path in PATHS:  # one app for all the paths: a test each would set up a database each
        r = client.get(path)
        assert r.headers.get("X-Content-Type-Options") == "nosniff", path
        assert r.headers.get("X-Frame-Options") == "DENY", path
        assert r.headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), path
        csp = _directives(r.headers.get("Content-Security-Policy", ""))
        assert csp.get("frame-ancestors") == "'none'", (path, csp)
        assert "'unsafe-inline'" not in csp.get("script-src", csp.get("default-src", "'unsafe-inline'")), path
        assert "'unsafe-eval'" not in r.headers["Content-Security-Policy"], path


def test_pages_run_only_scripts_and_styles_served_by_the_app(client, backend):
    """The handheld keeps its token in localStorage: an injected inline script must not run."""
    for path in ("/hh/", "/hh/receive", "/login"):
        csp = _directives(client.get(path).headers["Content-Security-Policy"])
        # The handheld's camera compiles its own WebAssembly decoder; no page may eval JavaScript.
        assert csp["script-src"] == ("'self' 'wasm-unsafe-eval'" if path.startswith("/hh/") else "'self'"), path
        assert csp["style-src"] == "'self'", path
        assert csp["object-src"] == "'none'", path
        assert csp["base-uri"] in ("'self'", "'none'"), path
        assert csp["form-action"] == "'self'", path


def test_api_answers_allow_nothing_to_run(client, backend):
    csp = _directives(client.get("/api/me").headers["Content-Security-Policy"])
    assert csp["default-src"] == "'none'"


def test_hsts_only_over_https(client, backend):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    hsts = client.get("/healthz", base_url="https://localhost").headers.get("Strict-Transport-Security", "")
    assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 15552000


def test_a_forwarded_https_counts_only_behind_a_trusted_proxy(database_url, monkeypatch):
    from server import create_app
    from server.testing import TestConfig

    forwarded = {"X-Forwarded-Proto": "https"}
    monkeypatch.delenv("SHIPFLOOR_PROXIES", raising=False)
    direct = create_app(TestConfig(database_url)).test_client()
    assert "Strict-Transport-Security" not in direct.get("/healthz", headers=forwarded).headers
    monkeypatch.setenv("SHIPFLOOR_PROXIES", "1")
    proxied = create_app(TestConfig(database_url)).test_client()
    assert "Strict-Transport-Security" in proxied.get("/healthz", headers=forwarded).headers


def test_api_answers_are_never_stored_by_a_cache(api):
    for path in ("/api/me", "/api/items", "/api/locations", "/api/no-such-thing"):
        assert api("supervisor").get(path).headers.get("Cache-Control") == "no-store", path


def test_a_failed_sign_in_is_not_stored_either(client, backend):
    r = client.post("/api/auth/login", json={"badge": "NOBODY", "pin": "0000"})
    assert r.status_code in (401, 422, 429)
    assert r.headers.get("Cache-Control") == "no-store"


def test_the_openapi_document_may_be_cached(client, backend):
    assert "no-store" not in client.get("/api/openapi.json").headers.get("Cache-Control", "")


def test_supervisor_pages_with_stock_are_not_stored(client, backend):
    """A signed-in page (stock, users) must not come back from the cache after sign-out."""
    r = client.get("/login")
    assert r.headers.get("Cache-Control") == "no-store"
