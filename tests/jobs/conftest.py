"""Fixtures for the job tests: a tiny data lake written through the real contracts.

Findings go through `Finding.to_wire()` + `contracts.cast.to_row`, scans through
`scan_wire_to_row`, and both are written as the stream writes them (hive-partitioned paths,
files named topic+partition+offset, rows sorted by offset), so the jobs read what they will
read in production.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from contracts.cast import Provenance, rows_to_table, to_row
from contracts.finding import Finding
from contracts.scan_schema import scan_rows_to_table, scan_wire_to_row

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"

_SERVICE = {
    "AWS::EC2::Instance": "ec2", "AWS::EC2::Volume": "ebs", "AWS::EC2::EIP": "ec2",
    "AWS::EC2::Snapshot": "ebs", "AWS::EC2::NatGateway": "vpc", "AWS::RDS::DBInstance": "rds",
    "AWS::RDS::DBSnapshot": "rds", "AWS::ElasticLoadBalancingV2::LoadBalancer": "elb",
}


def finding(check_id: str, rtype: str, rid: str, *, savings: str | None = "10.00",
            at: datetime = T0, run: str = "run-1", tenant: str = "acme",
            account: str = ACCOUNT, region: str = REGION, **kw: Any) -> dict[str, Any]:
    """A wire finding (as a producer would send it)."""
    f = Finding(
        tenant_id=tenant, account_id=account, region=region, service=_SERVICE.get(rtype, "ec2"),
        check_id=check_id, resource_type=rtype, resource_id=rid, title=f"{check_id} {rid}",
        observed_at=at, run_id=run,
        estimated_monthly_savings=None if savings is None else Decimal(savings),
        savings_formula=None if savings is None else "price list", **kw,
    )
    return f.to_wire()


def scan(run: str, *, started: datetime, checks: dict[str, int], status: str = "ok",
         errors: list[dict] | None = None, tenant: str = "acme", account: str = ACCOUNT,
         region: str = REGION) -> dict[str, Any]:
    return {
        "tenant_id": tenant, "account_id": account, "region": region, "run_id": run,
        "started_at": started.isoformat(), "finished_at": (started + timedelta(minutes=1)).isoformat(),
        "status": status, "check_counts": checks, "resources_seen": {}, "errors": errors or [],
    }


@dataclass
class Lake:
    root: Path
    next_offset: dict[str, int] = field(default_factory=dict)

    @property
    def findings_dir(self) -> Path:
        return self.root / "findings"

    @property
    def scans_dir(self) -> Path:
        return self.root / "scans"

    def write_findings(self, wires: list[dict[str, Any]], *, partition: int = 0,
                       name_offset: int | None = None, topic: str = "finops.findings.raw.v1",
                       tenant: str = "acme", dt: str = "2026-11-01") -> Path:
        """One stream file; offsets continue per partition. `name_offset` rewrites an existing
        file name (a file still filling: superset of rows under the same name)."""
        key = f"{topic}:{partition}"
        start = self.next_offset.get(key, 0)
        rows = [to_row(w, Provenance(topic, partition, start + i)) for i, w in enumerate(wires)]
        self.next_offset[key] = start + len(wires)
        return self._write(self.findings_dir, rows_to_table(rows), topic, partition,
                           start if name_offset is None else name_offset, tenant, dt,
                           append=name_offset is not None)

    def write_scans(self, wires: list[dict[str, Any]], *, partition: int = 0,
                    tenant: str = "acme", dt: str = "2026-11-01") -> Path:
        topic = "finops.scans.v1"
        key = f"{topic}:{partition}"
        start = self.next_offset.get(key, 0)
        rows = [scan_wire_to_row(w, Provenance(topic, partition, start + i))
                for i, w in enumerate(wires)]
        self.next_offset[key] = start + len(wires)
        return self._write(self.scans_dir, scan_rows_to_table(rows), topic, partition, start,
                           tenant, dt, append=False)

    def _write(self, base: Path, table: Any, topic: str, partition: int, offset: int,
               tenant: str, dt: str, append: bool) -> Path:
        path = base / f"tenant_id={tenant}" / f"dt={dt}" / f"{topic}+{partition}+{offset:019d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        if append and path.exists():
            import pyarrow as pa

            table = pa.concat_tables([pq.read_table(path, schema=table.schema), table])
        pq.write_table(table, path)
        return path


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(tmp_path / "data")


def load_tables(con: Any, lake: Lake) -> None:
    """Load the lake's files into `con` the way the runner does."""
    from jobs.inputs import findings_table, scans_table

    for table in (findings_table(lake.findings_dir), scans_table(lake.scans_dir)):
        table.create(con)
        table.refresh(con)


def correlate(lake: Lake, tenant: str = "acme", rules: Any = None) -> Any:
    """Lifecycle + every rule over the lake's findings; returns engine.Correlated."""
    from jobs.correlation.engine import load_rules, run_rules
    from jobs.db import connect
    from jobs.lifecycle import build_state

    con = connect(threads=1)
    load_tables(con, lake)
    clock = build_state(con, tenant)
    if rules is None:
        rules = _RULES.setdefault("shipped", load_rules())  # validated once per session
    return run_rules(con, "fstate", tenant, clock.as_of, rules)


_RULES: dict[str, Any] = {}


def counted_total(docs: dict[str, Any], tmp_path: Path) -> str:
    """The overview's total, checked against DuckDB's sum over the counted rows of the written
    findings document (not the jobs' own arithmetic); returns it."""
    import duckdb

    path = tmp_path / "findings.json"
    path.write_bytes(bytes(docs["findings.json"]))
    total = duckdb.connect().execute(
        f"SELECT CAST(sum(CAST(estimated_monthly_savings AS DECIMAL(18,2))) AS VARCHAR)"
        f" FROM read_json_auto('{path}') WHERE count_state = 'counted'").fetchall()[0][0]
    assert docs["summary.json"]["savings"]["estimated_monthly"] == total
    return str(total)


def metas_by_rule(result: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row, extra in zip(result.table.to_pylist(), result.extra, strict=True):
        out.setdefault(extra["rule_id"], []).append({**row, **extra})
    return out


@pytest.fixture(scope="session")
def shipped_rules() -> Any:
    from jobs.correlation.engine import load_rules

    return _RULES.setdefault("shipped", load_rules())


@pytest.fixture
def kit() -> Any:
    """The helpers above, for test modules (importlib mode: conftest is not importable)."""
    from types import SimpleNamespace

    return SimpleNamespace(finding=finding, scan=scan, correlate=correlate, metas=metas_by_rule,
                           load_tables=load_tables, counted_total=counted_total, T0=T0,
                           ACCOUNT=ACCOUNT, REGION=REGION)
