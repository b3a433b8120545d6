"""Secrets (Magento credentials, AliExpress tokens) never appear in plaintext: not in any
database row, not in the logs, not on any page an admin can open."""

import logging
import re

import pytest
from sqlalchemy import select, text

from webapp.database import utcnow
from webapp.extensions import db
from webapp.models.accounts import Account
from webapp.models.store import Store
from webapp.services.accounts import create_account
from webapp.services.store import SECRET_FIELDS

SECRETS = {
    "consumer_secret": "mage-consumer-secret-7f3a9c1e",
    "access_token": "mage-access-token-2b8d4e6f",
    "access_token_secret": "mage-token-secret-5c1a7e3b",
    "bearer_token": "mage-bearer-token-9e4f2a6d",
}
AE_ACCESS = "ae-access-token-3d7b1f9c"
AE_REFRESH = "ae-refresh-token-8a2c6e4f"
ALL_SECRETS = [*SECRETS.values(), AE_ACCESS, AE_REFRESH]


@pytest.fixture
def app(make_app):
    """No retries: the store's connection test fails at once on the closed loopback port."""
    return make_app(MAGENTO_RETRIES=0, MAGENTO_BACKOFF=0.0)


def _save_store_through_the_form(admin):
    # Loopback port 9 (discard) refuses at once: the connection test fails fast and offline.
    form = {
        "base_url": "http://127.0.0.1:9",
        "auth_mode": "oauth1",
        "consumer_key": "mage-consumer-key",
        "default_store_code": "default",
        "website_code": "base",
        **SECRETS,
    }
    response = admin.post("/store/", data=form)
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:2000]


def _connect_account(app):
    with app.app_context():
        account = create_account("Secret seller", "ES", "default")
        account.access_token = AE_ACCESS
        account.refresh_token = AE_REFRESH
        account.status = "connected"
        account.seller_id = "2000123"
        account.connected_at = utcnow()
        db.session.commit()
        return account.id


def _raw_rows(app):
    """Every column of every row, read with plain SQL: what a stolen database file shows."""
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            query = text(f'SELECT * FROM "{table.name}"')  # noqa: S608 - names from our metadata
            for row in conn.execute(query):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    yield table.name, str(value)


def _get_pages(app, admin, extra):
    rules = [
        r.rule
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or set()) and not r.arguments and r.endpoint != "static"
    ]
    for url in [*rules, *extra]:
        response = admin.get(url)
        assert response.status_code < 500, (url, response.status_code)
        yield url, response.get_data(as_text=True)


def test_no_secret_in_plaintext_in_database_logs_or_pages(app, login, caplog):
    caplog.set_level(logging.DEBUG)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    admin = login("admin")
    _save_store_through_the_form(admin)
    account_id = _connect_account(app)

    with app.app_context():  # the secrets really were stored, and decrypt
        store = db.session.scalar(select(Store))
        assert {name: getattr(store, name) for name in SECRET_FIELDS} == SECRETS
        account = db.session.get(Account, account_id)
        assert (account.access_token, account.refresh_token) == (AE_ACCESS, AE_REFRESH)

    rows = list(_raw_rows(app))
    assert any(table == "stores" for table, _ in rows) and any(t == "accounts" for t, _ in rows)
    leaks = [(table, secret) for table, value in rows for secret in ALL_SECRETS if secret in value]
    assert leaks == []

    pages = dict(_get_pages(app, admin, [f"/accounts/{account_id}", "/store/"]))
    assert len(pages) >= 15
    leaks = [
        (url, secret) for url, html in pages.items() for secret in ALL_SECRETS if secret in html
    ]
    assert leaks == []
    # The store page shows at most the masked tail of a secret.
    assert re.search(r"•+" + SECRETS["consumer_secret"][-4:], pages["/store/"])

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )
    assert caplog.records  # something was logged at all: the check below is not vacuous
    assert [secret for secret in ALL_SECRETS if secret in logged] == []
