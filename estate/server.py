"""The local AWS endpoint: moto's threaded server inside this process.

In-process (not `moto_server` as a subprocess) so the seeder can reach moto's backend objects
and set what the API cannot (a volume's creation time), making ages true in API responses.
"""

from __future__ import annotations

import logging
import urllib.request

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from estate import advice
from estate.gateway import EstateGateway
from estate.reserved import STORE

log = logging.getLogger(__name__)


class _GatewayMotoServer(ThreadedMotoServer):
    """moto's threaded server with `EstateGateway` in front (same body as moto's own entry
    point, one wrapper added; moto is pinned <6 in pyproject)."""

    def _server_entry(self) -> None:
        app = EstateGateway(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._ip_address, self._port, app, True,
                                   request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()


class EstateServer:
    """A started moto server; `endpoint` is what boto3's `endpoint_url` takes."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5000) -> None:
        # werkzeug logs one line per request; a 100k-resource seed would drown the terminal
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = _GatewayMotoServer(ip_address=host, port=port, verbose=False)
        self._server.start()
        bound_host, bound_port = self._server.get_host_and_port()
        self.endpoint = f"http://{bound_host}:{bound_port}"
        log.info("moto server started", extra={"endpoint": self.endpoint})

    def reset(self) -> None:
        """Empty every backend: moto's state is process-global, a new estate starts clean."""
        self._post("/moto-api/reset")
        STORE.clear()
        advice.STORE.clear()

    def stop(self) -> None:
        self._server.stop()

    def _post(self, path: str) -> None:
        req = urllib.request.Request(self.endpoint + path, data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=30) as resp:
            if resp.status != 200:
                raise RuntimeError(f"moto {path} answered HTTP {resp.status}")
