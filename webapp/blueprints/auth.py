from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from webapp.auth import public
from webapp.database import utcnow
from webapp.extensions import db
from webapp.forms import LoginForm
from webapp.security import throttle
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
    if request.method == "POST":
        # Checked before the password, so a locked-out e-mail learns nothing, right or wrong.
        wait = throttle.login_retry_after(request.form.get("email", ""), request.remote_addr)
        if wait is not None:
            return _refused(form, wait)
    if form.validate_on_submit():
        email = form.email.data or ""
        user = find_user(email)
        if user is None or not user.check_password(form.password.data or ""):
            throttle.record_login_failure(email, request.remote_addr)
            form.password.errors.append("Wrong e-mail or password.")
            status = 401
        elif not user.active:
            form.email.errors.append("This account is deactivated. Ask an admin.")
            status = 403
        else:
            throttle.clear_login_failures(email)
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            log_activity("user", "login", f"{user.email} logged in.", obj=user, actor=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")), code=303)
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


def _refused(form: LoginForm, wait: float):  # type: ignore[no-untyped-def]
    """429 with the form re-rendered; logged at most once a minute per e-mail and IP."""
    email = (request.form.get("email") or "")[:254]
    ip = request.remote_addr
    if throttle.should_log_refusal(email, ip):
        log_activity(
            "user",
            "login_throttled",
            f"Login for '{email}' from {ip or 'an unknown address'} refused: "
            "too many failed attempts.",
            level="warning",
        )
        db.session.commit()
    form.email.errors = [throttle.refusal_message(wait)]
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(math.ceil(wait))
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"), code=303)
