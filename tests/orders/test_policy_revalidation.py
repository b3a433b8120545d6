"""Fetching onboarding data re-checks every policy against the fresh carriers."""

from __future__ import annotations

from tests.support.world import build_world
from webapp.extensions import db
from webapp.models import Policy
from webapp.policies.order import OrderSettings
from webapp.services.accounts import fetch_onboarding_data
from webapp.services.policies import create_policy


def test_a_policy_naming_an_unknown_carrier_turns_invalid_after_onboarding(make_live_app):
    app = make_live_app(MOUNT_SANDBOXES=True, AE_BACKOFF=0.01)
    world = build_world(app)
    with app.app_context():
        settings = OrderSettings(title="Carriers").to_dict()
        settings["carrier_mappings"] = [
            {
                "magento_carrier": "ups",
                "aliexpress_carrier": "NO_SUCH_SERVICE",
                "tracking_url": None,
            }
        ]
        policy = create_policy("order", settings)
        db.session.commit()
        assert policy.status == "valid"  # nothing to check against yet
        fetch_onboarding_data(world.account())
        db.session.commit()
        policy = db.session.get(Policy, policy.id)
        assert policy.status == "invalid"
        assert "NO_SUCH_SERVICE" in policy.problems[0]["message"]
