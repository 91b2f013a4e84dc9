"""How `kb serve` runs the app under uvicorn."""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol


class NoDelayHTTPProtocol(AutoHTTPProtocol):
    """uvicorn's HTTP protocol with Nagle's algorithm off on every connection.

    With several workers, uvicorn binds the listening socket without naming TCP as its protocol, so
    asyncio does not set TCP_NODELAY on accepted connections; a response's headers and body then go
    out as two small writes and the second waits for the client's delayed ACK (40 ms on Linux)."""

    def connection_made(self, transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)


# uvicorn restarts a worker that does not answer its supervisor's ping in time (5 s by default); a
# worker validating and loading a large collection can hold the interpreter longer than that
WORKER_HEALTHCHECK_S = 120


def run(host: str, port: int, workers: int) -> None:
    """Serve the web app; returns when the server stops."""
    uvicorn.run("kb.web.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info",
                access_log=False, timeout_graceful_shutdown=10, http=NoDelayHTTPProtocol,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_S)
