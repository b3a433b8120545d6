"""Named step boundaries of background work, where the crash tests stop the process.

``ALIMENTO_CRASHPOINT=<name>[:<n>]`` makes the process SIGKILL itself the n-th time (default
the first) it passes the boundary ``name``. Unset, as everywhere outside the crash tests, a
crash point costs one environment lookup. The boundaries: ``order_saved``, ``cart_prepared``,
``order_placed``, ``order_recorded``, ``commented``, ``invoiced`` (the order import) and
``push_sent`` (a price or stock batch accepted by AliExpress, not yet recorded here).
"""

from __future__ import annotations

import os
import signal

ENV = "ALIMENTO_CRASHPOINT"
_hits: dict[str, int] = {}


def crashpoint(name: str) -> None:
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
