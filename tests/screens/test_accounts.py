"""AliExpress Accounts: OAuth round trip against the sandbox over HTTP, bad callbacks, token
lifecycle (refresh before expiry, after IllegalAccessToken, impossible -> banner + e-mail),
disconnect, onboarding data, API settings."""

import re
import time
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from sqlalchemy import select

from tests.conftest import Browserless
from webapp.extensions import db
from webapp.jobs.runner import run_job
from webapp.models import ActivityLog, ApiCall
from webapp.models.accounts import Account, OnboardingData
from webapp.services.aliexpress_app import aliexpress_client
from webapp.services.settings import set_setting


class Sandbox:
    def __init__(self, url):
        self.url = url
        self.http = requests.Session()

    def control(self, method, path, payload=None):
        answer = self.http.request(method, f"{self.url}/_control/{path}", json=payload, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def consent(self, authorize_url, decision="allow"):
        """Play the seller: open the consent page, submit it, return the callback URL."""
        page = self.http.get(authorize_url, timeout=10)
        assert page.status_code == 200, page.text
        action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
        form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        form["seller_id"] = re.findall(r'name="seller_id" value="([^"]+)"', page.text)[0]
        form["decision"] = decision
        answer = self.http.post(
            urljoin(page.url, action), data=form, allow_redirects=False, timeout=10
        )
        assert answer.status_code in (302, 303), answer.text
        return answer.headers["Location"]


@pytest.fixture
def env(make_live_app, make_user):
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, AE_RETRIES=1)
    make_user(email="operator@example.com", role="operator")
    user = Browserless(app.test_client())
    user.login("operator@example.com")
    return app, user, Sandbox(app.config["LIVE_URL"] + "/sandbox/aliexpress")


def _callback(user, location):
    parts = urlsplit(location)
    return user.client.get(f"{parts.path}?{parts.query}")


def _connect(app, user, sandbox, title="Main store", decision="allow"):
    response = user.post(
        "/accounts/new", data={"title": title, "region": "ES", "store_view_code": "default"}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    authorize_url = response.headers["Location"]
    assert "/sandbox/aliexpress/oauth/authorize" in authorize_url
    assert "force_auth=true" in authorize_url and "state=" in authorize_url
    callback = sandbox.consent(authorize_url, decision)
    return _callback(user, callback), callback


def _account(app, title="Main store"):
    with app.app_context():
        return db.session.scalar(select(Account).where(Account.title == title))


def test_oauth_round_trip_connects_the_account(env):
    app, user, sandbox = env
    answer, _ = _connect(app, user, sandbox)
    assert answer.status_code == 303
    account = _account(app)
    assert account.status == "connected"
    assert account.seller_id and account.access_token and account.refresh_token
    assert account.access_expires_at is not None
    assert account.sync_policy_id and account.order_policy_id  # defaults assigned
    page = user.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "Verified / Connected" in page
    grid = user.get("/accounts/").get_data(as_text=True)
    assert "Main store" in grid and "Connected" in grid
    # Tokens are ciphertext at rest and masked in the call log.
    with app.app_context():
        raw = db.session.execute(db.text("SELECT access_token FROM accounts")).scalar()
        logged = " ".join(
            str(c.request) + str(c.response) for c in db.session.scalars(select(ApiCall))
        )
    assert account.access_token not in raw
    assert account.access_token not in logged and account.refresh_token not in logged


def test_bad_callbacks_store_nothing_and_are_logged(env):
    app, user, sandbox = env
    # Wrong state.
    wrong = user.client.get("/accounts/oauth/callback?code=abc&state=forged")
    assert wrong.status_code == 303
    assert "wrong state" in user.get("/accounts/").get_data(as_text=True)
    # Refusal on the consent page.
    refused, _ = _connect(app, user, sandbox, decision="deny")
    assert refused.status_code == 303
    assert _account(app).status == "pending" and _account(app).access_token is None
    # Replay of a used (good) answer.
    _, location = _connect(app, user, sandbox, title="Second")
    assert _account(app, "Second").status == "connected"
    replay = _callback(user, location)
    assert replay.status_code == 303
    assert "already used" in user.get("/accounts/").get_data(as_text=True)
    with app.app_context():
        messages = [
            a.comment
            for a in db.session.scalars(
                select(ActivityLog).where(
                    ActivityLog.type == "account", ActivityLog.level == "error"
                )
            )
        ]
    assert any("wrong state" in m for m in messages)
    assert any("refused" in m for m in messages)
    assert any("replayed" in m for m in messages)


def test_expired_code_is_refused(env):
    app, user, sandbox = env
    sandbox.control("POST", "token-lifetimes", {"code": 1})
    response = user.post(
        "/accounts/new", data={"title": "Late", "region": "FR", "store_view_code": "default"}
    )
    location = sandbox.consent(response.headers["Location"])
    time.sleep(1.2)
    _callback(user, location)
    assert _account(app, "Late").status == "pending"
    assert "did not accept" in user.get("/accounts/").get_data(
        as_text=True
    ) or "exchange failed" in user.get("/accounts/").get_data(as_text=True)


def test_title_and_region_rules(env):
    app, user, sandbox = env
    _connect(app, user, sandbox)
    empty = user.post(
        "/accounts/new", data={"title": " ", "region": "ES", "store_view_code": "default"}
    )
    assert empty.status_code == 422
    dup = user.post(
        "/accounts/new", data={"title": "MAIN STORE", "region": "ES", "store_view_code": "default"}
    )
    assert dup.status_code == 422 and "already exists" in dup.get_data(as_text=True)
    bad_region = user.post(
        "/accounts/new", data={"title": "X", "region": "ZZ", "store_view_code": "default"}
    )
    assert bad_region.status_code == 422
    account = _account(app)
    edit = user.post(f"/accounts/{account.id}", data={"region": "FR", "store_view_code": "default"})
    assert edit.status_code == 422
    assert _account(app).region == "ES"


def test_token_refreshed_before_expiry_by_the_job(env):
    app, user, sandbox = env
    sandbox.control("POST", "token-lifetimes", {"access": 8})
    _connect(app, user, sandbox)
    before = _account(app)
    run_job(app, "token_refresh")
    assert _account(app).access_token == before.access_token  # 8 s left: not yet due (margin 2 s)
    time.sleep(6.5)
    run_job(app, "token_refresh")
    after = _account(app)
    assert after.access_token != before.access_token
    assert after.access_expires_at > before.access_expires_at
    assert after.status == "connected"


def test_illegal_access_token_refreshes_and_retries_once(env):
    app, user, sandbox = env
    _connect(app, user, sandbox)
    old = _account(app).access_token
    sandbox.control("POST", "faults", {"kind": "illegal_access_token", "count": 1})
    with app.app_context():
        account = db.session.scalar(select(Account))
        client = aliexpress_client(account)
        from webapp.integrations.aliexpress import adapters

        carriers = adapters.list_logistics_services(client, account.access_token)
        db.session.commit()
    assert carriers
    assert _account(app).access_token != old


def test_refresh_impossible_marks_account_shows_banner_and_mails(env, smtp):
    app, user, sandbox = env
    port, received = smtp
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    with app.app_context():
        set_setting("notification_email", "owner@example.com")
        db.session.commit()
    sandbox.control("POST", "token-lifetimes", {"refresh": 1})
    _connect(app, user, sandbox)
    time.sleep(1.5)
    account = _account(app)
    response = user.post(f"/accounts/{account.id}/refresh-token")
    assert response.status_code == 303
    account = _account(app)
    assert account.status in ("expired", "invalid")
    page = user.get("/").get_data(as_text=True)
    assert "Main store" in page and "syncing is paused" in page and "Re-authorize" in page
    messages = [m.content for m in received]
    assert messages and "owner@example.com" in messages[0] and "Main store" in messages[0]


def test_disconnect_keeps_history(env):
    app, user, sandbox = env
    _connect(app, user, sandbox)
    account = _account(app)
    assert user.post(f"/accounts/{account.id}/disconnect").status_code == 303
    account = _account(app)
    assert account.status == "disconnected" and account.access_token is None
    with app.app_context():
        assert db.session.scalar(select(ActivityLog).where(ActivityLog.subtype == "connected"))
    # Jobs skip it.
    run_job(app, "token_refresh")
    assert _account(app).status == "disconnected"


def test_fetch_onboarding_data_stores_every_kind(env):
    app, user, sandbox = env
    _connect(app, user, sandbox)
    account = _account(app)
    started = user.post(f"/accounts/{account.id}/onboarding", htmx=True)
    assert started.status_code == 202 and "progressbar" in started.get_data(as_text=True)
    run_id = int(re.search(r'id="progress-(\d+)"', started.get_data(as_text=True)).group(1))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        html = user.get(f"/jobs/runs/{run_id}").get_data(as_text=True)
        if 'data-status="success"' in html or 'data-status="error"' in html:
            break
        time.sleep(0.2)
    assert 'data-status="success"' in html, html
    with app.app_context():
        kinds = {row.kind: row.item_count for row in db.session.scalars(select(OnboardingData))}
    assert set(kinds) == {
        "categories",
        "carriers",
        "order_statuses",
        "warehouses",
        "freight_templates",
        "service_templates",
    }
    assert kinds["categories"] > 5 and kinds["carriers"] > 0 and kinds["order_statuses"] > 5
    page = user.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert (
        "AliExpress Categories" in page and "never" not in page.split("onboarding-table")[1][:2000]
    )


def test_api_settings_are_admin_only_and_secret_encrypted(env, make_user):
    app, user, _ = env
    assert user.get("/accounts/settings").status_code == 403
    make_user(email="boss@example.com", role="admin")
    admin = Browserless(app.test_client())
    admin.login("boss@example.com")
    page = admin.get("/accounts/settings").get_data(as_text=True)
    assert "/accounts/oauth/callback" in page
    saved = admin.post(
        "/accounts/settings",
        data={
            "gateway": "https://api-sg.aliexpress.com",
            "app_key": "12345",
            "app_secret": "top-secret-value",
        },
    )
    assert saved.status_code == 303
    with app.app_context():
        raw = db.session.execute(
            db.text("SELECT value FROM app_settings WHERE key='ae_app_secret'")
        ).scalar()
    assert "top-secret-value" not in raw
    assert "top-secret-value" not in admin.get("/accounts/settings").get_data(as_text=True)
