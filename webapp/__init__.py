"""Alimento: connect a Magento 2 store to AliExpress."""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any

from flask import Flask, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from webapp import config as config_module

__version__ = "0.1.0"

MIGRATIONS_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations"
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    if test_config and test_config.get("INSTANCE_PATH"):
        app.instance_path = test_config["INSTANCE_PATH"]
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config_module.load(app.instance_path))
    if test_config:
        app.config.update(test_config)
    app.config["VERSION"] = __version__
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"))

    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    _register_errors(app)

    from webapp.cli import register_cli

    register_cli(app)

    import webapp.jobs  # noqa: F401 - declares every job
    from webapp.jobs.scheduler import build_scheduler

    # Built here, started only by the server entry point or `flask jobs run`.
    app.extensions["scheduler"] = build_scheduler(app)

    if app.config["DEMO_MODE"] and app.config.get("MOUNT_SANDBOXES", True):
        from webapp.demo import mount_sandboxes

        mount_sandboxes(app)
    return app


def _init_extensions(app: Flask) -> None:
    from webapp.extensions import csrf, db, htmx, login_manager, migrate
    from webapp.security import crypto

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    crypto.init_app(app)
    import webapp.models  # noqa: F401 - every table registered on the metadata


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    # Several threads (web requests, scheduler jobs) share one SQLite file: WAL lets readers
    # proceed during a write, and the busy timeout makes writers wait instead of failing.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


BLUEPRINTS = (
    "accounts",
    "auth",
    "catalog",
    "feeds",
    "jobs",
    "logs",
    "orders",
    "main",
    "policies",
    "products",
    "settings",
    "store",
    "templates",
    "users",
    "wizard",
)


def _register_blueprints(app: Flask) -> None:
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(f"webapp.blueprints.{name}").bp)


def _register_hooks(app: Flask) -> None:
    from webapp.auth import enforce_access
    from webapp.navigation import nav_items
    from webapp.responses import flashes_to_toasts

    app.before_request(enforce_access)
    app.after_request(flashes_to_toasts)

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        form_targets = " ".join(["'self'", *_form_action_extra(app)])
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; "
            "img-src 'self' data: https: http:; connect-src 'self'; frame-ancestors 'none'; "
            f"base-uri 'self'; form-action {form_targets}; object-src 'none'",
        )
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    from webapp.banners import current_banners

    @app.context_processor
    def inject_globals() -> dict[str, Any]:
        return {
            "current_banners": current_banners,
            "nav_items": nav_items(app),
            "demo_mode": app.config["DEMO_MODE"],
            "app_version": __version__,
        }


def _form_action_extra(app: Flask) -> list[str]:
    """The AliExpress consent page: the Add Account form's redirect lands there."""
    extra = list(app.config.get("CSP_FORM_ACTION_EXTRA", []))
    if request.endpoint and request.endpoint.startswith("accounts."):
        from webapp.services.aliexpress_app import gateway_origin

        origin = gateway_origin()
        if origin:
            extra.append(origin)
    return extra


def _register_errors(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from webapp.responses import is_htmx

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        message = "Your session expired or the form was tampered with. Reload the page and retry."
        return _error_page(400, "Bad request", message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if error.code in (301, 302, 303, 307, 308):
            return error
        return _error_page(error.code or 500, error.name, error.description or "")

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # type: ignore[no-untyped-def]
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        app.logger.exception("unhandled error")
        return _error_page(500, "Something went wrong", "The error was logged. Try again.")

    def _error_page(code: int, title: str, message: str):  # type: ignore[no-untyped-def]
        if (
            request.path.startswith("/health")
            or request.accept_mimetypes.best == "application/json"
        ):
            return {"error": title, "message": message}, code
        template = "errors/_error.html" if is_htmx() else "errors/error.html"
        return render_template(template, code=code, title=title, message=message), code
