from __future__ import annotations

import re

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Role, User
from webapp.services.activity import log_activity
from webapp.services.errors import ServiceError

MIN_PASSWORD_LENGTH = 10


def password_problem(password: str) -> str | None:
    """Why a password is too weak, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if not re.search(r"[A-Za-z]", password) or not re.search(r"[^A-Za-z]", password):
        return "Mix letters with digits or symbols."
    if len(set(password)) < 4:
        return "Use more different characters."
    return None


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def create_user(email: str, password: str, role: Role | str, *, actor: User | None = None) -> User:
    email = normalize_email(email)
    if find_user(email) is not None:
        raise ServiceError("A user with this e-mail already exists.", field="email")
    problem = password_problem(password)
    if problem:
        raise ServiceError(problem, field="password")
    user = User(email=email, role=Role(role), active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    log_activity(
        "user",
        "created",
        f"User {email} created with role {user.role.value}.",
        obj=user,
        actor=actor,
    )
    return user


def _admins_left_after(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
        )
        or 0
    )


def change_role(user: User, role: Role | str, *, actor: User | None = None) -> None:
    role = Role(role)
    if user.role == Role.ADMIN and role != Role.ADMIN and _admins_left_after(user) == 0:
        raise ServiceError("The last active admin cannot lose the admin role.", field="role")
    old = user.role
    user.role = role
    db.session.flush()
    log_activity(
        "user", "role", f"{user.email}: role {old.value} -> {role.value}.", obj=user, actor=actor
    )


def set_active(user: User, active: bool, *, actor: User | None = None) -> None:
    if not active and user.role == Role.ADMIN and _admins_left_after(user) == 0:
        raise ServiceError("The last active admin cannot be deactivated.")
    if not active and actor is not None and actor.id == user.id:
        raise ServiceError("You cannot deactivate yourself.")
    user.active = active
    db.session.flush()
    state = "activated" if active else "deactivated"
    log_activity("user", state, f"{user.email} {state}.", obj=user, actor=actor)
