"""Configuration > AliExpress Accounts (seed 000): grid, add + OAuth, edit, re-authorize,
disconnect, onboarding data, token refresh, API settings."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from webapp.auth import admin_required, public
from webapp.extensions import db
from webapp.forms_accounts import AccountEditForm, AccountForm, ApiSettingsForm
from webapp.grid import Column, Grid, render_grid_page
from webapp.jobs.runner import enqueue_run
from webapp.models.accounts import Account
from webapp.responses import redirect_to, start_job
from webapp.security.crypto import mask
from webapp.services import accounts as svc
from webapp.services.aliexpress_app import (
    app_credentials,
    callback_url_for_display,
    save_app_settings,
)
from webapp.services.errors import ServiceError
from webapp.services.policies import policy_choices
from webapp.services.store import store_view_choices

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def accounts_grid() -> Grid:
    return Grid(
        "accounts",
        select(Account),
        [
            Column("title", "Title", Account.title, filter="text"),
            Column("region", "Region", Account.region, filter="select", choices=svc.REGIONS),
            Column("store_view_code", "Store View", Account.store_view_code, filter="text"),
            Column("seller_id", "Seller", Account.seller_id, filter="text"),
            Column(
                "status",
                "Status",
                Account.status,
                filter="select",
                choices=Account.STATUSES,
                export=lambda a: a.status_label,
            ),
            Column("access_expires_at", "Token expiry", Account.access_expires_at),
        ],
        id_column=Account.id,
        default_sort="title",
        search=[Account.title, Account.seller_id],
    )


def _view_choices() -> list[tuple[str, str]]:
    return store_view_choices() or [
        ("default", "default (connect the Magento store to list views)")
    ]


@bp.route("/")
def index():
    grid = accounts_grid()
    state = grid.parse(request.args)
    if request.args.get("export") == "csv":
        return grid.csv_response(state, "accounts.csv")
    return render_grid_page(
        "accounts/index.html",
        "accounts/_grid.html",
        grid,
        grid.page(state),
        regions=dict(svc.REGIONS),
    )


def _authorize_redirect(account: Account):  # type: ignore[no-untyped-def]
    try:
        url = svc.start_authorization(account, actor=current_user)
    except ServiceError as exc:
        db.session.commit()
        flash(exc.message, "error")
        return redirect_to(url_for("accounts.edit", account_id=account.id))
    db.session.commit()
    return redirect(url, code=303)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = AccountForm()
    form.store_view_code.choices = _view_choices()
    status = 200
    if form.validate_on_submit():
        try:
            account = svc.create_account(
                form.title.data or "",
                form.region.data or "",
                form.store_view_code.data or "",
                actor=current_user,
            )
        except ServiceError as exc:
            db.session.rollback()
            getattr(form, exc.field or "title").errors.append(exc.message)
            status = 422
        else:
            db.session.commit()
            return _authorize_redirect(account)
    elif form.is_submitted():
        status = 422
    return render_template("accounts/new.html", form=form), status


@bp.route("/oauth/callback")
@public
def oauth_callback():
    """Where AliExpress sends the seller back; only a valid, unused state is accepted."""
    try:
        account = svc.complete_authorization(request.args.to_dict())
    except ServiceError as exc:
        db.session.commit()  # keeps the used state and the activity log entry
        flash(exc.message, "error")
        return redirect(url_for("accounts.index"), code=303)
    db.session.commit()
    flash(f"Account '{account.title}' is connected.", "success")
    _match_on_connect()
    if session.pop("wizard_oauth", False):
        return redirect(url_for("wizard.policies"), code=303)
    return redirect(url_for("accounts.edit", account_id=account.id), code=303)


def _match_on_connect() -> None:
    """Link the account's existing AliExpress products to Magento by SKU, once the catalog is
    cached (before that every product would look AliExpress-only)."""
    from webapp.models.store import CatalogProduct

    if db.session.scalar(select(CatalogProduct.id).limit(1)) is not None:
        enqueue_run(current_app._get_current_object(), "match_existing", trigger="manual")  # type: ignore[attr-defined]


def _account(account_id: int) -> Account:
    account = db.get_or_404(Account, account_id, description="No such account.")
    return account


@bp.route("/<int:account_id>", methods=["GET", "POST"])
def edit(account_id: int):
    account = _account(account_id)
    form = AccountEditForm(obj=account)
    form.store_view_code.choices = _view_choices()
    form.sync_policy_id.choices = [(0, "—"), *policy_choices("synchronization")]
    form.order_policy_id.choices = [(0, "—"), *policy_choices("order")]
    status = 200
    if request.method == "POST" and "region" in request.form:
        flash("The region cannot be changed after the account is saved.", "error")
        status = 422
    elif form.validate_on_submit():
        try:
            svc.update_account(
                account,
                store_view_code=form.store_view_code.data,
                sync_policy_id=form.sync_policy_id.data or None,
                order_policy_id=form.order_policy_id.data or None,
                actor=current_user,
            )
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            status = 422
        else:
            db.session.commit()
            flash(f"Account '{account.title}' saved.", "success")
            return redirect_to(url_for("accounts.edit", account_id=account.id))
    elif form.is_submitted():
        status = 422
    onboarding = {kind: svc.onboarding(account.id, kind) for kind, _ in svc.ONBOARDING_KINDS}
    return render_template(
        "accounts/edit.html",
        account=account,
        form=form,
        regions=dict(svc.REGIONS),
        onboarding=onboarding,
        kinds=svc.ONBOARDING_KINDS,
    ), status


@bp.route("/<int:account_id>/reauthorize", methods=["POST"])
def reauthorize(account_id: int):
    return _authorize_redirect(_account(account_id))


@bp.route("/<int:account_id>/disconnect", methods=["POST"])
def disconnect(account_id: int):
    account = _account(account_id)
    svc.disconnect_account(account, actor=current_user)
    db.session.commit()
    flash(f"Account '{account.title}' disconnected; its history is kept.", "success")
    return redirect_to(url_for("accounts.index"))


@bp.route("/<int:account_id>/refresh-token", methods=["POST"])
def refresh_token(account_id: int):
    account = _account(account_id)
    try:
        svc.refresh_account_token(account, reason="requested")
        flash(f"Token of '{account.title}' refreshed.", "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect_to(request.referrer or url_for("accounts.index"))


@bp.route("/refresh-tokens", methods=["POST"])
def refresh_tokens():
    """The screen's Refresh Token button: renew every connected account."""
    done, failed = 0, 0
    for account in db.session.scalars(select(Account).where(Account.status == "connected")).all():
        try:
            svc.refresh_account_token(account, reason="requested")
            done += 1
        except ServiceError as exc:
            flash(exc.message, "error")
            failed += 1
    flash(
        f"{done} token(s) refreshed." if done or not failed else "No token refreshed.",
        "success" if done else "info",
    )
    return redirect_to(url_for("accounts.index"))


@bp.route("/<int:account_id>/onboarding", methods=["POST"])
def fetch_onboarding(account_id: int):
    account = _account(account_id)
    if not account.is_connected:
        flash(
            f"Account '{account.title}' is {account.status_label.lower()}; re-authorize it first.",
            "error",
        )
        return redirect_to(url_for("accounts.edit", account_id=account.id))
    return start_job("onboarding_fetch", {"account_id": account.id})


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def api_settings():
    try:
        current = app_credentials()
    except ServiceError:
        current = None
    form = ApiSettingsForm(
        data={
            "gateway": current.gateway if current else "https://api-sg.aliexpress.com",
            "app_key": current.app_key if current else "",
        }
        if request.method == "GET"
        else None
    )
    status = 200
    if form.validate_on_submit():
        if not form.app_secret.data and not (current and current.source == "settings"):
            form.app_secret.errors.append("Enter the app secret.")
            status = 422
        else:
            save_app_settings(
                form.gateway.data or "", form.app_key.data or "", form.app_secret.data
            )
            db.session.commit()
            flash("AliExpress API settings saved.", "success")
            return redirect_to(url_for("accounts.api_settings"))
    elif form.is_submitted():
        status = 422
    return render_template(
        "accounts/settings.html",
        form=form,
        current=current,
        masked_secret=mask(current.app_secret) if current else "",
        redirect_uri=callback_url_for_display(),
    ), status
