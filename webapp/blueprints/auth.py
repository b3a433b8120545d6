from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from webapp.auth import public
from webapp.database import utcnow
from webapp.extensions import db
from webapp.forms import LoginForm
from webapp.services.activity import log_activity
from webapp.services.users import find_user

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if not target:
        return url_for("main.dashboard")
    parts = urlsplit(target)
    # Only same-site paths: never an open redirect.
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.dashboard")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = find_user(form.email.data or "")
        if user is None or not user.check_password(form.password.data or ""):
            form.password.errors.append("Wrong e-mail or password.")
            status = 401
        elif not user.active:
            form.email.errors.append("This account is deactivated. Ask an admin.")
            status = 403
        else:
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            log_activity("user", "login", f"{user.email} logged in.", obj=user, actor=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")), code=303)
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"), code=303)
