"""The setup wizard. Step 1 (User Registration) creates the first admin."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from webapp.auth import public
from webapp.extensions import db
from webapp.forms import RegistrationForm
from webapp.models import Role
from webapp.services.errors import ServiceError
from webapp.services.settings import set_setting
from webapp.services.users import count_users, create_user

bp = Blueprint("wizard", __name__, url_prefix="/wizard")

STEPS = [
    ("register", "User Registration"),
    ("store", "Store Connection"),
    ("onboarding", "Marketplace Onboarding"),
    ("policies", "Default Policies"),
    ("check", "System Requirement Check"),
    ("summary", "Summary"),
]


@bp.route("/")
def index():
    return render_template("wizard/index.html", steps=STEPS, current="store")


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if count_users() > 0:
        if current_user.is_authenticated:
            return redirect(url_for("wizard.index"))
        flash("The first admin already exists. Log in instead.", "info")
        return redirect(url_for("auth.login"))
    form = RegistrationForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data or "", form.password.data or "", Role.ADMIN)
        except ServiceError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
            status = 422
        else:
            set_setting("notification_email", user.email)
            db.session.commit()
            current_app.extensions["alimento.has_users"] = True
            login_user(user)
            flash("Welcome! Your admin account is ready.", "success")
            return redirect(url_for("wizard.index"), code=303)
    elif form.is_submitted():
        status = 422
    return render_template(
        "wizard/register.html", form=form, steps=STEPS, current="register"
    ), status
