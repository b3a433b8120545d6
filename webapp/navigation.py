"""The top navigation, mirroring the manuals' menu."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask

MENU: list[tuple[str, str | list[tuple[str, str]]]] = [
    ("Dashboard", "main.dashboard"),
    ("Setup Wizard", "wizard.index"),
    (
        "Configuration",
        [
            ("AliExpress Accounts", "accounts.index"),
            ("Magento Store", "store.index"),
            ("Magento Catalog", "catalog.index"),
            ("Policies", "policies.index"),
        ],
    ),
    ("Listing Templates", "templates.index"),
    ("Products", "products.index"),
    ("Orders", [("All Orders", "orders.index"), ("Failed Orders", "orders.failed")]),
    (
        "Developer",
        [
            ("API Feeds", "feeds.index"),
            ("Cron Logs", "logs.cron"),
            ("Activity Logs", "logs.activity"),
        ],
    ),
    ("Settings", "settings.index"),
    ("Users", "users.index"),
]


@dataclass
class NavItem:
    label: str
    endpoint: str | None
    available: bool
    children: list[NavItem] = field(default_factory=list)


def nav_items(app: Flask) -> list[NavItem]:
    """Menu entries; a screen that is not built yet shows as unavailable, never a dead link."""
    endpoints = set(app.view_functions)
    items = []
    for label, target in MENU:
        if isinstance(target, list):
            children = [NavItem(lbl, ep, ep in endpoints) for lbl, ep in target]
            items.append(NavItem(label, None, any(c.available for c in children), children))
        else:
            items.append(NavItem(label, target, target in endpoints))
    return items
