from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import SettingsForm
from webapp.responses import redirect_to
from webapp.services.activity import log_activity
from webapp.services.settings import get_setting, set_setting

bp = Blueprint("settings", __name__, url_prefix="/settings")

FIELDS = ("log_retention_days", "notification_email")


@bp.route("/", methods=["GET", "POST"])
def index():
    if request.method == "POST" and not current_user.is_admin:
        abort(403, description="Only an admin can change settings.")
    form = SettingsForm(data={key: get_setting(key) for key in FIELDS})
    status = 200
    if form.validate_on_submit():
        for key in FIELDS:
            set_setting(
                key, getattr(form, key).data or ("" if key == "notification_email" else None)
            )
        log_activity("settings", "saved", "Settings saved.", actor=current_user)
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect_to(url_for("settings.index"))
    if form.is_submitted():
        status = 422
    return render_template("settings.html", form=form), status
