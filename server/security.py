"""Security headers on every answer: what the browser may run, frame, sniff, send on and keep.

Not flask-talisman: its last release (1.1.0) is from August 2023, and its defaults work against this
app (it redirects to HTTPS and forces the Secure cookie flag, which config.py sets from the deployment),
while the two things it would save us, a CSP header and HSTS, are a few lines here. Cache-Control it
does not do at all.

Pages: scripts and styles come only from the app's own files (no inline script, so an injected one
never runs: the handheld keeps its token in localStorage). Data a page needs travels in data-*
attributes or <script type="application/json"> blocks, which are data, not script.
"""

from __future__ import annotations

from flask import Flask, request

PAGE_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# The handheld's camera reads barcodes with WebAssembly (zxing-wasm, served by the app): compiling it needs this
# one keyword. It allows no eval() of JavaScript; other pages keep the plain policy.
HANDHELD_POLICY = PAGE_POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
# API answers are data: nothing in them may run, load or be framed.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000"  # a year; only sent over HTTPS (a browser ignores it over plain HTTP anyway)
# The one API answer with nothing private in it: the OpenAPI document.
CACHEABLE_API_PATHS = frozenset({"/api/openapi.json"})

_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Referrer-Policy": "same-origin",  # URLs carry SKUs and receipt numbers: keep them in the site
}


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path == "/healthz"


def add_security_headers(response):
    headers = response.headers
    for name, value in _ALWAYS.items():
        headers.setdefault(name, value)
    api = _is_api(request.path)
    page_policy = HANDHELD_POLICY if request.path.startswith("/hh/") else PAGE_POLICY
    headers.setdefault("Content-Security-Policy", API_POLICY if api else page_policy)
    # request.is_secure: TLS at gunicorn, or X-Forwarded-Proto from a proxy trusted by SHIPFLOOR_PROXIES.
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    # Answers carry stock, users and tokens: no cache keeps them, nor shows them after sign-out. Answers
    # that chose their own caching (static files, the handheld's shell) keep it.
    if request.path in CACHEABLE_API_PATHS:
        return response
    if api:
        headers["Cache-Control"] = "no-store"
    else:
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
