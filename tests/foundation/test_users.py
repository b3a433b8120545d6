"""Users grid (admin): add, change role, deactivate, mass actions, filters, export."""

from sqlalchemy import select

from tests.conftest import TEST_PASSWORD
from webapp.extensions import db
from webapp.models import User


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_admin_adds_a_user_who_can_log_in(app, login):
    admin = login("admin")
    response = admin.post(
        "/users/new",
        data={"email": "Clerk@Example.com", "password": TEST_PASSWORD, "role": "operator"},
    )
    assert response.status_code == 303
    user = _user(app, "clerk@example.com")
    assert user.role.value == "operator" and user.active
    grid = admin.get("/users/").get_data(as_text=True)
    assert "clerk@example.com" in grid


def test_duplicate_email_and_weak_password_are_refused(app, login):
    admin = login("admin")
    duplicate = admin.post(
        "/users/new",
        data={"email": "admin@example.com", "password": TEST_PASSWORD, "role": "viewer"},
    )
    assert duplicate.status_code == 422
    assert "already exists" in duplicate.get_data(as_text=True)
    weak = admin.post(
        "/users/new",
        data={"email": "new@example.com", "password": "abc", "role": "viewer"},
        htmx=True,
    )
    assert weak.status_code == 422
    assert _user(app, "new@example.com") is None


def test_role_change_answers_with_the_row_and_an_event(app, login, make_user):
    admin = login("admin")
    uid = make_user(email="v@example.com", role="viewer")
    response = admin.post(f"/users/{uid}/role", data={"role": "operator"}, htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.strip().startswith(f'<tr id="users-row-{uid}"')
    assert "users-changed" in response.headers["HX-Trigger"]
    assert "toast" in response.headers["HX-Trigger"]
    assert _user(app, "v@example.com").role.value == "operator"


def test_last_admin_cannot_be_demoted_or_deactivated(app, login):
    admin = login("admin")
    me = _user(app, "admin@example.com")
    demote = admin.post(f"/users/{me.id}/role", data={"role": "viewer"}, htmx=True)
    assert demote.status_code == 422
    assert "last active admin" in demote.headers["HX-Trigger"]
    deactivate = admin.post(f"/users/{me.id}/active", data={"active": "0"}, htmx=True)
    assert deactivate.status_code == 422
    assert _user(app, "admin@example.com").role.value == "admin"
    assert _user(app, "admin@example.com").active


def test_deactivated_user_cannot_log_in(app, login, make_user):
    admin = login("admin")
    uid = make_user(email="gone@example.com", role="operator")
    admin.post(f"/users/{uid}/active", data={"active": "0"}, htmx=True)
    assert not _user(app, "gone@example.com").active
    client = app.test_client()
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": "gone@example.com", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403


def test_mass_deactivate_selected_and_all_matching(app, login, make_user):
    admin = login("admin")
    ids = [make_user(email=f"op{i}@example.com", role="operator") for i in range(3)]
    admin.post("/users/mass", data={"action": "deactivate", "ids": [str(ids[0])]})
    assert not _user(app, "op0@example.com").active
    assert _user(app, "op1@example.com").active
    # "All matching the filter": every operator, never the admin outside the filter.
    admin.post(
        "/users/mass", data={"action": "deactivate", "all_matching": "1", "f_role": "operator"}
    )
    assert not _user(app, "op1@example.com").active and not _user(app, "op2@example.com").active
    assert _user(app, "admin@example.com").active


def test_grid_filters_sorts_pages_and_survives_garbage(app, login, make_user):
    admin = login("admin")
    for i in range(25):
        make_user(email=f"user{i:02d}@example.com", role="viewer")
    first = admin.get("/users/?sort=email&dir=asc&per_page=20").get_data(as_text=True)
    assert "user00@example.com" in first and "user24@example.com" not in first
    second = admin.get("/users/?sort=email&dir=asc&per_page=20&page=2").get_data(as_text=True)
    assert "user24@example.com" in second and "user00@example.com" not in second
    desc = admin.get("/users/?sort=email&dir=desc").get_data(as_text=True)
    assert desc.index("user24@") < desc.index("user23@")
    filtered = admin.get("/users/?f_q=user1").get_data(as_text=True)
    assert "user10@example.com" in filtered and "user20@example.com" not in filtered
    for garbage in (
        "page=abc",
        "page=-5",
        "page=99999",
        "sort=password_hash",
        "per_page=100000",
        "dir=sideways",
        "f_role=superuser",
        "f_created_at_from=yesterday",
    ):
        response = admin.get(f"/users/?{garbage}")
        assert response.status_code == 200, garbage
    leaked = admin.get("/users/?sort=password_hash&dir=asc").get_data(as_text=True)
    assert "pbkdf2" not in leaked and "scrypt" not in leaked


def test_grid_partial_for_htmx_and_csv_export(login, make_user):
    admin = login("admin")
    make_user(email="=cmd@example.com", role="viewer")
    partial = admin.get(
        "/users/?f_role=viewer", headers={"HX-Request": "true", "HX-Target": "grid-users"}
    )
    html = partial.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="grid-users"')
    assert "<html" not in html
    export = admin.get("/users/?export=csv&f_role=viewer")
    assert export.mimetype == "text/csv"
    lines = export.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("E-mail,Role,Status")
    assert len(lines) == 2
    assert lines[1].startswith("'=cmd@example.com")  # spreadsheet formula defused
