"""Configuration > Policies (seed 004): grid, Add Policy per type, edit, defaults, mass delete."""

from __future__ import annotations

import os
import secrets
from typing import Any

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.extensions import db
from webapp.grid import Column, Grid, render_grid_page
from webapp.models.policies import Policy
from webapp.policies import POLICY_TYPES, Problem
from webapp.policy_forms import FORMS, form_values, read_form
from webapp.responses import redirect_to
from webapp.services.errors import ServiceError
from webapp.services.policies import (
    PolicyFormError,
    create_policy,
    delete_policies,
    set_default_policy,
    update_policy,
)

bp = Blueprint("policies", __name__, url_prefix="/policies")

MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_SIGNATURES = {b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png"}


def policies_grid() -> Grid:
    return Grid(
        "policies",
        select(Policy),
        [
            Column("title", "Title", Policy.title, filter="text"),
            Column(
                "type",
                "Type",
                Policy.type,
                filter="select",
                choices=[(c, t.label) for c, t in POLICY_TYPES.items()],
            ),
            Column(
                "is_default",
                "Default",
                Policy.is_default,
                filter="select",
                choices=[("1", "Yes"), ("0", "No")],
                where=lambda v: Policy.is_default.is_(v == "1"),
                export=lambda p: "yes" if p.is_default else "no",
            ),
            Column("created_at", "Created", Policy.created_at, filter="date"),
            Column("updated_at", "Updated", Policy.updated_at),
            Column(
                "status",
                "Status",
                Policy.status,
                filter="select",
                choices=[("valid", "VALID"), ("invalid", "INVALID")],
                export=lambda p: p.status.upper(),
            ),
        ],
        id_column=Policy.id,
        default_sort="title",
        search=[Policy.title],
    )


@bp.route("/")
def index():
    grid = policies_grid()
    state = grid.parse(request.args)
    if request.args.get("export") == "csv":
        return grid.csv_response(state, "policies.csv")
    return render_grid_page(
        "policies/index.html",
        "policies/_grid.html",
        grid,
        grid.page(state),
        policy_types=POLICY_TYPES,
    )


def _save_upload(problems: list[Problem]) -> str | None:
    upload = request.files.get("default_image_file")
    if upload is None or not upload.filename:
        return None
    try:
        data = upload.read(MAX_IMAGE_BYTES + 1)
    finally:
        upload.close()
    if len(data) > MAX_IMAGE_BYTES:
        problems.append(Problem("default_image", "The image is larger than 2 MB."))
        return None
    extension = next((ext for sig, ext in IMAGE_SIGNATURES.items() if data.startswith(sig)), None)
    if extension is None:
        problems.append(Problem("default_image", "Upload a JPG or PNG image."))
        return None
    folder = os.path.join(current_app.instance_path, "uploads")
    os.makedirs(folder, exist_ok=True)
    name = secrets.token_hex(12) + extension
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(data)
    return f"uploads/{name}"


def _form_page(
    type_: str, policy: Policy | None, values: dict[str, Any], problems: list[Problem], status: int
):  # type: ignore[no-untyped-def]
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    return render_template(
        "policies/form.html",
        spec=FORMS[type_],
        ptype=POLICY_TYPES[type_],
        policy=policy,
        values=form_values(values),
        errors=errors,
    ), status


def _handle_post(type_: str, policy: Policy | None):  # type: ignore[no-untyped-def]
    data = read_form(type_, request.form)
    upload_problems: list[Problem] = []
    if type_ == "image":
        stored = _save_upload(upload_problems)
        if stored:
            data["default_image"] = stored
    if upload_problems:
        return _form_page(type_, policy, data, upload_problems, 422)
    try:
        if policy is None:
            policy = create_policy(type_, data, actor=current_user)
        else:
            update_policy(policy, data, actor=current_user)
    except PolicyFormError as exc:
        db.session.rollback()
        return _form_page(type_, policy, data, exc.problems, 422)
    db.session.commit()
    if policy.is_valid:
        flash(f"Policy '{policy.title}' saved.", "success")
    else:
        flash(
            f"Policy '{policy.title}' saved but INVALID: {policy.problems[0]['message']}", "warning"
        )
    return redirect_to(url_for("policies.edit", policy_id=policy.id))


@bp.route("/new/<type_>", methods=["GET", "POST"])
def new(type_: str):
    if type_ not in POLICY_TYPES:
        abort(404, description="No such policy type.")
    if request.method == "POST":
        return _handle_post(type_, None)
    values = POLICY_TYPES[type_].default_settings().to_dict()
    values["title"] = ""
    return _form_page(type_, None, values, [], 200)


def _get(policy_id: int) -> Policy:
    policy = db.get_or_404(Policy, policy_id, description="No such policy.")
    return policy


@bp.route("/<int:policy_id>", methods=["GET", "POST"])
def edit(policy_id: int):
    policy = _get(policy_id)
    if request.method == "POST":
        return _handle_post(policy.type, policy)
    problems = [Problem.from_dict(p) for p in policy.problems]
    return _form_page(policy.type, policy, dict(policy.settings), problems, 200)


@bp.route("/<int:policy_id>/default", methods=["POST"])
def make_default(policy_id: int):
    policy = _get(policy_id)
    set_default_policy(policy, actor=current_user)
    db.session.commit()
    flash(f"'{policy.title}' is now the default {POLICY_TYPES[policy.type].label}.", "success")
    return redirect_to(url_for("policies.index"))


@bp.route("/mass", methods=["POST"])
def mass():
    if request.form.get("action") != "delete":
        flash("Choose an action.", "error")
        return redirect_to(url_for("policies.index"))
    grid = policies_grid()
    ids = list(db.session.scalars(grid.selected_ids(request.form, request.form.getlist)))
    if not ids:
        flash("Select at least one policy.", "error")
        return redirect_to(url_for("policies.index"))
    try:
        deleted, refused = delete_policies(ids, actor=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect_to(url_for("policies.index"))
    db.session.commit()
    if deleted:
        flash(f"{deleted} policy(ies) deleted.", "success")
    for reason in refused:
        flash(reason, "error")
    return redirect_to(url_for("policies.index"))
