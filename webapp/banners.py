"""Banners shown on every page (expired tokens, failed jobs...).

Features register a provider: a function returning ``Banner`` rows for the current request.
A provider that fails never breaks the page; it is logged and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Banner:
    level: str  # "error" | "warning" | "info"
    message: str
    link: str | None = None
    link_label: str | None = None


BannerProvider = Callable[[], list[Banner]]
_providers: list[BannerProvider] = []


def banner_provider(func: BannerProvider) -> BannerProvider:
    if func not in _providers:
        _providers.append(func)
    return func


def current_banners() -> list[Banner]:
    banners: list[Banner] = []
    for provider in _providers:
        try:
            banners.extend(provider())
        except Exception:
            log.exception("banner provider %s failed", getattr(provider, "__name__", provider))
    return banners
