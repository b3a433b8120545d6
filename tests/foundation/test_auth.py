"""First-run registration, login, logout and their bad inputs."""

from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, Browserless, csrf_token_from
from webapp.extensions import db
from webapp.models import ActivityLog, User


def _register(client, **fields):
    token = csrf_token_from(client.get("/wizard/register").get_data(as_text=True))
    data = {
        "email": "owner@example.com",
        "password": TEST_PASSWORD,
        "confirm": TEST_PASSWORD,
        "accept_terms": "y",
        "csrf_token": token,
    }
    data.update(fields)
    return client.post("/wizard/register", data=data)


def _user_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_first_run_sends_everyone_to_registration(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wizard/register")
    page = client.get("/wizard/register").get_data(as_text=True)
    assert "User Registration" in page
    assert "I accept the terms and conditions" in page


def test_registration_creates_the_first_admin_and_logs_in(app, client):
    response = _register(client)
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "owner@example.com"
        assert user.role.value == "admin"
        assert user.password_hash != TEST_PASSWORD
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert "owner@example.com" in dashboard.get_data(as_text=True)


def test_registration_is_closed_once_a_user_exists(app, client, make_user):
    make_user()
    response = client.get("/wizard/register")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    # Posting anyway creates nothing.
    client.post("/wizard/register", data={"email": "intruder@example.com"})
    assert _user_count(app) == 1


def test_registration_refuses_bad_input(app, client):
    weak = _register(client, password="short", confirm="short")
    assert weak.status_code == 422
    assert "at least 10 characters" in weak.get_data(as_text=True)
    digits = _register(client, password="1234567890123", confirm="1234567890123")
    assert "Mix letters with digits" in digits.get_data(as_text=True)
    mismatch = _register(client, confirm="something-else-1")
    assert "Passwords differ." in mismatch.get_data(as_text=True)
    terms = _register(client, accept_terms="")
    assert "Accept the terms to continue." in terms.get_data(as_text=True)
    bad_email = _register(client, email="not-an-email")
    assert bad_email.status_code == 422
    assert _user_count(app) == 0


def test_login_and_logout(app, client, make_user):
    make_user(email="clerk@example.com", role="operator")
    session = Browserless(client)
    response = session.login("clerk@example.com")
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    out = session.post("/logout")
    assert out.status_code == 303
    assert client.get("/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ActivityLog).where(ActivityLog.subtype == "login"))


def test_login_refuses_wrong_password_unknown_email_and_inactive_user(app, client, make_user):
    user_id = make_user(email="clerk@example.com", role="operator")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    wrong = client.post(
        "/login",
        data={"email": "clerk@example.com", "password": "nope-nope-1", "csrf_token": token},
    )
    assert wrong.status_code == 401
    assert "Wrong e-mail or password." in wrong.get_data(as_text=True)
    unknown = client.post(
        "/login",
        data={"email": "ghost@example.com", "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert unknown.status_code == 401
    assert "Wrong e-mail or password." in unknown.get_data(as_text=True)
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    inactive = client.post(
        "/login",
        data={"email": "clerk@example.com", "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert inactive.status_code == 403
    assert "deactivated" in inactive.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user()
    response = client.post("/login", data={"email": "admin@example.com", "password": TEST_PASSWORD})
    assert response.status_code in (400, 422)
    assert client.get("/").status_code == 302


def test_login_never_redirects_off_site(client, make_user):
    make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login?next=https://evil.example/steal",
        data={"email": "admin@example.com", "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"
