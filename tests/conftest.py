"""Fixtures shared by the whole suite."""

from __future__ import annotations

import ipaddress
import socket
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_loopback(address) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX paths are local by definition
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self, address):
    if not _is_loopback(address):
        raise RuntimeError(f"test tried to open a network connection to {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_loopback(address):
        raise RuntimeError(f"test tried to open a network connection to {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Fail any test that opens a connection outside loopback."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


# --------------------------------------------------------------------------------------------
# The app, its database and logged-in clients
# --------------------------------------------------------------------------------------------
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

TEST_PASSWORD = "correct-horse-42"
ENCRYPTION_KEY = Fernet.generate_key().decode()


def _postgres_url() -> str:
    url = os.environ.get("ALIMENTO_TEST_POSTGRES_URL")
    if not url:
        pytest.exit("ALIMENTO_TEST_DB=postgresql needs ALIMENTO_TEST_POSTGRES_URL", returncode=2)
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh database for this test session: SQLite by default, PostgreSQL on request."""
    if os.environ.get("ALIMENTO_TEST_DB") == "postgresql":
        admin_url = make_url(_postgres_url())
        name = f"alimento_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Create every table once per session."""
    from webapp import create_app
    from webapp.extensions import db

    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return database_url


def _test_config(database_url: str, instance: Path, **extra) -> dict:
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key",
        "ENCRYPTION_KEYS": [ENCRYPTION_KEY],
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SCHEDULER_ENABLED": False,
        "MOUNT_SANDBOXES": False,
        "DEMO_MODE": True,
    }
    config.update(extra)
    return config


def _truncate_all(db) -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def make_app(_schema, tmp_path):
    """Factory: an app on the session database, emptied before each test."""
    from webapp import create_app
    from webapp.extensions import db

    apps = []

    def make(**extra):
        app = create_app(_test_config(_schema, tmp_path / f"instance{len(apps)}", **extra))
        apps.append(app)
        return app

    first = make()
    with first.app_context():
        _truncate_all(db)
    yield make
    for app in apps:
        scheduler = app.extensions.get("scheduler")
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=True)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def csrf_app(make_app):
    """An app with CSRF on, as in production (the default `app` keeps it on too)."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    from webapp.extensions import db
    from webapp.services.users import create_user

    def make(email="admin@example.com", role="admin", password=TEST_PASSWORD):
        with app.app_context():
            user = create_user(email, password, role)
            db.session.commit()
            return user.id

    return make


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browserless:
    """A test client that logs in through the real form and sends CSRF tokens like htmx does."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def login(self, email, password=TEST_PASSWORD):
        page = self.client.get("/login")
        token = csrf_token_from(page.get_data(as_text=True))
        response = self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        self.refresh_token()
        return response

    def refresh_token(self):
        self.token = csrf_token_from(self.client.get("/").get_data(as_text=True))

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, url, data=None, htmx=False, **kwargs):
        headers = kwargs.pop("headers", {})
        headers["X-CSRFToken"] = self.token
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(url, data=data or {}, headers=headers, **kwargs)


@pytest.fixture
def login(app, make_user):
    """``login(role)`` -> a client logged in as a fresh user of that role."""

    def do(role="admin", email=None):
        email = email or f"{role}@example.com"
        make_user(email=email, role=role)
        session = Browserless(app.test_client())
        session.login(email)
        return session

    return do


# --------------------------------------------------------------------------------------------
# Browser tests: Playwright driving the system Chromium
# --------------------------------------------------------------------------------------------
def chromium_path() -> str | None:
    explicit = os.environ.get("ALIMENTO_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_collection_modifyitems(config, items):
    if chromium_path():
        return
    if os.environ.get("CI", "").lower() == "true":
        return  # never skip in CI: the browser fixture fails loudly instead
    skip = pytest.mark.skip(reason="no Chromium on this machine: browser tests skipped")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        pytest.fail("Chromium is required for browser tests (CI=true): apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def make_live_app(make_app):
    """Factory: an app served over real HTTP on loopback; its PUBLIC_URL is the live URL, so
    with ``MOUNT_SANDBOXES=True`` the app reaches the demo sandboxes over real HTTP too."""
    from tests.support.liveserver import start

    servers = []

    def make(**config):
        app = make_app(**config)
        live = start(app)
        servers.append(live)
        app.config["LIVE_URL"] = live.url
        app.config["PUBLIC_URL"] = live.url
        app.config["PUBLIC_URL_EXPLICIT"] = True
        return app

    yield make
    for live in servers:
        live.stop()


@pytest.fixture
def live_app(make_live_app):
    """The app served over real HTTP on loopback (for the browser)."""
    return make_live_app()


@pytest.fixture
def smtp():
    """A real SMTP server on loopback (aiosmtpd); yields (port, messages), each message with
    ``.to`` (recipients) and ``.content`` (the raw text)."""
    messages = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            messages.append(
                SimpleNamespace(
                    to=list(envelope.rcpt_tos), content=envelope.content.decode("utf-8", "replace")
                )
            )
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, messages
    finally:
        controller.stop()
