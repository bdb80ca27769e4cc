"""CUR enrichment inside the window: actual cost when facts exist, pass-through when not."""

from __future__ import annotations

import json
from datetime import timedelta

import pyarrow as pa
import pyarrow.parquet as pq

from jobs.db import connect
from jobs.enrichment import enrich
from jobs.tenant import TenantConfig, build_tenant

V = "AWS::EC2::Volume"


def _facts(kit, folder, arn: str) -> None:
    from jobs.cur.facts_schema import FACTS_SCHEMA

    hours = [kit.T0 - timedelta(hours=h + 1) for h in range(48)]
    cols = {name: [None] * len(hours) for name in FACTS_SCHEMA.names}
    cols.update({
        "tenant_id": ["acme"] * len(hours), "billing_month": ["2026-10"] * len(hours),
        "account_id": [kit.ACCOUNT] * len(hours), "region": [kit.REGION] * len(hours),
        "service": ["AmazonEC2"] * len(hours), "resource_id": [arn] * len(hours),
        "usage_start": hours, "usage_end": [h + timedelta(hours=1) for h in hours],
        "cost_primary": [0.5] * len(hours), "cost_effective": [0.5] * len(hours),
        "currency": ["USD"] * len(hours), "source_file": ["f"] * len(hours),
        "source_variant": ["test"] * len(hours),
    })
    folder.mkdir(parents=True)
    pq.write_table(pa.table(cols, schema=FACTS_SCHEMA), folder / "facts.parquet")


def test_findings_carry_actual_cost_when_facts_exist(kit, lake, shipped_rules):
    wire = kit.finding("ec2_ebs_volume_unattached", V, "vol-1", savings="10.00")
    lake.write_findings([wire, kit.finding("ec2_ebs_volume_unattached", V, "vol-2")])
    facts = lake.root / "cur_facts"
    _facts(kit, facts, "arn:aws:ec2:us-east-1:123456789012:volume/vol-1")
    con = connect(threads=1)
    kit.load_tables(con, lake)
    snap = build_tenant(con, "acme", TenantConfig(shipped_rules, facts))
    by_id = {f["resource_id"][-5:]: f for f in json.loads(snap.docs["findings.json"])}
    assert by_id["vol-1"]["attribution_method"] == "exact_resource"
    assert by_id["vol-1"]["actual_cost_7d"] == "24.00"  # 48 hours x 0.50
    # vol-2 is not billed itself: only its scope's total, as context
    assert by_id["vol-2"]["attribution_method"] == "scoped_rollup"
    coverage = snap.docs["coverage.json"]
    assert coverage["cur_available"] is True and coverage["facts_files"] == 1
    savings = snap.docs["summary.json"]["savings"]
    assert savings["findings_with_actual_cost"] == 1
    assert savings["findings_with_scoped_cost_only"] == 1
    assert savings["actual_cost_30d"] == "24.00"  # the roll-up is not added on top
    assert savings["estimated_monthly_where_actual_known"] == "10.00"


def test_missing_or_broken_facts_pass_findings_through(tmp_path):
    table = pa.table({"x": [1, 2]})
    assert enrich(table, None, "acme").columns.column("attribution_method").to_pylist() == [
        "none", "none"]
    broken = tmp_path / "facts"
    broken.mkdir()
    (broken / "bad.parquet").write_bytes(b"nope")
    out = enrich(table, broken, "acme")  # the CUR call fails: logged, never raised
    assert not out.cur_available
    assert out.columns.column("attribution_method").to_pylist() == ["none", "none"]
