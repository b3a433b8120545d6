"""Policies: create, edit, delete, defaults; VALID / INVALID from the policy engine's rules.

Which problems stop a save and which only mark the policy INVALID:

* a value that cannot be read, or is wrong in itself (negative, a decrement over 100 %,
  "below" larger than "above", a duplicate title) is a form error: nothing is saved;
* a setting that is incomplete ("... is required", "Choose ...") or points at something the
  store or the account does not offer (an unknown carrier, status, attribute or source) is
  saved, and the policy shows INVALID with the reasons until it is fixed — exactly the
  manual's VALID / INVALID status, and what lets a seller save half-done work.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models.policies import Policy
from webapp.policies import POLICY_TYPES, Problem, ValidationContext, check, validate
from webapp.services.activity import log_activity
from webapp.services.errors import ServiceError

_COMPLETENESS = re.compile(r"(is required|^Choose |^Enter the )")

ContextProvider = Callable[[], dict[str, frozenset[str] | None]]
_context_providers: list[ContextProvider] = []


class PolicyFormError(ServiceError):
    """The posted settings cannot be saved; ``problems`` says which field and why."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems[0].message if self.problems else "Invalid policy.")


def context_provider(func: ContextProvider) -> ContextProvider:
    """Features that know carriers, statuses, attributes or sources register them here."""
    if func not in _context_providers:
        _context_providers.append(func)
    return func


def validation_context() -> ValidationContext:
    values: dict[str, frozenset[str] | None] = {}
    for provider in _context_providers:
        for key, known in provider().items():
            if known is not None:
                values[key] = (values.get(key) or frozenset()) | known
    return ValidationContext(**values)  # type: ignore[arg-type]


def policy_types() -> list[tuple[str, str]]:
    return [(code, t.label) for code, t in POLICY_TYPES.items()]


def _check_type(type_: str) -> None:
    if type_ not in POLICY_TYPES:
        raise ServiceError(f"Unknown policy type '{type_}'.", field="type")


def _title_key(title: str) -> str:
    return " ".join(title.split()).lower()


def _ensure_unique_title(title: str, policy_id: int | None) -> None:
    query = select(Policy.id).where(Policy.title_key == _title_key(title))
    if policy_id is not None:
        query = query.where(Policy.id != policy_id)
    if db.session.scalar(query) is not None:
        raise PolicyFormError([Problem("title", "A policy with this title already exists.")])


def evaluate(
    type_: str, data: Mapping[str, Any], context: ValidationContext | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """Read and check posted settings: returns (settings dict, soft problems) or raises."""
    settings, problems = check(type_, data, None)
    if settings is None:
        raise PolicyFormError(problems)
    hard = [p for p in problems if not _COMPLETENESS.search(p.message)]
    if hard:
        raise PolicyFormError(hard)
    soft = validate(settings, context if context is not None else validation_context())
    return settings.to_dict(), soft


def _apply(policy: Policy, data: Mapping[str, Any], context: ValidationContext | None) -> None:
    title = " ".join(str(data.get("title") or "").split())
    if not title:
        raise PolicyFormError([Problem("title", "Title is required.")])
    _ensure_unique_title(title, policy.id)
    settings, problems = evaluate(policy.type, {**data, "title": title}, context)
    policy.title = title
    policy.title_key = _title_key(title)
    policy.settings = settings
    policy.problems = [p.to_dict() for p in problems]
    policy.status = "invalid" if problems else "valid"


def create_policy(
    type_: str,
    data: Mapping[str, Any],
    *,
    context: ValidationContext | None = None,
    actor: Any = None,
    is_default: bool = False,
) -> Policy:
    _check_type(type_)
    policy = Policy(type=type_, is_default=False)
    _apply(policy, data, context)
    db.session.add(policy)
    db.session.flush()
    if is_default or not _has_default(type_):
        set_default_policy(policy)
    log_activity(
        "policy",
        "created",
        f"{POLICY_TYPES[type_].label} '{policy.title}' created.",
        obj=policy,
        actor=actor,
    )
    return policy


def update_policy(
    policy: Policy,
    data: Mapping[str, Any],
    *,
    context: ValidationContext | None = None,
    actor: Any = None,
) -> Policy:
    _apply(policy, data, context)
    db.session.flush()
    log_activity(
        "policy",
        "updated",
        f"Policy '{policy.title}' saved ({policy.status.upper()}).",
        obj=policy,
        actor=actor,
    )
    return policy


def revalidate_policies(context: ValidationContext | None = None) -> int:
    """Recompute every policy's status (after onboarding data or the store's attributes change)."""
    context = context if context is not None else validation_context()
    changed = 0
    for policy in db.session.scalars(select(Policy)):
        _settings, problems = check(policy.type, policy.settings, context)
        status = "invalid" if problems else "valid"
        if status != policy.status or [p.to_dict() for p in problems] != policy.problems:
            policy.status = status
            policy.problems = [p.to_dict() for p in problems]
            changed += 1
    db.session.flush()
    return changed


def _has_default(type_: str) -> bool:
    return (
        db.session.scalar(
            select(func.count()).select_from(Policy).where(Policy.type == type_, Policy.is_default)
        )
        or 0
    ) > 0


def set_default_policy(policy: Policy, *, actor: Any = None) -> None:
    for other in db.session.scalars(
        select(Policy).where(Policy.type == policy.type, Policy.is_default, Policy.id != policy.id)
    ):
        other.is_default = False
    policy.is_default = True
    db.session.flush()
    if actor is not None:
        log_activity(
            "policy",
            "default",
            f"'{policy.title}' is the default {policy.type} policy.",
            obj=policy,
            actor=actor,
        )


def default_policy(type_: str) -> Policy | None:
    return db.session.scalar(select(Policy).where(Policy.type == type_, Policy.is_default))


def create_default_policies(*, actor: Any = None) -> dict[str, Policy]:
    """The five "Default X Policy" rows, created once (the wizard's step 4)."""
    result: dict[str, Policy] = {}
    for code, ptype in POLICY_TYPES.items():
        existing = default_policy(code) or db.session.scalar(
            select(Policy).where(Policy.title_key == _title_key(ptype.default_title))
        )
        if existing is None:
            existing = create_policy(
                code, ptype.default_settings().to_dict(), actor=actor, is_default=True
            )
        result[code] = existing
    return result


def policy_choices(type_: str) -> list[tuple[int, str]]:
    rows = db.session.scalars(select(Policy).where(Policy.type == type_).order_by(Policy.title))
    return [(p.id, p.title + ("" if p.is_valid else " (INVALID)")) for p in rows]


@dataclass(frozen=True)
class Referrer:
    table: str
    column: str
    count: int

    @property
    def label(self) -> str:
        return self.table.replace("_", " ")


def policy_referrers(policy: Policy) -> list[Referrer]:
    """Rows of any table whose foreign key points at this policy (accounts, templates...)."""
    referrers = []
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == Policy.__tablename__ and fk.column.name == "id":
                count = db.session.scalar(
                    select(func.count()).select_from(table).where(fk.parent == policy.id)
                )
                if count:
                    referrers.append(Referrer(table.name, fk.parent.name, int(count)))
    return referrers


def delete_policies(ids: Iterable[int], *, actor: Any = None) -> tuple[int, list[str]]:
    """Delete the given policies; those still assigned are refused with the reason."""
    deleted, refused = 0, []
    for policy in db.session.scalars(select(Policy).where(Policy.id.in_(list(ids)))):
        referrers = policy_referrers(policy)
        if referrers:
            where = ", ".join(f"{r.count} {r.label}" for r in referrers)
            refused.append(f"'{policy.title}' is still assigned ({where}); reassign it first.")
            continue
        log_activity(
            "policy", "deleted", f"Policy '{policy.title}' deleted.", obj=policy, actor=actor
        )
        db.session.delete(policy)
        deleted += 1
    db.session.flush()
    return deleted, refused
