"""Access rules: who may reach which route, enforced once for the whole app.

Every endpoint needs a logged-in user unless its view is marked ``@public``. Viewers may only
read: any state-changing method from a viewer is refused with 403, whatever the route.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import db, login_manager
from webapp.models import User

F = TypeVar("F", bound=Callable[..., Any])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Endpoints outside any blueprint that need no login.
PUBLIC_ENDPOINTS = frozenset({"static"})
#: State-changing endpoints a viewer may still call (their own session).
VIEWER_ALLOWED = frozenset({"auth.logout"})


def public(view: F) -> F:
    """Mark a view as reachable without logging in."""
    view._public = True  # type: ignore[attr-defined]
    return view


def admin_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403, description="Only an admin can do this.")
        return view(*args, **kwargs)

    wrapped._admin_only = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None:
        return True  # 404s and the like: let the error handler answer
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    view = app.view_functions.get(endpoint)
    return bool(getattr(view, "_public", False))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def _has_users() -> bool:
    # Once a user exists there is no way back to zero users, so cache the answer.
    if current_app.extensions.get("alimento.has_users"):
        return True
    from webapp.services.users import count_users

    has = count_users() > 0
    if has:
        current_app.extensions["alimento.has_users"] = True
    return has


def enforce_access() -> Any:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    endpoint = request.endpoint
    if is_public_endpoint(app, endpoint):
        return None
    if not _has_users():
        return redirect(url_for("wizard.register"))
    if not current_user.is_authenticated:
        if request.headers.get("HX-Request"):
            response = current_app.response_class(status=401)
            response.headers["HX-Redirect"] = url_for("auth.login", next=request.full_path)
            return response
        return redirect(url_for("auth.login", next=request.full_path))
    if (
        request.method not in SAFE_METHODS
        and not current_user.can_change
        and endpoint not in VIEWER_ALLOWED
    ):
        abort(403, description="Viewers can look but not change anything.")
    return None
