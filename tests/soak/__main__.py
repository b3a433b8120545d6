"""``make soak``: the fault soak at full length, outside pytest, on a throwaway database."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--crash-points", type=int, default=50)
    args = parser.parse_args()

    from cryptography.fernet import Fernet

    from tests.orders.conftest import open_shop
    from tests.soak.soak import run_soak, soak_config
    from tests.support.liveserver import start
    from tests.support.world import build_world
    from webapp import create_app
    from webapp.extensions import db

    with tempfile.TemporaryDirectory(prefix="alimento-soak-") as tmp:
        app = create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": str(Path(tmp) / "instance"),
                "SECRET_KEY": "soak",
                "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'soak.sqlite3'}",
                "SCHEDULER_ENABLED": False,
                "DEMO_MODE": True,
                **soak_config(),
            }
        )
        with app.app_context():
            db.create_all()
        live = start(app)
        app.config.update(LIVE_URL=live.url, PUBLIC_URL=live.url, PUBLIC_URL_EXPLICIT=True)
        try:
            shop = open_shop(
                build_world(app),
                ("MS-AUR", "MS-BRZ", "WS-CAL", "24-MB02", "24-MB03", "24-MG01", "24-MG02"),
            )
            report = run_soak(shop, args.cycles, seed=args.seed) if args.cycles else None
        finally:
            live.stop()
        crashes = _crashes(Path(tmp), args.crash_points, args.seed) if args.crash_points else None
    ok = True
    if report is not None:
        print("== fault soak")
        print("\n".join(report.lines()))
        for line in report.mismatches:
            print("MISMATCH", line)
        ok = ok and not report.mismatches
    if crashes is not None:
        print("== random crash points")
        print("\n".join(crashes.lines()))
        for line in crashes.soak.mismatches:
            print("MISMATCH", line)
        ok = ok and not crashes.soak.mismatches
    return 0 if ok else 1


def _crashes(tmp: Path, points: int, seed: int):  # type: ignore[no-untyped-def]
    """The random crash test on its own app (file database: the workers share it)."""
    from cryptography.fernet import Fernet

    from tests.orders.conftest import open_shop
    from tests.soak.crash import run_crashes
    from tests.support.liveserver import start
    from tests.support.world import build_world
    from webapp import create_app
    from webapp.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp / "crash-instance"),
            "SECRET_KEY": "crash",
            "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'crash.sqlite3'}",
            "SCHEDULER_ENABLED": False,
            "DEMO_MODE": True,
            "MOUNT_SANDBOXES": True,
            "AE_BACKOFF": 0.01,
            "MAGENTO_BACKOFF": 0.01,
        }
    )
    with app.app_context():
        db.create_all()
    live = start(app)
    app.config.update(LIVE_URL=live.url, PUBLIC_URL=live.url, PUBLIC_URL_EXPLICIT=True)
    try:
        shop = open_shop(build_world(app), ("MS-AUR", "24-MB02", "24-MG01", "24-MG02"))
        shop.policy(allow_out_of_stock_or_disabled=True)
        return run_crashes(shop, points, seed=seed)
    finally:
        live.stop()


if __name__ == "__main__":
    sys.exit(main())
