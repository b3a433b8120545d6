"""Every route needs a login except an allowed list; viewers change nothing; CSRF everywhere."""

import re

import pytest
from sqlalchemy import select

from webapp.auth import is_public_endpoint
from webapp.extensions import db
from webapp.models import User

ALLOWED_PUBLIC = {"static", "auth.login", "wizard.register", "main.health"}
SAFE = {"GET", "HEAD", "OPTIONS"}


def _url_for_rule(rule) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[^:>]+:)?{arg}>", "1", url)
    return url


def _state_changing_rules(app):
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) - SAFE
        for method in methods:
            yield rule, method


def test_only_the_allowed_routes_are_public(app):
    public = {r.endpoint for r in app.url_map.iter_rules() if is_public_endpoint(app, r.endpoint)}
    # Callback routes of later features add themselves here deliberately.
    oauth_callbacks = {e for e in public if e.endswith("oauth_callback")}
    assert public - oauth_callbacks == ALLOWED_PUBLIC


def test_every_other_route_redirects_to_login(app, make_user):
    make_user()
    client = app.test_client()
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    checked = 0
    for rule in app.url_map.iter_rules():
        if is_public_endpoint(app, rule.endpoint):
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            response = client.open(
                _url_for_rule(rule), method=method, headers={"X-CSRFToken": token}
            )
            assert response.status_code == 302, (rule.rule, method, response.status_code)
            assert "/login" in response.headers["Location"]
            checked += 1
    assert checked >= 10


def test_viewer_cannot_change_anything(app, login):
    viewer = login("viewer")
    with app.app_context():
        before = [(u.email, u.role, u.active) for u in db.session.scalars(select(User))]
    refused = 0
    for rule, method in _state_changing_rules(app):
        if (
            rule.endpoint in ("auth.logout", "auth.login", "wizard.register")
            or rule.endpoint == "static"
        ):
            continue
        response = viewer.client.open(
            _url_for_rule(rule),
            method=method,
            headers={"X-CSRFToken": viewer.token},
            data={"role": "admin", "active": "0", "action": "deactivate", "all_matching": "1"},
        )
        assert response.status_code == 403, (rule.rule, method, response.status_code)
        refused += 1
    assert refused >= 5
    with app.app_context():
        after = [(u.email, u.role, u.active) for u in db.session.scalars(select(User))]
    assert before == after


def test_operator_cannot_reach_admin_screens(login):
    operator = login("operator")
    assert operator.get("/users/").status_code == 403
    assert operator.post("/users/new", data={"email": "x@example.com"}).status_code == 403
    assert operator.post("/settings/", data={"log_retention_days": "5"}).status_code == 403


@pytest.mark.parametrize("htmx", [False, True])
def test_state_changes_without_csrf_token_are_refused(app, login, htmx):
    admin = login("admin")
    headers = {"HX-Request": "true"} if htmx else {}
    for rule, method in _state_changing_rules(app):
        if rule.endpoint == "static":
            continue
        response = admin.client.open(_url_for_rule(rule), method=method, headers=headers, data={})
        assert response.status_code == 400, (rule.rule, method, response.status_code)


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html


def test_unknown_page_is_a_clean_404(login):
    admin = login("admin")
    response = admin.get("/no/such/page")
    assert response.status_code == 404
    assert "Not Found" in response.get_data(as_text=True)


def test_every_page_renders_for_an_admin_without_error(app, login):
    """Smoke: every GET route without arguments answers (no 500), for an admin and a viewer."""
    admin = login("admin")
    viewer = login("viewer", email="viewer@example.com")
    app.config["PROPAGATE_EXCEPTIONS"] = True
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.arguments or rule.endpoint == "static":
            continue
        for session in (admin, viewer):
            response = session.get(rule.rule)
            assert response.status_code < 500, (rule.rule, response.status_code)
        checked += 1
    assert checked >= 15
