"""Demo mode: both sandboxes mounted under the app's own server, `flask sandbox` commands."""

import json


def test_demo_mode_mounts_both_sandboxes(make_app):
    app = make_app(MOUNT_SANDBOXES=True, PUBLIC_URL="http://127.0.0.1:5000")
    client = app.test_client()
    assert client.get("/sandbox/aliexpress/_control/info").status_code == 200
    # The Magento sandbox speaks real REST: without credentials it answers Magento's 401.
    denied = client.get("/sandbox/magento/rest/V1/store/storeViews")
    assert denied.status_code == 401
    assert "isn't authorized" in denied.get_json()["message"]


def test_sandbox_info_prints_connection_details(make_app):
    app = make_app(MOUNT_SANDBOXES=True, PUBLIC_URL="http://127.0.0.1:5000")
    result = app.test_cli_runner().invoke(args=["sandbox", "info"])
    assert result.exit_code == 0, result.output
    details = json.loads(result.output)
    assert details["aliexpress"]["gateway"] == "http://127.0.0.1:5000/sandbox/aliexpress"
    assert details["aliexpress"]["app_key"] and details["aliexpress"]["app_secret"]
    magento = details["magento"]
    assert magento["base_url"] == "http://127.0.0.1:5000/sandbox/magento"
    for key in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
        assert magento[key]
    assert "default" in magento["store_codes"]


def test_without_demo_mode_nothing_is_mounted(make_app):
    app = make_app(DEMO_MODE=False, MOUNT_SANDBOXES=True)
    assert app.test_client().get("/sandbox/aliexpress/_control/info").status_code == 404
    assert "sandboxes" not in app.extensions


def test_sandbox_magento_generate_grows_the_catalog(make_app):
    app = make_app(MOUNT_SANDBOXES=True)
    result = app.test_cli_runner().invoke(
        args=["sandbox", "magento", "generate", "--products", "120"]
    )
    assert result.exit_code == 0, result.output
    assert "120 products" in result.output
