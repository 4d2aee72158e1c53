"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 that records what it gets."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


SHUTDOWN_POLL_S = 0.02


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """Answers 204, or 503 for the next `fail_next` requests (to exercise retries), or whatever
    `scripted` holds next as (status, headers). `go_down()` closes the port until `come_back()`."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.fail_next = 0
        self.scripted: list[tuple[int, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._port = 0
        self._server: ThreadingHTTPServer | None = None
        self._start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._lock:
                    receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    if receiver.scripted:
                        status, headers = receiver.scripted.pop(0)
                    elif receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        status, headers = 503, {}
                    else:
                        status, headers = 204, {}
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        return Handler

    def _start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), self._handler())
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        # `shutdown` waits for the loop to notice, up to one poll interval (0.5 s by default):
        # every test with a receiver, and every `go_down`, paid that wait.
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_S},
                         daemon=True).start()

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self._port}{path}"

    def go_down(self) -> None:
        """Stop listening: connections are refused until `come_back`."""
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
        self._server = None

    def come_back(self) -> None:
        self._start()

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, *_exc) -> None:
        if self._server is not None:
            self.go_down()
