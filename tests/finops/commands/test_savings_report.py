"""`finops savings report` counts what the dashboard's headline counts: exclusive alternatives
once (the higher saving), suppressed findings not at all, unpriced findings as unknown (never
$0). Expected figures are DuckDB sums over the stored Parquet rows, written independently of the
jobs' SQL, and the window's summary.json on the same data."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb

from finops.cli import main
from jobs.correlation.engine import load_rules
from jobs.db import connect
from jobs.tenant import TenantConfig, build_tenant
from tests.jobs.conftest import ACCOUNT, REGION, T0, Lake, finding, load_tables, scan

INSTANCE = "i-0aaaaaaaaaaaaaaa1"
GROUP = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{INSTANCE}#disposition"
SUPPRESSED = "eipalloc-0bbbbbbbbbbbbbbb1"


def _lake(root: Path) -> Lake:
    lake = Lake(root)
    rows = [
        finding("ec2_instance_low_utilization", "AWS::EC2::Instance", INSTANCE, savings="40.00",
                alternative_group=GROUP),
        finding("ec2_instance_previous_generation", "AWS::EC2::Instance", INSTANCE,
                savings="25.00", alternative_group=GROUP),  # the alternative: never summed
        finding("ec2_ebs_volume_unattached", "AWS::EC2::Volume", "vol-0ccccccccccccccc1",
                savings="7.50"),
        finding("ec2_eip_unassociated", "AWS::EC2::EIP", SUPPRESSED, savings="3.60"),
        finding("ec2_nat_gateway_idle", "AWS::EC2::NatGateway", "nat-0ddddddddddddddd1",
                savings=None, details={"missing_prices": ["vpc:nat-gateway:hour"]}),
    ]
    lake.write_findings(rows)
    counts = {r["check_id"]: 1 for r in rows}
    lake.write_scans([scan("run-1", started=T0, checks=counts)])
    (root / "suppressions").mkdir(parents=True)
    (root / "suppressions" / "acme.json").write_text(json.dumps({"suppressions": [
        {"resource_id": SUPPRESSED, "reason": "kept for the DR drill", "author": "ops"}]}))
    return lake


def _independent_sum(root: Path) -> Decimal:
    """Open, not suppressed, one finding per alternative group (its highest saving), priced."""
    con = duckdb.connect()
    value = con.execute(f"""
        WITH f AS (SELECT * FROM read_parquet('{root}/findings/**/*.parquet',
                                              hive_partitioning = true)
                   WHERE resource_id NOT LIKE '%{SUPPRESSED}'),
             per_group AS (SELECT coalesce(alternative_group, fingerprint) AS g,
                                  max(estimated_monthly_savings) AS s FROM f GROUP BY 1)
        SELECT CAST(sum(s) AS DECIMAL(18, 2)) FROM per_group""").fetchall()[0][0]
    return Decimal(str(value))


def test_report_counts_what_the_headline_counts_and_unpriced_as_unknown(tmp_path, capsys):
    root = tmp_path / "data"
    lake = _lake(root)
    assert main(["savings", "report", "--tenant", "acme", "--data-dir", str(root)]) == 0
    doc = json.loads(capsys.readouterr().out)

    expected = _independent_sum(root)
    assert expected == Decimal("47.50")  # 40.00 + 7.50: not 76.10, the sum of every open row
    assert Decimal(doc["estimated_open_monthly"]) == expected

    unpriced = doc["unpriced_findings"]
    assert unpriced["count"] == 1 and unpriced["missing"] == [
        {"key": "vpc:nat-gateway:hour", "region": REGION, "findings": 1}]
    nat = [f for f in doc["findings"] if f["check_id"] == "ec2_nat_gateway_idle"]
    assert [f["estimated_monthly"] for f in nat] == [None]  # unknown, not "0.00"

    con = connect(threads=1)
    load_tables(con, lake)
    snap = build_tenant(con, "acme", TenantConfig(load_rules(), root / "cur_facts",
                                                  root / "suppressions"))
    summary = snap.docs["summary.json"]
    assert summary["savings"]["estimated_monthly"] == doc["estimated_open_monthly"]
    assert summary["unpriced_findings"] == unpriced
