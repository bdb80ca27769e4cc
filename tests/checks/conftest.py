"""Fixtures shared by the check tests: a scan context over moto (or over nothing, for the
pure `evaluate` tests) and the contract assertion every emitted finding must pass."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from checks.config import TenantConfig
from checks.model import ScanContext
from checks.prices.catalog import PriceCatalog
from checks.registry import load_checks
from contracts.cast import Provenance, to_row
from tests.checks.price_lookups import record_price_lookups

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture(scope="session")
def catalog() -> PriceCatalog:
    return PriceCatalog.load()


@pytest.fixture(autouse=True)
def only_declared_price_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every price key a check looks up in any check test is one its metadata declares."""
    lookups = record_price_lookups(monkeypatch)
    yield
    checks = load_checks()
    undeclared = {c: sorted(k for k in keys if not checks[c].meta.declares(k))
                  for c, keys in lookups.by_check.items()}
    assert not {c: k for c, k in undeclared.items() if k}, \
        f"price keys not declared in metadata.json price_keys: {undeclared}"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # moto's ~1,300 public AMIs (and their snapshots) cost seconds per test and nothing here
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        yield


@pytest.fixture
def make_ctx(catalog: PriceCatalog) -> Callable[..., ScanContext]:
    def build(now: datetime = NOW, region: str = REGION, config: Any = None,
              prices: PriceCatalog | None = None) -> ScanContext:
        session = boto3.Session(
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
            region_name=region,
        )
        cfg = config if isinstance(config, TenantConfig) else TenantConfig.from_mapping(
            {"checks": config or {}})
        return ScanContext(session=session, tenant_id="acme", workspace="default",
                           account_id=ACCOUNT, region=region, run_id="run-1", now=now,
                           prices=prices or catalog, config=cfg)

    return build


def assert_contract(findings: list[Any]) -> None:
    """Every finding a check emits must pass the stream's contract."""
    for f in findings:
        to_row(f.to_wire(), Provenance("t", 0, 0))


@pytest.fixture
def contract() -> Callable[[list[Any]], None]:
    return assert_contract


@pytest.fixture
def evaluate(make_ctx: Callable[..., ScanContext]) -> Callable[..., list[Any]]:
    """Run a check's pure `evaluate` on hand-built models; every finding passes the contract."""

    def run(check: Any, models: Any, ctx: ScanContext | None = None, **cfg: Any) -> list[Any]:
        ctx = ctx or make_ctx(config={check.meta.id: cfg} if cfg else None)
        found = list(check.evaluate(models, ctx.config.for_check(check.meta), ctx))
        assert_contract(found)
        return found

    return run
