"""The DuckDB serializer of large finding lists writes the same bytes as the Python encoder."""

from __future__ import annotations

import json

from jobs import documents
from jobs.db import connect
from jobs.tenant import TenantConfig, prepare_active
from sinks.snapshots import encode


def test_duckdb_serialization_equals_the_canonical_encoder(kit, lake, shipped_rules):
    lake.write_findings([
        kit.finding("ec2_instance_stopped_long", "AWS::EC2::Instance", "i-0abc",
                    tags={"b": "2", "a": 'quote " and é'},
                    details={"volumes": ["vol-1"], "note": "line\nbreak\ttab \\ back", "n": 3}),
        kit.finding("ec2_ebs_volume_on_stopped_instance", "AWS::EC2::Volume", "vol-1",
                    savings=None, confidence=0.6923076923076923),
    ])
    folder = lake.root / "supp"
    folder.mkdir()
    (folder / "acme.json").write_text(json.dumps({"suppressions": [
        {"resource_id": "vol-1", "reason": "r", "author": "a",
         "expires_at": "2030-01-01T00:00:00Z"}]}))
    con = connect(threads=1)
    kit.load_tables(con, lake)
    prepare_active(con, "acme", TenantConfig(shipped_rules, None, folder), {})
    python_rows = documents.finding_rows(con, "fcur")
    fast = documents.finding_rows_json(con, "fcur")
    assert json.loads(fast) == python_rows
    assert bytes(fast) == encode(python_rows)
    top = documents.finding_rows_json(con, "fcur", order="estimated_monthly_savings DESC NULLS "
                                      "LAST, fingerprint", limit=1)
    assert [f["resource_id"][-6:] for f in json.loads(top)] == ["i-0abc"]


def test_trend_counts_alternatives_once_per_run(kit, lake, shipped_rules):
    from datetime import timedelta

    from jobs.tenant import build_tenant

    inst = "AWS::EC2::Instance"
    for run, at in (("r1", kit.T0), ("r2", kit.T0 + timedelta(hours=1))):
        lake.write_findings([
            kit.finding("ec2_instance_low_utilization", inst, "i-1", savings="30.00", run=run,
                        at=at, alternative_group="i-1#disposition"),
            kit.finding("ec2_instance_graviton_candidate", inst, "i-1", savings="20.00", run=run,
                        at=at, alternative_group="i-1#disposition"),
            kit.finding("ec2_ebs_volume_unattached", "AWS::EC2::Volume", "vol-1",
                        savings="5.00" if run == "r1" else "6.00", run=run, at=at),
        ])
    con = connect(threads=1)
    kit.load_tables(con, lake)
    snap = build_tenant(con, "acme", TenantConfig(shipped_rules))
    points = snap.docs["trend.json"]["points"]
    assert [(p["run_id"], p["estimated_monthly_savings"], p["findings"]) for p in points] == [
        ("r1", "35.00", 3), ("r2", "36.00", 3)]
    assert snap.docs["summary.json"]["savings"]["estimated_monthly"] == "36.00"


def test_top_savings_rank_by_amount_not_by_text(kit, lake, shipped_rules):
    from jobs.tenant import build_tenant

    vol = "AWS::EC2::Volume"
    lake.write_findings([
        kit.finding("ec2_ebs_volume_unattached", vol, f"vol-{s}", savings=s)
        for s in ("8.00", "10.00", "9.50")
    ] + [kit.finding("ec2_ebs_volume_unattached", vol, "vol-x", savings=None)])
    con = connect(threads=1)
    kit.load_tables(con, lake)
    snap = build_tenant(con, "acme", TenantConfig(shipped_rules, top_n=2))
    top = json.loads(snap.docs["top_savings.json"])
    assert [f["estimated_monthly_savings"] for f in top] == ["10.00", "9.50"]
