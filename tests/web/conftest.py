"""Web fixtures: two tenants with their own tokens and snapshot sets, and a test client."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from web.app import create_app
from web.auth import hash_token
from web.sample import correlate, make_findings, write_set

TOKENS = {"acme": "acme-secret-token-1", "globex": "globex-secret-token-2"}


@pytest.fixture
def tokens_file(tmp_path: Path) -> Path:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"tokens": [
        {"tenant": t, "sha256": hash_token(tok)} for t, tok in TOKENS.items()
    ]}))
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def seed(data_dir: Path) -> Callable[..., list[dict[str, Any]]]:
    """Write a snapshot set for a tenant; returns its findings."""
    def _seed(tenant: str = "acme", n: int = 30, *, version: int = 1, cur: bool = True,
              hostile: bool = True, as_of: str = "2026-11-20T10:00:00Z") -> list[dict[str, Any]]:
        findings = make_findings(tenant, n, cur=cur, hostile=hostile, as_of=as_of)
        corr = [correlate(tenant, findings[:3], "orphaned stack")] if n >= 3 else []
        write_set(data_dir, tenant, findings, version=version, as_of=as_of, cur=cur,
                  correlated=corr)
        return findings
    return _seed


@pytest.fixture(scope="session")
def estate_output(estate_module: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A snapshot set the real jobs wrote from a scan of the simulated estate (built once)."""
    return estate_module.build(tmp_path_factory.mktemp("estate-set") / "data")


@pytest.fixture(scope="session")
def estate_module() -> Any:
    """tests/web/estate_set.py (importlib mode: a test module cannot import it by name)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("estate_set", Path(__file__).with_name(
        "estate_set.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def app(data_dir: Path, tokens_file: Path) -> Flask:
    return create_app({"DATA_DIR": data_dir, "TOKENS_FILE": tokens_file,
                       "LIVE_WATCHERS": False, "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def auth(tenant: str = "acme") -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[tenant]}"}


@pytest.fixture
def acme() -> dict[str, str]:
    return auth("acme")


@pytest.fixture
def globex() -> dict[str, str]:
    return auth("globex")


@pytest.fixture
def tokens() -> dict[str, str]:
    """The plain tokens of the test tenants (the tokens file holds their hashes only)."""
    return dict(TOKENS)


@pytest.fixture
def auth_for() -> Callable[[str], dict[str, str]]:
    return auth
