"""Fixtures: the Magento sandbox served over real HTTP, and clients that talk to it.

``sandbox`` resets the session's sandbox to the demo catalog before each test and gives its
URL, credentials and control API. ``magento`` is the full adapter facade over a signed client;
every exchange it makes is checked against Adobe's admin schema when the test ends (request
path + method must be an operation; the answer must validate).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.magento import schema
from tests.support.liveserver import LiveServer, start
from webapp.integrations.magento import (
    Magento,
    MagentoClient,
    MagentoSettings,
    OAuthCredentials,
)
from webapp.sandbox.magento import create_app, info

logging.getLogger("werkzeug").setLevel(logging.ERROR)


@dataclass
class Sandbox:
    url: str
    details: dict[str, Any]
    http: requests.Session = field(default_factory=requests.Session)

    def control(self, method: str, path: str, payload: Any = None) -> Any:
        answer = self.http.request(method, f"{self.url}/_control/{path}", json=payload, timeout=60)
        answer.raise_for_status()
        return answer.json()

    @property
    def credentials(self) -> OAuthCredentials:
        d = self.details
        return OAuthCredentials(
            d["consumer_key"], d["consumer_secret"], d["access_token"], d["access_token_secret"]
        )


@dataclass
class Recorder:
    exchanges: list[tuple[str, str, int, Any]] = field(default_factory=list)

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        path = urlsplit(response.request.url or "").path
        self.exchanges.append((response.request.method or "", path, response.status_code, body))

    def check(self) -> None:
        for method, path, status, body in self.exchanges:
            if body is None and status < 500:
                continue  # not-JSON answers are injected faults, checked by their own tests
            if status >= 500:
                continue
            schema.validate_answer(method, path, status, body)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[LiveServer]:
    live = start(create_app())
    yield live
    live.stop()


@pytest.fixture
def sandbox(sandbox_server: LiveServer) -> Sandbox:
    box = Sandbox(sandbox_server.url, {})
    box.control("POST", "reset")
    box.details = info(sandbox_server.url, session=box.http)
    return box


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    yield rec
    rec.check()


@pytest.fixture
def make_client(sandbox: Sandbox, recorder: Recorder):
    """Factory: ``make_client(credentials=..., sleep=..., **settings)`` -> MagentoClient."""

    def make(credentials: Any = None, sleep=lambda _s: None, **overrides: Any) -> MagentoClient:
        session = requests.Session()
        session.hooks["response"].append(recorder.hook)
        settings = MagentoSettings(
            base_url=sandbox.url, credentials=credentials or sandbox.credentials, **overrides
        )
        return MagentoClient(session, settings, sleep=sleep)

    return make


@pytest.fixture
def magento(make_client) -> Magento:
    return Magento(make_client())
