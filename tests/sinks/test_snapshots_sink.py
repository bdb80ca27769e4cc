"""Snapshot sets: deterministic bytes, replay-identical, atomic, best-effort announcements."""

from __future__ import annotations

import json
import logging
import random
import socket
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq

from contracts.cast import Provenance, rows_to_table, to_row
from contracts.finding import Finding
from contracts.scan_schema import scan_rows_to_table, scan_wire_to_row
from jobs.window import JobPaths, JobRunner
from sinks.snapshots import (
    OPTIONAL_FILES,
    SNAPSHOT_FILES,
    Announcement,
    KafkaAnnouncer,
    Watermark,
    encode,
    write_snapshot_set,
)

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
TOPIC = "finops.findings.raw.v1"


def _wires(n: int) -> list[dict]:
    rnd = random.Random(7)
    checks = [("ec2_instance_stopped_long", "AWS::EC2::Instance", "i-{}"),
              ("ec2_ebs_volume_on_stopped_instance", "AWS::EC2::Volume", "vol-{}"),
              ("ec2_eip_unassociated", "AWS::EC2::EIP", "eipalloc-{}"),
              ("ec2_instance_graviton_candidate", "AWS::EC2::Instance", "i-{}")]
    out = []
    for i in range(n):
        check, rtype, rid = checks[i % len(checks)]
        out.append(Finding(
            tenant_id="acme", account_id="123456789012", region="us-east-1", service="ec2",
            check_id=check, resource_type=rtype, resource_id=rid.format(i // 4),
            title=f"{check} {i}", observed_at=T0 + timedelta(minutes=i % 3), run_id=f"r{i % 3}",
            estimated_monthly_savings=Decimal(rnd.randint(100, 9999)) / 100,
            savings_formula="price list", details={"instances": [f"i-{i // 4}"]},
        ).to_wire())
    return out


def _write(root: Path, partition_order: list[int], wires: list[dict]) -> None:
    """Two partitions of findings + one scan file, files created in the given order."""
    parts = {p: [w for i, w in enumerate(wires) if i % 2 == p] for p in (0, 1)}
    for p in partition_order:
        rows = [to_row(w, Provenance(TOPIC, p, 100 + k)) for k, w in enumerate(parts[p])]
        path = root / "findings/tenant_id=acme/dt=2026-11-01" / f"{TOPIC}+{p}+{100:019d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(rows_to_table(rows), path)
    scan = scan_wire_to_row({
        "tenant_id": "acme", "account_id": "123456789012", "region": "us-east-1", "run_id": "r2",
        "started_at": T0.isoformat(), "finished_at": (T0 + timedelta(minutes=5)).isoformat(),
        "status": "ok", "check_counts": {"ec2_eip_unassociated": 3}}, Provenance("finops.scans.v1", 0, 5))
    path = root / "scans/tenant_id=acme/dt=2026-11-01/finops.scans.v1+0+0000000000000000005.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(scan_rows_to_table([scan]), path)


def _run(root: Path) -> dict[str, bytes]:
    JobRunner(JobPaths.under(root), threads=1).run_window()
    out = root / "snapshots" / "acme"
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_replay_in_another_file_order_gives_byte_identical_snapshots(tmp_path):
    wires = _wires(40)
    a = _run(_write_and(tmp_path / "a", [0, 1], wires))
    b = _run(_write_and(tmp_path / "b", [1, 0], wires))
    assert sorted(a) == sorted([*SNAPSHOT_FILES, *OPTIONAL_FILES, "manifest.json"])
    assert a == b
    manifest = json.loads(a["manifest.json"])
    assert manifest["as_of"] == "2026-11-01T10:05:00.000000Z"  # the scan's finish: data time
    assert manifest["watermark"]["offsets"] == {f"{TOPIC}:0": 119, f"{TOPIC}:1": 119,
                                                "finops.scans.v1:0": 5}
    assert json.loads(a["correlated_findings.json"])  # rules fired: the test covers them too


def _write_and(root: Path, order: list[int], wires: list[dict]) -> Path:
    _write(root, order, wires)
    return root


def test_manifest_is_written_last_and_lists_hashes(tmp_path):
    docs = {name: {"n": i} for i, name in enumerate(SNAPSHOT_FILES)}
    mark = Watermark(("findings/x.parquet",), {"t:0": 3})
    res = write_snapshot_set(tmp_path, "acme", docs, as_of="2026-11-01T00:00:00.000000Z",
                             watermark=mark, version=4)
    assert res.written
    out = tmp_path / "acme"
    manifest = json.loads((out / "manifest.json").read_text())
    import hashlib

    for name in SNAPSHOT_FILES:
        assert manifest["files"][name] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert all((out / n).stat().st_mtime_ns <= (out / "manifest.json").stat().st_mtime_ns
               for n in SNAPSHOT_FILES)
    assert not list(out.glob(".*.tmp"))
    again = write_snapshot_set(tmp_path, "acme", docs, as_of="2026-11-01T00:00:00.000000Z",
                               watermark=mark, version=4)
    assert not again.written


def test_encoding_is_canonical():
    assert encode({"b": 1, "a": [1, {"d": None, "c": "é"}]}) == (
        '{"a":[1,{"c":"é","d":null}],"b":1}\n'.encode())


def test_announcing_to_a_dead_broker_logs_and_returns(caplog):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    announcer = KafkaAnnouncer(f"127.0.0.1:{port}", timeout_s=1.0)
    with caplog.at_level(logging.WARNING, logger="sinks.snapshots"):
        announcer.announce(Announcement("acme", "/tmp/x", 1, None))
    assert any("announcement" in r.message for r in caplog.records)
