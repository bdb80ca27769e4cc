"""Scan summary contract: strict cast of the permissive wire record."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from contracts.cast import ContractError, Provenance
from contracts.scan_schema import SCAN_SCHEMA, scan_rows_to_table, scan_wire_to_row

WHERE = Provenance("finops.scans.v1", 2, 41)


def _wire(**over):
    rec = {
        "tenant_id": "Acme",
        "workspace": "default",
        "account_id": "1234-5678-9012",
        "region": "US-EAST-1",
        "run_id": "run-1",
        "started_at": "2026-11-01T10:00:00Z",
        "finished_at": "2026-11-01T10:00:30Z",
        "status": "partial",
        "check_counts": {"ec2_instance_stopped": 3, "EBS_volume_unattached": 0},
        "resources_seen": {"AWS::EC2::Instance": 10},
        "errors": [
            {
                "service": "rds",
                "operation": "DescribeDBInstances",
                "code": "AccessDenied",
                "message": "no",
            },
            {
                "service": "ec2",
                "operation": "DescribeVolumes",
                "code": "Throttling",
                "message": "slow down",
                "region": "us-east-1",
            },
        ],
    }
    rec.update(over)
    return rec


def test_cast_normalizes_and_sorts(tmp_path):
    row = scan_wire_to_row(_wire(), WHERE)
    assert row["tenant_id"] == "acme" and row["account_id"] == "123456789012"
    assert row["region"] == "us-east-1"
    assert row["check_counts"] == [("ebs_volume_unattached", 0), ("ec2_instance_stopped", 3)]
    # sorted by (account, region, service, ...): the scan-wide error (no region) first
    assert [e["service"] for e in row["errors"]] == ["rds", "ec2"]
    assert row["duration_s"] == 30.0
    assert (row["source_topic"], row["source_partition"], row["source_offset"]) == (
        "finops.scans.v1",
        2,
        41,
    )
    table = scan_rows_to_table([row])
    assert table.schema.equals(SCAN_SCHEMA, check_metadata=True)
    pq.write_table(table, tmp_path / "s.parquet")
    back = pq.read_table(tmp_path / "s.parquet")
    assert back.column("check_counts").to_pylist() == [row["check_counts"]]


def test_error_order_does_not_change_the_row():
    a = scan_wire_to_row(_wire(), WHERE)
    b = scan_wire_to_row(_wire(errors=list(reversed(_wire()["errors"]))), WHERE)
    assert a == b


def test_every_problem_is_reported_with_provenance():
    bad = _wire(
        status="done", tenant_id="", finished_at="2026-10-01T00:00:00Z", check_counts={"x": -1}
    )
    with pytest.raises(ContractError) as err:
        scan_wire_to_row(bad, WHERE)
    fields = {p.field for p in err.value.problems}
    assert {"status", "tenant_id", "finished_at", "check_counts"} <= fields
    assert "finops.scans.v1[2]@41" in str(err.value)


def test_naive_time_is_rejected():
    with pytest.raises(ContractError, match="started_at"):
        scan_wire_to_row(_wire(started_at="2026-11-01T10:00:00"), WHERE)


def test_arrow_schema_agrees_with_the_avro_wire_schema():
    import json
    from pathlib import Path

    import schemas
    from contracts.schema import PROVENANCE_FIELDS

    avsc = json.loads((Path(schemas.__file__).parent / "scan.v1.avsc").read_text())
    wire = {f["name"] for f in avsc["fields"]} - {"schema_version"}
    stored = set(SCAN_SCHEMA.names) - {f.name for f in PROVENANCE_FIELDS}
    assert wire == stored
    errors = next(f for f in avsc["fields"] if f["name"] == "errors")
    assert [f["name"] for f in errors["type"]["items"]["fields"]] == list(
        SCAN_SCHEMA.field("errors").type.value_type.names)


def test_an_avro_decoded_record_casts():
    """What fastavro hands the stream (times as epoch micros) casts without loss."""
    row = scan_wire_to_row(_wire(started_at=1_761_991_200_000_000,
                                 finished_at=1_761_991_230_000_000, duration_s=30.5,
                                 schema_version=1), WHERE)
    assert row["started_at"] == 1_761_991_200_000_000 and row["duration_s"] == 30.5
