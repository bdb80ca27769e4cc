"""`finops jobs --once` and `finops correlate` end to end on a small lake."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from contracts.schema import FINDING_SCHEMA
from finops.cli import main


def _lake(kit, lake):
    lake.write_findings([
        kit.finding("ec2_ebs_volume_unattached", "AWS::EC2::Volume", "vol-1", savings="10.00"),
        kit.finding("ec2_ebs_snapshot_old", "AWS::EC2::Snapshot", "snap-1", savings="1.50",
                    details={"volume_id": "vol-1"}),
    ])


def test_jobs_once_writes_the_snapshot_set(kit, lake, capsys):
    _lake(kit, lake)
    rc = main(["jobs", "--once", "--data-dir", str(lake.root), "--no-announce", "--threads", "1",
               "--history", "30d"])
    assert rc == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tenants_written"] == ["acme"] and report["error"] is None
    out = lake.root / "snapshots" / "acme"
    assert json.loads((out / "manifest.json").read_text())["version"] == 2
    assert len(json.loads((out / "correlated_findings.json").read_text())) == 1


def test_jobs_rejects_a_bad_window(lake, capsys):
    assert main(["jobs", "--once", "--data-dir", str(lake.root), "--window", "soon"]) == 2
    assert "--window" in capsys.readouterr().err


def test_correlate_validate_lists_the_rules(capsys):
    assert main(["correlate", "--validate"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert len(rules) >= 8 and all(r["reads"] for r in rules)


def test_correlate_writes_meta_findings_as_parquet(kit, lake, tmp_path):
    _lake(kit, lake)
    out = tmp_path / "metas.parquet"
    rc = main(["correlate", "--findings-dir", str(lake.findings_dir), "--scans-dir",
               str(lake.scans_dir), "--output", str(out)])
    assert rc == 0
    table = pq.read_table(out)
    assert table.schema.equals(FINDING_SCHEMA) and table.num_rows == 1
    assert table.column("check_id").to_pylist() == ["unused_volume_snapshots"]
