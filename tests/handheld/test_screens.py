"""The handheld's screen list is the server's: each tile shows to exactly the roles its writes allow."""

from __future__ import annotations

import json
import re

from handheld_web.screens import SCREENS


def test_each_screen_shows_to_the_roles_its_write_endpoints_allow(app):
    views = app.view_functions
    built = [s for s in SCREENS if s.endpoint]
    assert {s.name for s in built} >= {"receive", "putaway", "move"}
    for screen in built:
        for endpoint in screen.writes:
            assert endpoint in views, f"{screen.name}: no endpoint {endpoint}"
            allowed = getattr(views[endpoint], "allowed_roles", None)
            assert allowed is not None, f"{endpoint} has no role check"
            assert screen.roles == allowed, (screen.name, endpoint, sorted(screen.roles), sorted(allowed))


def test_the_home_page_renders_the_screen_list_the_server_uses(app):
    client = app.test_client()
    html = client.get("/hh/").get_data(as_text=True)
    rendered = json.loads(re.search(r'<script type="application/json" id="screens">(.*?)</script>', html, re.S)[1])
    assert [s["name"] for s in rendered] == [s.name for s in SCREENS]
    for row, screen in zip(rendered, SCREENS, strict=True):
        assert row["roles"] == sorted(r.value for r in screen.roles)
        assert (row["url"] is None) == (screen.endpoint is None)


def test_the_receive_page_carries_the_servers_receiving_rule(app):
    from server.receiving.services import RECEIVING_KINDS
    html = app.test_client().get("/hh/receive").get_data(as_text=True)
    rules = json.loads(re.search(r'id="receiving-rules">(.*?)</script>', html, re.S)[1])
    assert set(rules["receiving_kinds"]) == {k.value for k in RECEIVING_KINDS}


def test_the_put_away_reasons_are_the_ledgers_codes_with_the_labels_beside_the_enum(app):
    """One wording everywhere: the handheld said "Closer to pick" while the supervisor said "Closer to pick face"."""
    from server.inventory.codes import PUTAWAY_OVERRIDE_REASONS

    html = app.test_client().get("/hh/putaway").get_data(as_text=True)
    buttons = re.findall(r'data-reason="([^"]+)">([^<]+)</button>', html)
    assert buttons == [(r.value, str(r.label)) for r in PUTAWAY_OVERRIDE_REASONS]
