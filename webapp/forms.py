"""Forms of the foundation screens (login, registration, users, settings)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, SubmitField
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from webapp.models import Role
from webapp.services.users import password_problem

ROLE_CHOICES = [(r.value, r.label) for r in Role]


def strong_password(form: FlaskForm, field: PasswordField) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(check_deliverability=False)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me logged in")
    submit = SubmitField("Log in")


class RegistrationForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description="You will log in with this address; notifications go here by default.",
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), strong_password],
        description="At least 10 characters, mixing letters with digits or symbols.",
    )
    confirm = PasswordField(
        "Confirm password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    accept_terms = BooleanField(
        "I accept the terms and conditions",
        validators=[DataRequired("Accept the terms to continue.")],
    )
    submit = SubmitField("Create admin account")


class UserForm(FlaskForm):
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    password = PasswordField(
        "Initial password",
        validators=[DataRequired(), strong_password],
        description="Share it privately; the user can log in with it at once.",
    )
    role = SelectField(
        "Role",
        choices=ROLE_CHOICES,
        default=Role.OPERATOR.value,
        description="Admins manage users and settings; operators run the connector; "
        "viewers can only look.",
    )
    submit = SubmitField("Add user")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class SettingsForm(FlaskForm):
    log_retention_days = IntegerField(
        "Log retention (days)",
        validators=[DataRequired(), NumberRange(min=1, max=3650)],
        description="Cron and activity log rows older than this are purged daily.",
    )
    notification_email = EmailField(
        "Notification e-mail",
        validators=[Optional(), Email(check_deliverability=False)],
        description="New orders and critical errors (expired tokens, repeated failures) go here.",
    )
    submit = SubmitField("Save settings")
