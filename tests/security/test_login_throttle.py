"""POST /login is throttled: failed attempts count per e-mail and per client IP; over the limit
the form answers 429 with a clear message, whatever the password, and the refusal is logged."""

from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, csrf_token_from
from webapp.extensions import db
from webapp.models import ActivityLog
from webapp.services.users import create_user

WRONG = "not-the-password-1"


def _client(app, ip):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def _attempt(client, email, password):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def _users(app, *emails):
    with app.app_context():
        for email in emails:
            create_user(email, TEST_PASSWORD, "admin")
        db.session.commit()


def _throttle_entries(app):
    with app.app_context():
        return list(
            db.session.scalars(
                select(ActivityLog).where(
                    ActivityLog.type == "user", ActivityLog.subtype == "login_throttled"
                )
            )
        )


def test_wrong_attempts_over_the_email_limit_are_refused_even_with_the_right_password(make_app):
    app = make_app(LOGIN_RATE_LIMIT="3 per 15 minutes")
    _users(app, "admin@example.com", "other@example.com")
    attacker = _client(app, "203.0.113.7")
    # Case and spaces do not make a new counter.
    for email in ("admin@example.com", "ADMIN@example.com", "admin@example.com"):
        assert _attempt(attacker, email, WRONG).status_code == 401

    refused = _attempt(attacker, "admin@example.com", TEST_PASSWORD)
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Too many login attempts. Try again in 15 minutes." in html
    assert 'id="login-form"' in html  # the login page itself, not a bare error page
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    assert attacker.get("/").status_code == 302  # not logged in

    # The e-mail stays locked from any address...
    assert _attempt(
        _client(app, "198.51.100.1"), "admin@example.com", TEST_PASSWORD
    ).status_code == (429)
    # ...while another e-mail from another address logs in.
    assert _attempt(
        _client(app, "198.51.100.2"), "other@example.com", TEST_PASSWORD
    ).status_code == (303)

    entries = _throttle_entries(app)
    assert entries and all(e.level == "warning" for e in entries)
    assert "admin@example.com" in entries[0].comment and "203.0.113.7" in entries[0].comment


def test_wrong_attempts_over_the_ip_limit_block_every_email_from_that_ip(make_app):
    app = make_app(LOGIN_RATE_LIMIT="100 per 15 minutes", LOGIN_RATE_LIMIT_IP="4 per 15 minutes")
    _users(app, "admin@example.com")
    sprayer = _client(app, "203.0.113.9")
    for n in range(4):
        assert _attempt(sprayer, f"guess{n}@example.com", WRONG).status_code == 401
    assert _attempt(sprayer, "admin@example.com", TEST_PASSWORD).status_code == 429
    assert _attempt(
        _client(app, "203.0.113.10"), "admin@example.com", TEST_PASSWORD
    ).status_code == (303)


def test_default_limit_is_ten_failures_per_email(app, make_user):
    make_user()
    client = _client(app, "203.0.113.11")
    for _ in range(10):
        assert _attempt(client, "admin@example.com", WRONG).status_code == 401
    assert _attempt(client, "admin@example.com", TEST_PASSWORD).status_code == 429


def test_success_before_the_limit_logs_in_and_forgets_the_failures(make_app):
    app = make_app(LOGIN_RATE_LIMIT="3 per 15 minutes")
    _users(app, "admin@example.com")
    client = _client(app, "203.0.113.12")
    for _round in range(2):
        for _ in range(2):
            assert _attempt(client, "admin@example.com", WRONG).status_code == 401
        assert _attempt(client, "admin@example.com", TEST_PASSWORD).status_code == 303
        token = csrf_token_from(client.get("/").get_data(as_text=True))
        assert client.post("/logout", headers={"X-CSRFToken": token}).status_code == 303
    assert _throttle_entries(app) == []


def test_refusals_are_logged_once_a_minute_not_once_per_attempt(make_app):
    app = make_app(LOGIN_RATE_LIMIT="1 per 15 minutes")
    client = _client(app, "203.0.113.13")
    assert _attempt(client, "nobody@example.com", WRONG).status_code == 401
    for _ in range(5):
        assert _attempt(client, "nobody@example.com", WRONG).status_code == 429
    assert len(_throttle_entries(app)) == 1


def test_invalid_forms_do_not_count_as_failures(make_app):
    app = make_app(LOGIN_RATE_LIMIT="2 per 15 minutes")
    _users(app, "admin@example.com")
    client = _client(app, "203.0.113.14")
    for _ in range(5):
        assert _attempt(client, "admin@example.com", "").status_code == 422
    assert _attempt(client, "admin@example.com", TEST_PASSWORD).status_code == 303
