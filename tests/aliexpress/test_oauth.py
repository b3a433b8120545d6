"""Seller authorization over HTTP: consent page, callback, code exchange, refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from webapp.integrations.aliexpress import adapters as ae
from webapp.integrations.aliexpress.errors import (
    AuthorizationDeniedError,
    InvalidCodeError,
    InvalidRefreshTokenError,
    InvalidTokenError,
    StateMismatchError,
)
from webapp.integrations.aliexpress.oauth import parse_callback

from .conftest import REDIRECT_URI, consent


def test_authorization_url_has_the_documented_parameters(oauth, sandbox):
    url, state = oauth.authorization_url(REDIRECT_URI)
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{sandbox.url}/oauth/authorize"
    assert query == {
        "response_type": "code",
        "force_auth": "true",
        "client_id": sandbox.app_key,
        "redirect_uri": REDIRECT_URI,
        "state": state,
    }
    assert len(state) >= 20


def test_full_round_trip_yields_working_tokens(oauth, sandbox, make_client):
    url, state = oauth.authorization_url(REDIRECT_URI)
    location = consent(sandbox, url, seller_id="2000000002")
    assert location.startswith(REDIRECT_URI + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [state]
    assert query["code"][0].startswith(f"3_{sandbox.app_key}_")

    tokens = oauth.exchange_code(parse_callback(location, state))

    now = datetime.now(UTC)
    assert tokens.seller_id == "2000000002"
    assert tokens.account == "second-seller@example.com"
    assert tokens.account_platform == "seller_center"
    assert tokens.expires_at.tzinfo is not None
    assert now + timedelta(days=29) < tokens.expires_at < now + timedelta(days=31)
    assert now + timedelta(days=59) < tokens.refresh_expires_at < now + timedelta(days=61)
    assert not tokens.is_expired()
    assert tokens.access_token not in repr(tokens)
    profile = ae.get_merchant_profile(make_client(), tokens.access_token)
    assert profile["merchant_login_id"] == "second-seller@example.com"


def test_code_is_single_use(oauth, sandbox):
    url, state = oauth.authorization_url(REDIRECT_URI)
    code = parse_callback(consent(sandbox, url), state)
    oauth.exchange_code(code)
    with pytest.raises(InvalidCodeError) as excinfo:
        oauth.exchange_code(code)
    assert excinfo.value.code == "InvalidCode"


def test_expired_code_is_rejected(oauth, sandbox):
    sandbox.control("token-lifetimes", {"code": 0})
    url, state = oauth.authorization_url(REDIRECT_URI)
    code = parse_callback(consent(sandbox, url), state)
    with pytest.raises(InvalidCodeError):
        oauth.exchange_code(code)


def test_denied_authorization_raises_a_clear_error(oauth, sandbox):
    url, state = oauth.authorization_url(REDIRECT_URI)
    location = consent(sandbox, url, decision="deny")
    assert "error=access_denied" in location
    with pytest.raises(AuthorizationDeniedError) as excinfo:
        parse_callback(location, state)
    assert excinfo.value.code == "access_denied"


def test_state_mismatch_is_refused(oauth, sandbox):
    url, _ = oauth.authorization_url(REDIRECT_URI)
    location = consent(sandbox, url)
    with pytest.raises(StateMismatchError):
        parse_callback(location, "another-state")


def test_callback_without_code_is_refused():
    with pytest.raises(InvalidCodeError):
        parse_callback({"state": "s"}, "s")


def test_refresh_issues_new_tokens_and_rotates_the_refresh_token(oauth, tokens, make_client):
    renewed = oauth.refresh(tokens.refresh_token)
    assert renewed.access_token != tokens.access_token
    assert renewed.seller_id == tokens.seller_id
    assert ae.get_category_children(make_client(), renewed.access_token)
    with pytest.raises(InvalidRefreshTokenError) as excinfo:
        oauth.refresh(tokens.refresh_token)
    assert excinfo.value.code == "IllegalRefreshToken"


def test_expired_refresh_token_needs_reauthorization(oauth, sandbox, authorize):
    sandbox.control("token-lifetimes", {"refresh": 0})
    tokens = authorize()
    assert not tokens.can_refresh()
    with pytest.raises(InvalidRefreshTokenError):
        oauth.refresh(tokens.refresh_token)


def test_expired_access_token_is_refused_by_the_gateway(sandbox, authorize, make_client):
    sandbox.control("token-lifetimes", {"access": 0})
    tokens = authorize()
    assert tokens.is_expired()
    with pytest.raises(InvalidTokenError):
        ae.get_category_children(make_client(), tokens.access_token)


def test_token_calls_are_recorded_with_secrets_masked(sandbox, tokens, records):
    create = next(r for r in records if r.api == "/auth/token/create")
    assert create.http_status == 200
    assert create.error is None
    assert create.params["app_key"] == sandbox.app_key
    for key in ("code", "sign"):
        assert "***" in create.params[key]
    assert tokens.access_token not in str(create.response)
    assert tokens.refresh_token not in str(create.response)


def test_token_answers_with_string_durations_are_understood():
    from webapp.integrations.aliexpress.oauth import token_set_from_answer

    now = 1_700_000_000.0
    tokens = token_set_from_answer(
        {
            "access_token": "50000a",
            "refresh_token": "50001b",
            "expires_in": "10",
            "refresh_expires_in": "20",
            "seller_id": 123,
            "code": "0",
        },
        now,
    )
    assert tokens.expires_at == datetime.fromtimestamp(now + 10, UTC)
    assert tokens.refresh_expires_at == datetime.fromtimestamp(now + 20, UTC)
    assert tokens.seller_id == "123"
    assert tokens.is_expired(now=datetime.fromtimestamp(now + 11, UTC))
    assert tokens.can_refresh(now=datetime.fromtimestamp(now + 11, UTC))
    assert not tokens.can_refresh(now=datetime.fromtimestamp(now + 21, UTC))
