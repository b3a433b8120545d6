"""Serve a WSGI app on a free loopback port in a background thread, for tests over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, make_server


@dataclass
class LiveServer:
    url: str
    server: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start(wsgi_app, host: str = "127.0.0.1", port: int = 0) -> LiveServer:
    server = make_server(host, port, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"live-{server.port}", daemon=True)
    thread.start()
    return LiveServer(url=f"http://{host}:{server.port}", server=server, thread=thread)


@contextmanager
def serving(wsgi_app, host: str = "127.0.0.1", port: int = 0) -> Iterator[LiveServer]:
    live = start(wsgi_app, host, port)
    try:
        yield live
    finally:
        live.stop()
