"""``make bench``: run every benchmark, print its figures, write ``.bench/results.json``.

Figures are counts and ratios against a baseline measured in the same run, never raw seconds
compared with a constant. Later issues register their benchmarks in ``BENCHMARKS``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path


def _listings() -> dict[str, float | int]:
    from bench.listings import run

    return run()


BENCHMARKS: list[tuple[str, Callable[[], dict[str, float | int]]]] = [("listings", _listings)]


def main() -> int:
    results: dict[str, float | int] = {}
    for name, bench in BENCHMARKS:
        figures = bench()
        for key, value in figures.items():
            results[f"{name}.{key}"] = value
            print(f"{name}.{key}: {value}")
    if not BENCHMARKS:
        print("no benchmarks registered yet")
    out = Path(".bench")
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True))
    print(f"wrote {out / 'results.json'} ({len(results)} figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
