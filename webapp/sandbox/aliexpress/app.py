"""The AliExpress sandbox WSGI app: gateway (``/sync``, ``/rest``), consent page
(``/oauth/authorize``) and control API (``/_control/...``).

Gateway behaviour follows ``/work/shared/reference/aliexpress-protocol.md`` (§2, §3, §5, §8):
parameters are read from the query string and the form (files ignored), the HMAC-SHA256
signature is verified exactly as the official SDKs compute it (path prefix only for ``/rest``;
values as sent; a variant without empty values is accepted too, as the Java SDK drops them),
the timestamp (epoch ms, ISO 8601, or legacy ``yyyy-MM-dd HH:mm:ss`` GMT+8) must be within
7200 s, and errors come back with HTTP 200 in the real envelopes: ``{"error_response": {type,
code, msg, request_id}}`` on ``/sync``, flat ``{type, code, message, request_id}`` on ``/rest``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, abort, jsonify, redirect, request, url_for
from markupsafe import escape
from werkzeug.wrappers.response import Response as WerkzeugResponse

from . import methods, seed
from .methods import ApiFault
from .state import SandboxState

SYSTEM_APIS = (
    "/auth/token/create",
    "/auth/token/refresh",
    "/auth/token/security/create",
    "/auth/token/security/refresh",
)
FAULT_KINDS = ("http_error", "timeout", "api_call_limit", "illegal_access_token", "bad_response")
_CST = timezone(timedelta(hours=8))

#: TOP list-wrapper keys collapsed into plain arrays for ``simplify=true``.
LIST_WRAPPERS = frozenset(
    {
        "category_info",
        "order_dto",
        "order_product_dto",
        "global_aeop_tp_child_order_dto",
        "global_aeop_tp_logistic_info_dto",
        "global_aeop_tp_order_product_info_dto",
        "item_display_dto",
        "global_aeop_ae_product_sku",
        "global_aeop_ae_product_property",
        "global_aeop_sku_property",
        "global_subject",
        "global_description",
        "batch_operation_job_dto",
        "single_item_response_dto",
        "synchronize_product_response_dto",
        "aeop_logistics_service_result",
        "aeopfreighttemplatedtolist",
        "template_d_t_o",
        "supported_sku_attribute_dto",
        "supported_common_attribute_dto",
        "number",
    }
)


#: call-counter prefix of the faults served, by kind (kept out of the call counts)
INJECTED = "!fault:"


def simplify(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key in LIST_WRAPPERS and isinstance(inner, list):
                return [simplify(v) for v in inner]
        return {k: simplify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [simplify(v) for v in value]
    return value


def platform_sign(secret: str, api: str | None, params: dict[str, str]) -> str:
    """The platform's signature, written independently of the client's signer on purpose:
    sorted ``key+value`` pairs, prefixed by the API path for ``/rest`` calls, HMAC-SHA256."""
    text = "".join(f"{key}{params[key]}" for key in sorted(params) if key != "sign")
    if api and "/" in api:
        text = api + text
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest().upper()


def _request_id() -> str:
    return secrets.token_hex(7)


def _parse_timestamp(raw: str) -> float | None:
    raw = raw.strip()
    if raw.isdigit():
        value = int(raw)
        return value / 1000 if value > 10**11 else float(value)
    try:
        if "T" in raw:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
        return datetime.strptime(raw, "%Y-%m-%d %H:%M:%S").replace(tzinfo=_CST).timestamp()
    except ValueError:
        return None


def create_app(state_path: str | None = None, **settings: Any) -> Flask:
    """Build the sandbox app. ``state_path`` is an SQLite file (``None``: in memory).
    ``settings``: ``app_key``, ``app_secret`` and any key of
    :data:`~.state.DEFAULT_SETTINGS` (token lifetimes in seconds, ``feed_delay``,
    ``rate_limit``...)."""
    app = Flask(__name__)
    state = SandboxState(state_path, **settings)
    app.extensions["aliexpress_sandbox"] = state

    # -- envelopes ------------------------------------------------------------------------

    def sync_error(fault: ApiFault) -> Response:
        body: dict[str, Any] = {
            "type": fault.type,
            "code": fault.code,
            "msg": fault.msg,
            "request_id": _request_id(),
            "_trace_id_": secrets.token_hex(12),
        }
        if fault.sub_code:
            body.update(sub_code=fault.sub_code, sub_msg=fault.sub_msg)
        response = jsonify({"error_response": body})
        response.status_code = fault.http_status
        return response

    def rest_error(fault: ApiFault) -> Response:
        response = jsonify(
            {
                "type": fault.type,
                "code": fault.code,
                "message": fault.msg,
                "request_id": _request_id(),
                "_trace_id_": secrets.token_hex(12),
            }
        )
        response.status_code = fault.http_status
        return response

    def collect_params() -> dict[str, str]:
        params = request.args.to_dict()
        params.update(request.form.to_dict())
        return params

    def apply_fault(api: str) -> Response | None:
        fault = state.take_fault(api)
        if fault is None:
            return None
        kind = fault["kind"]
        state.count_call(f"{INJECTED}{kind}")
        if kind == "http_error":
            status = int(fault["status"] or 503)
            return Response(
                f"<html><body><h1>{status} Service Unavailable</h1></body></html>",
                status=status,
                mimetype="text/html",
            )
        if kind == "bad_response":
            # What a misconfigured proxy or a maintenance page returns: HTTP 200, not JSON.
            return Response("<html><body>Service maintenance</body></html>", mimetype="text/html")
        if kind == "timeout":
            time.sleep(float(fault["seconds"] or 5))
            return None
        if kind == "api_call_limit":
            ban = float(fault["seconds"] or 1)
            raise ApiFault(
                "ApiCallLimit",
                f"Api access frequency exceeds the limit. this ban will last {ban:g} seconds",
            )
        if kind == "illegal_access_token":
            raise ApiFault("IllegalAccessToken", "The specified access token is invalid or expired")
        return None

    def verify(params: dict[str, str], api: str | None, required: tuple[str, ...]) -> str:
        """Check system parameters and signature; return the app key."""
        for name in required:
            if not params.get(name):
                raise ApiFault("MissingParameter", f"Missing required parameter: {name}")
        app_key = params["app_key"]
        secret = state.app_secret_for(app_key)
        if secret is None:
            raise ApiFault("InvalidAppKey", "Specified app key is invalid")
        if params["sign_method"].lower() not in ("sha256", "hmac-sha256", "hmacsha256"):
            raise ApiFault(
                "IncompleteSignature", "Unsupported sign_method: only sha256 is accepted"
            )
        moment = _parse_timestamp(params["timestamp"])
        skew = float(state.setting("timestamp_skew"))
        if moment is None or abs(time.time() - moment) > skew:
            raise ApiFault(
                "IllegalTimestamp",
                f"Timestamp is invalid or differs from the server time by more than {int(skew)} s",
            )
        signed = {k: v for k, v in params.items() if k != "sign"}
        without_empty = {k: v for k, v in signed.items() if v != ""}
        given = params["sign"].upper()
        if not (
            hmac.compare_digest(platform_sign(secret, api, signed), given)
            or hmac.compare_digest(platform_sign(secret, api, without_empty), given)
        ):
            raise ApiFault(
                "IncompleteSignature",
                "The request signature does not conform to platform standards",
            )
        ban = state.check_rate(app_key, time.time())
        if ban is not None:
            raise ApiFault(
                "ApiCallLimit",
                f"Api access frequency exceeds the limit. this ban will last {int(ban)} seconds",
            )
        return app_key

    # -- /sync ----------------------------------------------------------------------------

    @app.route("/sync", methods=["GET", "POST"])
    def sync() -> Response:
        params = collect_params()
        api = params.get("method") or request.args.get("method") or ""
        state.count_call(api or "(none)")
        try:
            failure = apply_fault(api)
            if failure is not None:
                return failure
            app_key = verify(
                params, None, ("app_key", "timestamp", "sign_method", "sign", "method")
            )
            handler = methods.METHODS.get(api)
            if handler is None:
                raise ApiFault("InvalidApi", f"Specified api {api} is invalid")
            token = params.get("session") or params.get("access_token")
            if not token:
                raise ApiFault("MissingParameter", "Missing required parameter: session")
            seller_id = state.token_seller(token, app_key)
            if seller_id is None:
                raise ApiFault(
                    "IllegalAccessToken", "The specified access token is invalid or expired"
                )
            try:
                payload = handler(state, seller_id, params)
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                # Malformed business parameters: TOP-style numeric error with an isv sub code.
                raise ApiFault(
                    "15",
                    "Remote service error",
                    sub_code="isv.invalid-parameter",
                    sub_msg=f"invalid parameter: {exc}",
                ) from exc
        except ApiFault as fault:
            return sync_error(fault)
        payload = dict(payload)
        if params.get("simplify", "false").lower() == "true":
            body = simplify(payload)
            body["request_id"] = _request_id()
        else:
            payload["request_id"] = _request_id()
            body = {api.replace(".", "_") + "_response": payload}
        return jsonify(body)

    # -- /rest ----------------------------------------------------------------------------

    def token_answer(token: dict[str, Any]) -> dict[str, Any]:
        seller = next(s for s in seed.SELLERS if s["seller_id"] == token["seller_id"])
        now = time.time()
        return {
            "code": "0",
            "access_token": token["access_token"],
            "refresh_token": token["refresh_token"],
            "expires_in": int(token["expires_at"] - now),
            "refresh_expires_in": int(token["refresh_expires_at"] - now),
            "expire_time": int(token["expires_at"] * 1000),
            "refresh_token_valid_time": int(token["refresh_expires_at"] * 1000),
            "user_id": seller["user_id"],
            "seller_id": seller["seller_id"],
            "account_id": seller["user_id"],
            "user_nick": seller["user_nick"],
            "havana_id": str(int(seller["user_id"]) + 10**12),
            "account": seller["account"],
            "account_platform": "seller_center",
            "sp": "ae",
            "locale": "en_US",
            "request_id": _request_id(),
            "_trace_id_": secrets.token_hex(12),
        }

    def rest_call(api: str) -> Response:
        params = collect_params()
        state.count_call(api or "(none)")
        try:
            failure = apply_fault(api)
            if failure is not None:
                return failure
            if api not in SYSTEM_APIS:
                raise ApiFault("InvalidApiPath", f"Specified api path {api} is invalid")
            app_key = verify(params, api, ("app_key", "timestamp", "sign_method", "sign"))
            if api.endswith("/create"):
                code = params.get("code")
                if not code:
                    raise ApiFault("MissingParameter", "Missing required parameter: code")
                seller_id = state.consume_code(code, app_key)
                if seller_id is None:
                    raise ApiFault("InvalidCode", "Invalid authorization code")
                return jsonify(token_answer(state.issue_token(app_key, seller_id)))
            refresh_token = params.get("refresh_token")
            if not refresh_token:
                raise ApiFault("MissingParameter", "Missing required parameter: refresh_token")
            token = state.rotate_refresh_token(refresh_token, app_key)
            if token is None:
                raise ApiFault(
                    "IllegalRefreshToken", "The specified refresh token is invalid or expired"
                )
            return jsonify(token_answer(token))
        except ApiFault as fault:
            return rest_error(fault)

    @app.route("/rest", methods=["GET", "POST"])
    def rest_root() -> Response:
        api = collect_params().get("method", "")
        return rest_call(api if api.startswith("/") else "/" + api)

    @app.route("/rest/<path:path>", methods=["GET", "POST"])
    def rest_path(path: str) -> Response:
        return rest_call("/" + path)

    # -- consent page ---------------------------------------------------------------------

    def oauth_request() -> dict[str, str]:
        source = request.values
        client_id = source.get("client_id", "")
        redirect_uri = source.get("redirect_uri", "")
        if source.get("response_type", "code") != "code":
            abort(400, "response_type must be code")
        if not client_id or state.app_secret_for(client_id) is None:
            abort(400, "unknown client_id")
        if not redirect_uri:
            abort(400, "redirect_uri is required")
        allowed = state.setting("redirect_uris")
        if allowed and not any(redirect_uri.startswith(prefix) for prefix in allowed):
            abort(400, "redirect_uri does not match the app's callback")
        return {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": source.get("state", ""),
        }

    def back_to(redirect_uri: str, **query: str) -> WerkzeugResponse:
        separator = "&" if "?" in redirect_uri else "?"
        query = {k: v for k, v in query.items() if v}
        return redirect(f"{redirect_uri}{separator}{urlencode(query)}", code=302)

    @app.get("/oauth/authorize")
    def authorize_page() -> str:
        oauth = oauth_request()
        options = "".join(
            f'<label><input type="radio" name="seller_id" value="{escape(s["seller_id"])}"'
            f"{' checked' if i == 0 else ''}> {escape(s['user_nick'])} "
            f"({escape(s['account'])})</label><br>"
            for i, s in enumerate(seed.SELLERS)
        )
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{escape(v)}">' for k, v in oauth.items()
        )
        app_name = escape(state.app_name(oauth["client_id"]) or oauth["client_id"])
        return (
            "<!doctype html><html><head><meta charset='utf-8'>"
            "<title>AliExpress sandbox - authorize</title></head><body>"
            f"<h1>Authorize {app_name}</h1>"
            f"<p>The application <strong>{app_name}</strong> (app key "
            f"{escape(oauth['client_id'])}) asks to manage your AliExpress store.</p>"
            f'<form method="post" action="{url_for("authorize_submit")}" id="consent">'
            f"{hidden}<fieldset><legend>Sign in as</legend>{options}</fieldset>"
            '<button type="submit" name="decision" value="allow">Authorize</button> '
            '<button type="submit" name="decision" value="deny">Cancel</button>'
            "</form></body></html>"
        )

    @app.post("/oauth/authorize")
    def authorize_submit() -> WerkzeugResponse:
        oauth = oauth_request()
        if request.form.get("decision") != "allow":
            return back_to(
                oauth["redirect_uri"],
                error="access_denied",
                error_description="The seller denied the authorization",
                state=oauth["state"],
            )
        seller_id = request.form.get("seller_id", "")
        if seller_id not in {s["seller_id"] for s in seed.SELLERS}:
            abort(400, "pick a seller account")
        code = state.issue_code(oauth["client_id"], seller_id, oauth["redirect_uri"])
        return back_to(oauth["redirect_uri"], code=code, state=oauth["state"])

    # -- control API ----------------------------------------------------------------------

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}

    def bad_request(message: str) -> tuple[Response, int]:
        return jsonify({"error": message}), 400

    @app.get("/_control/info")
    def control_info() -> Response:
        return jsonify(
            {
                "gateway": request.host_url.rstrip("/") + request.script_root,
                "app_key": state.app_key,
                "app_secret": state.app_secret,
                "sellers": seed.SELLERS,
                "settings": state.settings(),
            }
        )

    @app.post("/_control/reset")
    def control_reset() -> Response:
        state.reset()
        return jsonify({"ok": True})

    @app.route("/_control/settings", methods=["GET", "POST"])
    def control_settings() -> Response | tuple[Response, int]:
        if request.method == "GET":
            return jsonify(state.settings())
        try:
            return jsonify(state.update_settings(**body()))
        except ValueError as exc:
            return bad_request(str(exc))

    @app.post("/_control/token-lifetimes")
    def control_token_lifetimes() -> Response | tuple[Response, int]:
        data = body()
        mapping = {"access": "access_token_ttl", "refresh": "refresh_token_ttl", "code": "code_ttl"}
        values = {mapping[k]: float(v) for k, v in data.items() if k in mapping}
        if not values:
            return bad_request("pass access, refresh and/or code (seconds)")
        return jsonify(state.update_settings(**values))

    @app.post("/_control/rate-limit")
    def control_rate_limit() -> Response:
        data = body()
        values: dict[str, Any] = {"rate_limit": data.get("calls_per_second")}
        if data.get("ban_seconds") is not None:
            values["rate_limit_ban"] = data["ban_seconds"]
        return jsonify(state.update_settings(**values))

    @app.route("/_control/faults", methods=["GET", "POST", "DELETE"])
    def control_faults() -> Response | tuple[Response, int]:
        if request.method == "DELETE":
            state.clear_faults()
            return jsonify({"ok": True})
        if request.method == "POST":
            data = body()
            if data.get("kind") not in FAULT_KINDS:
                return bad_request(f"kind must be one of {', '.join(FAULT_KINDS)}")
            fault_id = state.add_fault(
                data["kind"],
                count=data.get("count"),
                probability=data.get("probability"),
                method=data.get("method"),
                seconds=data.get("seconds"),
                status=data.get("status"),
            )
            return jsonify({"id": fault_id})
        return jsonify({"faults": state.faults()})

    @app.post("/_control/tokens/expire")
    def control_expire_tokens() -> Response:
        return jsonify({"expired": state.expire_tokens(body().get("access_token"))})

    @app.post("/_control/orders")
    def control_create_order() -> Response | tuple[Response, int]:
        data = body()
        try:
            order = methods.create_order(
                state,
                seller_id=data.get("seller_id"),
                items=data.get("items"),
                buyer=data.get("buyer"),
                address=data.get("address"),
                status=data.get("status", "WAIT_SELLER_SEND_GOODS"),
                shipping_amount=str(data.get("shipping_amount", "0.00")),
                logistics_service=data.get("logistics_service", "CAINIAO_STANDARD"),
                memo=data.get("memo"),
            )
        except ValueError as exc:
            return bad_request(str(exc))
        return jsonify(methods.order_dto(order))

    @app.post("/_control/orders/simulate")
    def control_simulate_orders() -> Response | tuple[Response, int]:
        data = body()
        try:
            orders = methods.simulate_orders(
                state,
                int(data.get("count", 1)),
                seller_id=data.get("seller_id"),
                status=data.get("status", "WAIT_SELLER_SEND_GOODS"),
                seed_value=data.get("seed"),
            )
        except (TypeError, ValueError) as exc:
            return bad_request(str(exc))
        return jsonify({"orders": [methods.order_dto(o) for o in orders]})

    @app.post("/_control/orders/<int:order_id>/status")
    def control_order_status(order_id: int) -> Response | tuple[Response, int]:
        try:
            order = methods.set_order_status(state, order_id, str(body().get("status")))
        except ValueError as exc:
            return bad_request(str(exc))
        return jsonify(methods.order_dto(order))

    @app.get("/_control/products")
    def control_products() -> Response:
        seller_id = request.args.get("seller_id", seed.SELLERS[0]["seller_id"])
        methods.advance_feeds(state, seller_id)
        return jsonify({"products": state.products(seller_id)})

    @app.get("/_control/calls")
    def control_calls() -> Response:
        counts = state.call_counts()
        injected = {k[len(INJECTED) :]: v for k, v in counts.items() if k.startswith(INJECTED)}
        counts = {k: v for k, v in counts.items() if not k.startswith(INJECTED)}
        return jsonify({"calls": counts, "total": sum(counts.values()), "faults": injected})

    @app.errorhandler(400)
    def bad(error: Any) -> tuple[str, int]:
        return f"<!doctype html><p>Bad request: {escape(error.description)}</p>", 400

    app.json.sort_keys = False  # type: ignore[attr-defined]
    return app
