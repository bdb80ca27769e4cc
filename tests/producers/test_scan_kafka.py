"""End to end on a real broker: a scan of the estate lands its findings on the raw topic (keyed by
fingerprint) and one scan summary per (account, region) on the scans topic, both decodable from
the Avro wire and accepted by the storage contract."""

from __future__ import annotations

import uuid

import boto3
import pytest
from confluent_kafka import Consumer

from contracts.cast import Provenance
from contracts.scan_schema import scan_wire_to_row
from estate import start_estate
from producers.accounts import AccountDirectory
from producers.publisher import FindingPublisher
from producers.scan_sinks import KafkaSink
from producers.scanner import Scanner, ScanRequest
from schemas.topics import ensure_topics
from schemas.wire import Decoder

CHECKS = ("ec2_eip_unassociated", "ec2_ebs_volume_unattached", "ec2_instance_stopped_long",
          "logs_log_group_no_retention")


def _consume(bootstrap: str, topic: str, expected: int) -> list:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": uuid.uuid4().hex,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    got = []
    try:
        for _ in range(60):  # polls, not a deadline: stops as soon as all arrived
            msg = consumer.poll(1.0)
            if msg is not None and msg.error() is None:
                got.append(msg)
            if len(got) >= expected:
                break
    finally:
        consumer.close()
    return got


@pytest.mark.kafka
def test_findings_and_scan_summaries_reach_kafka(kafka_bootstrap, unique_topic) -> None:
    raw, scans = unique_topic("raw"), unique_topic("scans")
    ensure_topics(kafka_bootstrap, {raw: 3, scans: 3})
    with start_estate(seed=3, resources=40, regions=("us-east-1",), accounts=2) as estate:
        base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        directory = AccountDirectory(base, endpoint_url=estate.endpoint)
        with FindingPublisher(kafka_bootstrap, topic=raw) as publisher:
            sink = KafkaSink(publisher, scans_topic=scans)
            summaries = Scanner(directory, ScanRequest("acme", "prod", ("us-east-1",), org=True,
                                                       check_ids=CHECKS), sink).scan_round()
    total = sum(s.findings for s in summaries)
    assert total > 0 and sink.findings == total and len(summaries) == 2

    decoder = Decoder()
    findings = _consume(kafka_bootstrap, raw, total)
    assert len(findings) == total
    for msg in findings:
        schema, rec = decoder.decode(msg.value())
        assert schema.name == "finding"
        assert msg.key().decode() == rec["fingerprint"]
        assert rec["tenant_id"] == "acme" and rec["run_id"] == summaries[0].run_id
    found = {decoder.decode(m.value())[1]["check_id"] for m in findings}
    assert found == {c for s in summaries for c, n in s.check_counts.items() if n}

    records = _consume(kafka_bootstrap, scans, len(summaries))
    assert len(records) == len(summaries)
    by_key = {m.key().decode(): (m, decoder.decode(m.value())) for m in records}
    for s in summaries:
        msg, (schema, rec) = by_key[s.key()]
        assert schema.name == "scan"
        assert rec["status"] == "ok" and rec["check_counts"] == s.check_counts
        assert set(rec["check_counts"]) == set(CHECKS)
        row = scan_wire_to_row(rec, Provenance(msg.topic(), msg.partition(), msg.offset()))
        assert row["account_id"] == s.account_id and row["errors"] == []
