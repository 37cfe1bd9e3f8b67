"""Shipfloor: the warehouse floor service (handheld API, supervisor pages, labels)."""

from __future__ import annotations

import os

from apiflask import APIFlask
from flask import redirect, url_for
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .config import INSTANCE_DIR, ROOT, Config
from .db import set_sqlite_synchronous
from .errors import PROBLEM_SCHEMA
from . import extensions
from .extensions import babel, csrf, migrate


def create_app(config: Config | type[Config] | None = None) -> APIFlask:
    """Build the app; configuration comes from the environment unless a Config is given."""
    app = APIFlask("shipfloor", title="Shipfloor API", version="0.1.0", spec_path="/api/openapi.json",
                   docs_path=None, json_errors=False,
                   instance_path=str(INSTANCE_DIR))
    cfg = config() if isinstance(config, type) else (config or Config())
    app.config.from_mapping({k: getattr(cfg, k) for k in dir(cfg) if k.isupper()})
    app.config["SECURITY_SCHEMES"] = {"BearerAuth": {"type": "http", "scheme": "bearer"}}
    app.config["SPEC_FORMAT"] = "json"
    app.config["HTTP_ERROR_SCHEMA"] = app.config["VALIDATION_ERROR_SCHEMA"] = PROBLEM_SCHEMA
    set_sqlite_synchronous(app.config["SQLITE_SYNCHRONOUS"])
    if int(os.environ.get("SHIPFLOOR_PROXIES", "0")):
        # Behind a reverse proxy: trust its X-Forwarded-For/Proto so throttling sees real addresses.
        n = int(os.environ["SHIPFLOOR_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    # Integer URL parts fit the database's 32-bit ids: a larger one is simply "not found", never a 500.
    app.url_map.converters["int"] = BoundedIntConverter
    extensions.db.init_app(app)
    migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    babel.init_app(app)
    csrf.init_app(app)
    from . import security
    security.init_app(app)

    from . import models  # noqa: F401  (every table registered on the metadata)
    from .errors import register_error_handlers
    register_error_handlers(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _register_blueprints(app: APIFlask) -> None:
    from handheld_web import bp as handheld_bp

    from .auth.api import bp as auth_bp
    from .catalog.api import bp as catalog_bp
    from .counts.api import bp as counts_bp
    from .decode.api import bp as decode_bp
    from .devices.api import bp as devices_bp
    from .health import bp as health_bp
    from .inventory.api import bp as inventory_bp
    from .inventory.stock_api import bp as stock_bp
    from .jobs.api import bp as jobs_bp
    from .orders.api import bp as orders_bp
    from .packing.api import bp as packing_bp
    from .picking.api import bp as picking_bp
    from .printing.api import bp as printing_bp
    from .receiving.api import bp as receiving_bp
    from .replenishment.api import bp as replenishment_bp
    from .returns.api import bp as returns_bp
    from .scanning.api import bp as scanning_bp
    from .shipping.api import bp as shipping_bp
    from .supervisor.pack_station import bp as pack_station_bp
    from .supervisor.views import bp as supervisor_bp
    from .auth.admin_api import bp as users_bp

    for bp in (health_bp, auth_bp, catalog_bp, inventory_bp, stock_bp, receiving_bp, scanning_bp, users_bp,
               jobs_bp, picking_bp, packing_bp, orders_bp, printing_bp, shipping_bp, returns_bp,
               replenishment_bp, counts_bp, decode_bp, devices_bp):
        csrf.exempt(bp)  # bearer-token APIs: no cookies, so no CSRF to defend against
        app.register_blueprint(bp)
    app.register_blueprint(handheld_bp)
    app.register_blueprint(supervisor_bp)
    app.register_blueprint(pack_station_bp)  # packers too: outside the supervisor pages' staff gate
    # Page blueprints are plain Flask ones; APIFlask's spec generator expects this flag on every
    # blueprint that has before_request hooks, so mark them as outside the API document.
    for blueprint in app.blueprints.values():
        if not hasattr(blueprint, "enable_openapi"):
            blueprint.enable_openapi = False

    @app.get("/")
    @app.doc(hide=True)
    def index():
        return redirect(url_for("supervisor.dashboard"))


def _register_cli(app: APIFlask) -> None:
    from .cli import register_commands
    register_commands(app)
