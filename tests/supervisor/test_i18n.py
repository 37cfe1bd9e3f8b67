"""Every supervisor string goes through Flask-Babel, and the catalogues on disk are current."""

from __future__ import annotations

from pathlib import Path

from babel.messages import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from server import create_app
from server import testing

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "server" / "translations"


def _msgids(*prefixes: str) -> set[str]:
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    found = extract_from_dir(ROOT, method_map, options_map, keywords=keywords)
    return {msg if isinstance(msg, str) else msg[0]
            for filename, _line, msg, _comments, _ctx in found if filename.startswith(prefixes)}


def test_the_message_template_holds_every_string_of_the_server_and_the_handheld():
    """Fails when a page, a service or a handheld screen gained a string: re-run the README's pybabel extract."""
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        pot = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    wanted = _msgids("server/", "handheld_web/")
    assert {"Supervisor sign-in", "Tracks lots", "Showing %(first)d–%(last)d of %(total)d", "Which lot? Tap it or scan its label",
            "Closer to pick face"} <= wanted
    assert wanted - pot == set()


def test_the_english_catalogue_is_compiled():
    assert (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").is_file()
    assert (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo").is_file()
    app = create_app(testing.TestConfig("sqlite://"))
    with app.test_request_context():
        from flask_babel import get_translations
        assert type(get_translations()).__name__ == "Translations"  # a real catalogue, not NullTranslations


def test_pages_and_form_labels_follow_the_locale(tmp_path):
    catalog = Catalog(locale="de")
    for english, german in (("Sign in", "Anmelden"), ("Password", "Passwort"),
                            ("Supervisor sign-in", "Anmeldung für Vorgesetzte")):
        catalog.add(english, german)
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    with open(tmp_path / "de" / "LC_MESSAGES" / "messages.mo", "wb") as f:
        write_mo(f, catalog)
    app = create_app(testing.TestConfig("sqlite://", BABEL_DEFAULT_LOCALE="de",
                                BABEL_TRANSLATION_DIRECTORIES=str(tmp_path)))
    page = app.test_client().get("/login").text
    assert '<html lang="de">' in page
    assert "<h1>Anmeldung für Vorgesetzte</h1>" in page
    assert '<label for="password">Passwort</label>' in page  # a lazy_gettext form label
    assert ">Anmelden</button>" in page
