"""Snapshot sets are announced on Kafka: key = tenant, value = {tenant_id, dir, version, as_of}."""

from __future__ import annotations

import json

import pytest
from confluent_kafka import Consumer

from finops.cli import main


@pytest.mark.kafka
def test_jobs_once_announces_each_new_set(kafka_bootstrap, tmp_path, monkeypatch):
    import schemas.topics as topics

    topic = f"finops.snapshots.test.{tmp_path.name}"
    monkeypatch.setattr(topics, "SNAPSHOTS_TOPIC", topic)
    data = tmp_path / "data"
    _write_one_finding(data)
    args = ["jobs", "--once", "--data-dir", str(data), "--bootstrap-servers", kafka_bootstrap,
            "--threads", "1"]
    assert main(args) == 0
    assert main(args) == 0  # unchanged input: same bytes, no second announcement
    consumer = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": topic,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    messages = []
    try:
        for _ in range(20):
            msg = consumer.poll(1.0)
            if msg is not None and msg.error() is None:
                messages.append(msg)
            elif messages:
                break
    finally:
        consumer.close()
    assert len(messages) == 1
    assert messages[0].key() == b"acme"
    note = json.loads(messages[0].value())
    manifest = json.loads((data / "snapshots" / "acme" / "manifest.json").read_text())
    assert note == {"tenant_id": "acme", "dir": str(data / "snapshots" / "acme"),
                    "version": manifest["version"], "as_of": manifest["as_of"]}


def _write_one_finding(data):
    from datetime import UTC, datetime

    import pyarrow.parquet as pq

    from contracts.cast import Provenance, rows_to_table, to_row
    from contracts.finding import Finding

    wire = Finding(tenant_id="acme", account_id="123456789012", region="us-east-1",
                   service="ec2", check_id="ec2_ebs_volume_unattached",
                   resource_type="AWS::EC2::Volume", resource_id="vol-1", title="t",
                   observed_at=datetime(2026, 11, 1, tzinfo=UTC)).to_wire()
    path = (data / "findings/tenant_id=acme/dt=2026-11-01"
            / "finops.findings.raw.v1+0+0000000000000000000.parquet")
    path.parent.mkdir(parents=True)
    pq.write_table(rows_to_table([to_row(wire, Provenance("finops.findings.raw.v1", 0, 0))]),
                   path)
