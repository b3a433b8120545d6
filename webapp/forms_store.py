"""The Magento store form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import URL, DataRequired, Length, Optional
from wtforms.widgets import PasswordInput

from webapp.services.store import SECRET_FIELDS


class StoreForm(FlaskForm):
    """Magento store credentials; see :func:`store_form` to build it for a page."""

    base_url = StringField(
        "Base URL",
        validators=[
            DataRequired(),
            URL(require_tld=False, message="Enter a URL like https://shop.example.com."),
            Length(max=500),
        ],
        description="The store's address without /rest, for example https://shop.example.com.",
    )
    auth_mode = SelectField(
        "Authentication",
        choices=[
            ("oauth1", "Integration (OAuth 1.0a, recommended)"),
            ("bearer", "Integration access token as Bearer token"),
        ],
        description="In Magento: System > Extensions > Integrations > Add New Integration, grant "
        "the API resources listed below, Save & Activate, then copy the four values here. The "
        "Bearer option needs 'Allow OAuth Access Tokens to be used as standalone Bearer tokens' "
        "(Stores > Configuration > Services > OAuth), which is off by default since 2.4.4.",
    )
    consumer_key = StringField("Consumer Key", validators=[Optional(), Length(max=255)])
    consumer_secret = PasswordField(
        "Consumer Secret",
        validators=[Optional()],
        description="Leave blank to keep the saved value.",
    )
    access_token = PasswordField(
        "Access Token", validators=[Optional()], description="Leave blank to keep the saved value."
    )
    access_token_secret = PasswordField(
        "Access Token Secret",
        validators=[Optional()],
        description="Leave blank to keep the saved value.",
    )
    bearer_token = PasswordField(
        "Bearer Token",
        validators=[Optional()],
        description="Only for the Bearer mode: the integration's access token.",
    )
    default_store_code = StringField(
        "Default store view code",
        validators=[Optional(), Length(max=64)],
        description="Store view whose values (names, descriptions) are the main language.",
    )
    website_code = StringField(
        "Website code",
        validators=[Optional(), Length(max=64)],
        description="Sales channel whose stock gives the salable quantity (usually base).",
    )
    submit = SubmitField("Save")


def store_form(store: object | None, demo_defaults: dict[str, object], posted: bool) -> StoreForm:
    """The form for a POST, the saved store, or (no store yet) the demo sandbox's details."""
    if posted:
        return StoreForm()
    if store is None:
        form = StoreForm(data=demo_defaults)
        # Demo mode pre-fills the sandbox's secrets: show them, as the seller would paste them.
        for name in SECRET_FIELDS:
            form[name].widget = PasswordInput(hide_value=False)
        return form
    return StoreForm(obj=store)
