"""``flask demo seed`` takes a fresh install to a working demo over the real protocols."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.conftest import csrf_token_from
from webapp.extensions import db
from webapp.models import Account, Listing, Order, Store


def test_demo_seed_builds_a_working_demo_and_can_run_again(make_live_app):
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01, MAGENTO_BACKOFF=0.01)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--orders", "2"])
    assert result.exit_code == 0, result.output
    password = re.search(r"with the password (\S+)", result.output).group(1)
    with app.app_context():
        assert db.session.scalar(select(Store.status)) == "connected"
        account = db.session.scalar(select(Account))
        assert account.status == "connected" and account.access_token
        live = db.session.scalar(select(func.count(Listing.id)).where(Listing.state == "live"))
        # Every demo product with stock is live (one demo product has none to sell).
        assert live == 25
        orders = db.session.scalars(select(Order)).all()
        assert len(orders) == 2 and {o.import_state for o in orders} == {"imported"}
    # The printed password logs in, and the first page is the dashboard, not the wizard.
    client = app.test_client()
    page = client.get("/login")
    token = csrf_token_from(page.text)
    answer = client.post(
        "/login",
        data={"email": "demo@example.com", "password": password, "csrf_token": token},
        follow_redirects=True,
    )
    assert answer.status_code == 200 and "Dashboard" in answer.text
    # Again: a new password, nothing duplicated.
    again = runner.invoke(args=["demo", "seed", "--orders", "0"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Account.id))) == 1
        assert db.session.scalar(select(func.count(Listing.id))) == 26


def test_demo_password_always_passes_the_password_rules():
    from webapp.demo_seed import demo_password
    from webapp.services.users import password_problem

    passwords = {demo_password() for _ in range(2000)}
    assert len(passwords) == 2000
    assert [p for p in passwords if password_problem(p) is not None] == []
