"""`start_estate`: a moto server seeded with a planned estate, for tests, demos and benchmarks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from estate import fidelity
from estate.clients import ClientFactory
from estate.manifest import Manifest
from estate.plan import DEFAULT_ACCOUNTS, DEFAULT_REGIONS, DEFAULT_RESOURCES, plan_estate
from estate.seed import seed_estate
from estate.server import EstateServer


@dataclass
class Estate:
    endpoint: str
    accounts: list[str]
    regions: list[str]
    manifest: Manifest
    _server: EstateServer

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Estate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_estate(
    seed: int = 42,
    resources: int = DEFAULT_RESOURCES,
    regions: tuple[str, ...] | list[str] = DEFAULT_REGIONS,
    accounts: int = DEFAULT_ACCOUNTS,
    port: int = 0,
    host: str = "127.0.0.1",
    manifest_path: Path | None = None,
    now: datetime | None = None,
    progress: Callable[[str, str, float], None] | None = None,
) -> Estate:
    """Start moto on `port` (0 = any free port), reset it and seed the estate.

    moto keeps its state per process, so one process holds one estate at a time: starting a
    second one empties the first.
    """
    plan = plan_estate(seed, resources, tuple(regions), accounts)
    fidelity.install()
    server = EstateServer(host, port)
    try:
        server.reset()
        manifest = seed_estate(plan, ClientFactory(server.endpoint), now=now, progress=progress)
    except BaseException:
        server.stop()
        raise
    manifest.endpoint = server.endpoint
    if manifest_path is not None:
        manifest.write(manifest_path)
    return Estate(server.endpoint, list(manifest.accounts), list(manifest.regions), manifest,
                  server)
