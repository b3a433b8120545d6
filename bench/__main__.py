"""``make bench`` (``python -m bench [p1 ... p5]``): run the benchmarks, print their figures and
write ``.bench/results.json`` with the machine and the sizes used.

Figures are counts and ratios against a baseline measured in the same run, never raw seconds
compared with a constant. Each benchmark builds its own app (own SQLite file and sandboxes), so
any one runs alone: ``python -m bench p5``.

Sizes (environment): BENCH_PRODUCTS (P3 catalog and reconcile, P4 grid rows), BENCH_LISTINGS
(P2 listed SKUs), BENCH_ORDERS (P5), plus BENCH_SYNC_CHANGES and BENCH_TICK_SECONDS for P2. The
defaults keep a plain ``make bench`` within about ten minutes on two cores; the README's figures
used BENCH_PRODUCTS=100000 BENCH_LISTINGS=10000 BENCH_ORDERS=1000.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import sizes

Figures = dict[str, Any]


def _p1() -> Figures:
    from bench.listings import p1

    return p1()


def _p2() -> Figures:
    from bench.sync_latency import run

    return run()


def _p3() -> Figures:
    from bench.listings import p3

    return p3()


def _p4() -> Figures:
    from bench.listings import p4

    return p4()


def _p5() -> Figures:
    from bench.orders import run

    return run()


BENCHMARKS: dict[str, tuple[str, Callable[[], Figures]]] = {
    "p1": ("AliExpress calls per change against the batch limit", _p1),
    "p2": ("seconds from a Magento price change to AliExpress, scheduler running", _p2),
    "p3": ("full import and reconcile against JSON decoding of the same pages; memory", _p3),
    "p4": ("products grid median response against /health", _p4),
    "p5": ("calls and local milliseconds per imported order", _p5),
}


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": "SQLite",
    }


def main(argv: list[str]) -> int:
    names = [a.lower() for a in argv] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "sizes": sizes(),
        "benchmarks": names,
        "figures": {},
        "durations_seconds": {},
    }
    for key in ("machine", "sizes"):
        print(f"{key}: " + ", ".join(f"{k}={v}" for k, v in report[key].items()), flush=True)
    failed = False
    for name in names:
        title, bench = BENCHMARKS[name]
        print(f"\n== {name.upper()}: {title}", flush=True)
        started = time.monotonic()
        try:
            figures = bench()
        except Exception:
            traceback.print_exc()
            figures = {"error": traceback.format_exc(limit=1).strip().splitlines()[-1]}
            failed = True
        report["durations_seconds"][name] = round(time.monotonic() - started, 1)
        for key, value in figures.items():
            report["figures"][f"{name}.{key}"] = value
            print(f"{name}.{key}: {value}", flush=True)
        print(f"({name} took {report['durations_seconds'][name]} s)", flush=True)
    out = Path(".bench")
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out / 'results.json'} ({len(report['figures'])} figures)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
