from __future__ import annotations

from flask import Blueprint, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.auth import admin_required
from webapp.extensions import db
from webapp.forms import ROLE_CHOICES, RoleForm, UserForm
from webapp.grid import Column, Grid, render_grid_page
from webapp.models import User
from webapp.responses import add_trigger, is_htmx, redirect_to
from webapp.services.errors import ServiceError
from webapp.services.users import change_role, create_user, set_active

bp = Blueprint("users", __name__, url_prefix="/users")


def users_grid() -> Grid:
    return Grid(
        "users",
        select(User),
        [
            Column("email", "E-mail", User.email, filter="text"),
            Column("role", "Role", User.role, filter="select", choices=ROLE_CHOICES),
            Column(
                "active",
                "Status",
                User.active,
                filter="select",
                choices=[("1", "Active"), ("0", "Inactive")],
                where=lambda value: User.active.is_(value == "1"),
                export=lambda u: "active" if u.active else "inactive",
            ),
            Column("created_at", "Created", User.created_at, filter="date"),
            Column("last_login_at", "Last login", User.last_login_at),
        ],
        id_column=User.id,
        default_sort="email",
        search=[User.email],
    )


@bp.route("/")
@admin_required
def index():
    grid = users_grid()
    state = grid.parse(request.args)
    if request.args.get("export") == "csv":
        return grid.csv_response(state, "users.csv")
    page = grid.page(state)
    return render_grid_page(
        "users/index.html", "users/_grid.html", grid, page, role_form=RoleForm()
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data or "", form.password.data or "", form.role.data, actor=current_user
            )
        except ServiceError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
            status = 422
        else:
            db.session.commit()
            flash(f"User {user.email} added.", "success")
            return redirect_to(url_for("users.index"))
    elif form.is_submitted():
        status = 422
    return render_template("users/form.html", form=form), status


def _get_user(user_id: int) -> User:
    user = db.get_or_404(User, user_id, description="No such user.")
    return user


def _row_response(user: User, status: int = 200):  # type: ignore[no-untyped-def]
    response = render_template("users/_row.html", user=user, role_form=RoleForm())
    from flask import make_response

    resp = make_response(response, status)
    return add_trigger(resp, "users-changed")


@bp.route("/<int:user_id>/role", methods=["POST"])
@admin_required
def set_role(user_id: int):
    user = _get_user(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose a valid role.", "error")
        return _row_response(user, 422)
    try:
        change_role(user, form.role.data, actor=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _row_response(_get_user(user_id), 422)
    db.session.commit()
    flash(f"{user.email} is now {user.role.label.lower()}.", "success")
    return _row_response(user) if is_htmx() else redirect_to(url_for("users.index"))


@bp.route("/<int:user_id>/active", methods=["POST"])
@admin_required
def toggle_active(user_id: int):
    user = _get_user(user_id)
    target = request.form.get("active") == "1"
    try:
        set_active(user, target, actor=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return (
            _row_response(_get_user(user_id), 422)
            if is_htmx()
            else redirect_to(url_for("users.index"))
        )
    db.session.commit()
    flash(f"{user.email} {'activated' if target else 'deactivated'}.", "success")
    return _row_response(user) if is_htmx() else redirect_to(url_for("users.index"))


@bp.route("/mass", methods=["POST"])
@admin_required
def mass():
    action = request.form.get("action")
    if action not in ("activate", "deactivate"):
        flash("Choose an action.", "error")
        return redirect_to(url_for("users.index"))
    grid = users_grid()
    ids = db.session.scalars(grid.selected_ids(request.form, request.form.getlist)).all()
    if not ids:
        flash("Select at least one user.", "error")
        return redirect_to(url_for("users.index"))
    done, refused = 0, []
    for user in db.session.scalars(select(User).where(User.id.in_(ids))):
        try:
            set_active(user, action == "activate", actor=current_user)
            done += 1
        except ServiceError as exc:
            refused.append(f"{user.email}: {exc.message}")
    db.session.commit()
    flash(f"{done} user(s) {action}d.", "success")
    for reason in refused:
        flash(reason, "error")
    return redirect_to(url_for("users.index"))
