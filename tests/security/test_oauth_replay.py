"""A replayed OAuth callback never (re)connects an account.

The plain replay (the same good callback URL twice while the account is connected) is covered by
``tests/screens/test_accounts.py::test_bad_callbacks_store_nothing_and_are_logged``. Here the
stronger case: the seller disconnected the account, and someone who kept the callback URL (browser
history, a proxy log) opens it again; the used ``state`` must be refused before any code exchange.
"""

from urllib.parse import urlsplit

import requests
from sqlalchemy import select

from tests.conftest import Browserless
from tests.support.world import consent
from webapp.extensions import db
from webapp.models import ActivityLog
from webapp.models.accounts import Account


def _account(app):
    with app.app_context():
        return db.session.scalar(select(Account).where(Account.title == "Replayed"))


def test_replayed_callback_does_not_reconnect_a_disconnected_account(make_live_app, make_user):
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, AE_RETRIES=1)
    make_user(email="operator@example.com", role="operator")
    user = Browserless(app.test_client())
    user.login("operator@example.com")

    started = user.post(
        "/accounts/new", data={"title": "Replayed", "region": "ES", "store_view_code": "default"}
    )
    assert started.status_code == 303, started.get_data(as_text=True)[:1000]
    callback = urlsplit(consent(requests.Session(), started.headers["Location"]))
    callback_url = f"{callback.path}?{callback.query}"
    assert user.client.get(callback_url).status_code == 303
    account = _account(app)
    assert account.status == "connected" and account.access_token

    assert user.post(f"/accounts/{account.id}/disconnect").status_code in (200, 303)
    assert _account(app).status == "disconnected"

    replay = user.client.get(callback_url)
    assert replay.status_code == 303
    assert urlsplit(replay.headers["Location"]).path == "/accounts/"
    assert "already used" in user.get("/accounts/").get_data(as_text=True)
    after = _account(app)
    assert after.status == "disconnected"
    assert after.access_token is None and after.refresh_token is None
    with app.app_context():
        replayed = db.session.scalars(
            select(ActivityLog).where(
                ActivityLog.level == "error", ActivityLog.comment.contains("replayed state")
            )
        ).all()
    assert len(replayed) == 1
