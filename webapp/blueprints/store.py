"""Configuration > Magento Store: credentials, connection test, cached structure."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms_store import store_form
from webapp.responses import redirect_to
from webapp.security.crypto import mask
from webapp.services.errors import ServiceError
from webapp.services.store import (
    NEEDED_RESOURCES,
    SECRET_FIELDS,
    check_connection,
    demo_defaults,
    get_store,
    refresh_cache,
    save_store,
)

bp = Blueprint("store", __name__, url_prefix="/store")


@bp.route("/", methods=["GET", "POST"])
def index():
    store = get_store()
    form = store_form(store, demo_defaults() if store is None else {}, request.method == "POST")
    status = 200
    if form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items()}
        try:
            store = save_store(data, actor=current_user)
        except ServiceError as exc:
            db.session.rollback()
            getattr(form, exc.field or "base_url").errors.append(exc.message)
            status = 422
        else:
            report = check_connection(store)
            db.session.commit()
            flash(f"Store saved. {report.message}", "success" if report.ok else "error")
            return redirect_to(url_for("store.index"))
    elif form.is_submitted():
        status = 422
    masked = {name: mask(getattr(store, name, None)) for name in SECRET_FIELDS} if store else {}
    return render_template(
        "store/index.html", form=form, store=store, masked=masked, resources=NEEDED_RESOURCES
    ), status


@bp.route("/test", methods=["POST"])
def test():
    store = get_store()
    if store is None:
        return render_template(
            "store/_test_result.html", report=None, error="Save the store first."
        ), 422
    report = check_connection(store)
    db.session.commit()
    return render_template("store/_test_result.html", report=report, error=None)


@bp.route("/refresh", methods=["POST"])
def refresh():
    store = get_store()
    if store is None:
        flash("Save the store first.", "error")
        return redirect_to(url_for("store.index"))
    try:
        counts = refresh_cache(store)
    except ServiceError as exc:
        db.session.commit()  # keeps the activity log entry; the cache is untouched
        flash(exc.message, "error")
        return redirect_to(url_for("store.index"))
    db.session.commit()
    summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
    flash(f"Cached data refreshed: {summary}.", "success")
    return redirect_to(url_for("store.index"))
