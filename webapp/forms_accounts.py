"""Forms of the AliExpress Accounts screen."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import URL, DataRequired, Length, Optional

from webapp.services.accounts import REGIONS


class AccountForm(FlaskForm):
    title = StringField(
        "Account Title",
        validators=[DataRequired("Enter an account title."), Length(max=120)],
        description="A name for this AliExpress account, for your team.",
    )
    region = SelectField(
        "Region",
        choices=[("", "Choose…"), *REGIONS],
        validators=[DataRequired("Choose a region.")],
        description="The operational region of the AliExpress seller account. It cannot be "
        "changed after saving.",
    )
    store_view_code = SelectField(
        "Store View",
        validators=[DataRequired("Choose the Magento store view.")],
        description="Product data, descriptions and orders use this Magento store view.",
    )
    submit = SubmitField("Save and authorize")


class AccountEditForm(FlaskForm):
    store_view_code = SelectField("Store View", validators=[DataRequired()])
    sync_policy_id = SelectField(
        "Synchronization Policy",
        coerce=int,
        description="Which cron switches and logs apply to this account.",
    )
    order_policy_id = SelectField(
        "Order Policy", coerce=int, description="How this account's orders are created in Magento."
    )
    submit = SubmitField("Save")


class ApiSettingsForm(FlaskForm):
    gateway = StringField(
        "Gateway",
        validators=[DataRequired(), URL(require_tld=False)],
        description="https://api-sg.aliexpress.com for the AliExpress Open Platform.",
    )
    app_key = StringField("App Key", validators=[DataRequired(), Length(max=64)])
    app_secret = PasswordField(
        "App Secret",
        validators=[Optional(), Length(max=255)],
        description="Leave blank to keep the saved secret.",
    )
    submit = SubmitField("Save API settings")
