"""The setup wizard (seed 001): resumable, with a step indicator, reopenable from the menu.

1 User Registration -> 2 Store Connection -> 3 Marketplace Onboarding -> 4 Default Policies ->
5 System Requirement Check -> 6 Summary. Each step's "done" is read from the data itself (a user
exists, the store is connected, an account is connected...), so the wizard resumes wherever
the seller left it, and the same screens stay usable outside it.
"""

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
from flask_login import current_user, login_user
from sqlalchemy import select

from webapp.auth import public
from webapp.extensions import db
from webapp.forms import RegistrationForm
from webapp.forms_accounts import AccountForm
from webapp.forms_store import store_form
from webapp.models import Role
from webapp.models.accounts import Account
from webapp.models.policies import Policy
from webapp.policies import POLICY_TYPES
from webapp.responses import redirect_to
from webapp.services import accounts as account_svc
from webapp.services.errors import ServiceError
from webapp.services.policies import create_default_policies
from webapp.services.settings import get_setting, set_setting
from webapp.services.store import (
    check_connection,
    demo_defaults,
    get_store,
    refresh_cache,
    save_store,
    store_view_choices,
)
from webapp.services.system_check import run_checks
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
WIZARD_FLAG = "wizard_oauth"


def _connected_account() -> Account | None:
    return db.session.scalar(
        select(Account).where(Account.status == "connected").order_by(Account.id)
    )


def step_done() -> dict[str, bool]:
    store = get_store()
    policies = {p.type for p in db.session.scalars(select(Policy).where(Policy.is_default))}
    return {
        "register": count_users() > 0,
        "store": bool(store and store.status == "connected"),
        "onboarding": _connected_account() is not None,
        "policies": set(POLICY_TYPES) <= policies,
        "check": bool(get_setting("wizard_check_passed")),
        "summary": bool(get_setting("wizard_completed")),
    }


def _render(step: str, template: str, status: int = 200, **context):  # type: ignore[no-untyped-def]
    return render_template(template, steps=STEPS, current=step, done=step_done(), **context), status


@bp.route("/")
def index():
    done = step_done()
    for code, _label in STEPS:
        if not done[code]:
            return redirect(url_for(f"wizard.{code}"))
    return redirect(url_for("wizard.summary"))


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
    return _render("register", "wizard/register.html", status, form=form)


@bp.route("/store", methods=["GET", "POST"])
def store():
    existing = get_store()
    form = store_form(
        existing, demo_defaults() if existing is None else {}, request.method == "POST"
    )
    status = 200
    report = None
    if form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items()}
        try:
            saved = save_store(data, actor=current_user)
        except ServiceError as exc:
            db.session.rollback()
            getattr(form, exc.field or "base_url").errors.append(exc.message)
            status = 422
        else:
            report = check_connection(saved)
            if report.ok:
                try:
                    refresh_cache(saved)
                except ServiceError as exc:
                    flash(exc.message, "warning")
                db.session.commit()
                flash(report.message, "success")
                return redirect(url_for("wizard.onboarding"), code=303)
            db.session.commit()
            status = 422
    elif form.is_submitted():
        status = 422
    return _render(
        "store", "wizard/store.html", status, form=form, store=get_store(), report=report
    )


@bp.route("/onboarding", methods=["GET", "POST"])
def onboarding():
    account = _connected_account()
    form = AccountForm()
    form.store_view_code.choices = store_view_choices() or [("default", "default")]
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            new_account = account_svc.create_account(
                form.title.data or "",
                form.region.data or "",
                form.store_view_code.data or "",
                actor=current_user,
            )
            url = account_svc.start_authorization(new_account, actor=current_user)
        except ServiceError as exc:
            db.session.rollback()
            getattr(form, exc.field or "title").errors.append(exc.message)
            status = 422
        else:
            db.session.commit()
            session[WIZARD_FLAG] = True  # the OAuth callback continues the wizard
            return redirect(url, code=303)
    elif form.is_submitted():
        status = 422
    pending = db.session.scalars(select(Account).where(Account.status != "connected")).all()
    return _render(
        "onboarding", "wizard/onboarding.html", status, form=form, account=account, pending=pending
    )


@bp.route("/policies", methods=["GET", "POST"])
def policies():
    if request.method == "POST" or not step_done()["policies"]:
        create_default_policies(actor=current_user)
        account = _connected_account()
        if account is not None:
            account_svc._assign_default_policies(account)
        db.session.commit()
        if request.method == "POST":
            return redirect_to(url_for("wizard.check"))
    rows = db.session.scalars(select(Policy).order_by(Policy.type, Policy.title)).all()
    return _render("policies", "wizard/policies.html", rows=rows, types=POLICY_TYPES)


@bp.route("/check", methods=["GET", "POST"])
def check():
    results = run_checks()
    passed = all(r.ok for r in results)
    if passed != bool(get_setting("wizard_check_passed")):
        set_setting("wizard_check_passed", passed)
        db.session.commit()
    if request.method == "POST":
        return redirect_to(url_for("wizard.summary"))
    return _render("check", "wizard/check.html", results=results, passed=passed)


@bp.route("/summary", methods=["GET", "POST"])
def summary():
    if request.method == "POST":
        set_setting("wizard_completed", True)
        db.session.commit()
        flash("Setup complete. Next: create a listing template.", "success")
        return redirect_to(url_for("main.dashboard"))
    return _render(
        "summary",
        "wizard/summary.html",
        store=get_store(),
        account=_connected_account(),
        policy_count=db.session.query(Policy).count(),
    )
