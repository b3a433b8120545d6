"""Health, configuration, secrets at rest, migrations, CLI."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet
from flask_migrate import upgrade
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, select, text

from webapp import create_app
from webapp.config import load
from webapp.extensions import db
from webapp.models import User
from webapp.security import crypto
from webapp.security.crypto import EncryptedText


def test_health_reports_database_scheduler_and_version(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == {"ok": True}
    assert body["scheduler"]["running"] is False
    assert body["version"]


def test_no_configuration_means_demo_mode_with_generated_secrets(tmp_path, monkeypatch):
    for name in (
        "ALIMENTO_DATABASE_URL",
        "DATABASE_URL",
        "ALIMENTO_AE_GATEWAY",
        "ALIMENTO_DEMO_MODE",
        "ALIMENTO_SECRET_KEY",
        "ALIMENTO_ENCRYPTION_KEYS",
    ):
        monkeypatch.delenv(name, raising=False)
    config = load(str(tmp_path))
    assert config["DEMO_MODE"] is True
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'alimento.sqlite3'}"
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    # Stable across restarts.
    assert load(str(tmp_path))["SECRET_KEY"] == config["SECRET_KEY"]


def test_environment_switches_database_and_demo_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/alimento")
    monkeypatch.setenv("ALIMENTO_AE_GATEWAY", "https://api-sg.aliexpress.com")
    config = load(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/alimento"
    assert config["DEMO_MODE"] is False


def test_demo_badge_is_visible(login):
    assert "Demo mode" in login("viewer").get("/").get_data(as_text=True)


def test_secrets_are_encrypted_at_rest_and_keys_rotate(app):
    table = Table(
        "secret_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("value", EncryptedText()),
    )
    with app.app_context():
        table.create(db.engine)
        try:
            with db.engine.begin() as conn:
                conn.execute(table.insert().values(id=1, value="s3cr3t-token"))
                raw = conn.execute(text("SELECT value FROM secret_probe")).scalar()
                assert "s3cr3t" not in raw
                assert conn.execute(select(table.c.value)).scalar() == "s3cr3t-token"
            old_keys = app.config["ENCRYPTION_KEYS"]
            crypto.configure([Fernet.generate_key().decode(), *old_keys])  # rotation: new key first
            with db.engine.begin() as conn:
                assert conn.execute(select(table.c.value)).scalar() == "s3cr3t-token"
            crypto.configure([Fernet.generate_key().decode()])
            with db.engine.begin() as conn, pytest.raises(crypto.SecretsUnavailable):
                conn.execute(select(table.c.value)).scalar()
        finally:
            crypto.configure(app.config["ENCRYPTION_KEYS"])
            table.drop(db.engine)


def test_mask_shows_only_a_tail():
    assert crypto.mask("abcdefghijklmnop") == "••••••••mnop"
    assert crypto.mask("short") == "••••••••"
    assert crypto.mask(None) == ""


def test_migrations_build_the_schema_the_models_describe(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": url,
            "MOUNT_SANDBOXES": False,
            "SCHEDULER_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        engine = create_engine(url)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        engine.dispose()
        db.engine.dispose()
    assert diff == []


def test_cli_creates_users(app):
    runner = app.test_cli_runner()
    ok = runner.invoke(
        args=[
            "users",
            "create",
            "ops@example.com",
            "--password",
            "long-enough-9",
            "--role",
            "viewer",
        ]
    )
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ops@example.com"))
        assert user.role.value == "viewer"
    dup = runner.invoke(args=["users", "create", "ops@example.com", "--password", "long-enough-9"])
    assert dup.exit_code != 0 and "already exists" in dup.output
    weak = runner.invoke(args=["users", "create", "x@example.com", "--password", "weak"])
    assert weak.exit_code != 0


def test_settings_screen_saves_and_validates(app, login):
    admin = login("admin")
    bad = admin.post("/settings/", data={"log_retention_days": "-3", "notification_email": "nope"})
    assert bad.status_code == 422
    good = admin.post(
        "/settings/", data={"log_retention_days": "7", "notification_email": "ops@example.com"}
    )
    assert good.status_code == 303
    from webapp.services.settings import get_setting

    with app.app_context():
        assert get_setting("log_retention_days") == 7
        assert get_setting("notification_email") == "ops@example.com"
