"""Lifecycle events and states on the real broker, end to end: moto estate -> scan -> Kafka ->
stream worker -> Parquet -> `finops jobs --once` (a fresh process state each time, so the jobs'
memory of what they published comes back from the state topic), three scan rounds:

1. everything found is `new`;
2. a volume deleted and an Elastic IP associated (both `resolved`), a suppression file for the
   log-group check (`suppressed`); then the jobs run again over the same input (nothing new);
3. the address disassociated again (`reopened`), the suppression file removed (`unsuppressed`).

Expected events come from the Parquet the stream wrote (read by DuckDB) and from what the test
changed in the estate, never from the code under test. Each (fingerprint, kind) must be on the
events topic exactly once, and the compacted state topic must hold the right last state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import boto3
import duckdb
import pytest

from estate import start_estate
from estate.clients import ClientFactory
from finops.cli import main
from producers.accounts import AccountDirectory
from producers.publisher import FindingPublisher
from producers.scan_sinks import KafkaSink
from producers.scanner import Scanner, ScanRequest
from schemas.topics import ensure_topics
from schemas.wire import Decoder
from tools.stress import harness
from tools.topic_reader import read_topic

pytestmark = pytest.mark.kafka

REGION = "us-east-1"
CHECKS = ("ec2_eip_unassociated", "ec2_ebs_volume_unattached", "logs_log_group_no_retention")
TENANT = "acme"


def _decoded(bootstrap: str, topic: str) -> list[tuple[str, dict | None]]:
    decoder = Decoder()
    return [((r.key or b"").decode(), None if r.value is None else decoder.decode(r.value)[1])
            for r in read_topic(bootstrap, topic)]


def _findings(data: Path) -> list[tuple[str, str, str]]:
    """(fingerprint, check_id, resource_id) of every finding the stream stored."""
    files = sorted(str(p) for p in (data / "findings").rglob("*.parquet"))
    return duckdb.connect().execute(
        "SELECT DISTINCT fingerprint, check_id, resource_id FROM read_parquet($f) ORDER BY 1",
        {"f": files}).fetchall()


class Pipeline:
    def __init__(self, bootstrap: str, data: Path, estate_endpoint: str) -> None:
        tag = uuid.uuid4().hex[:10]
        self.bootstrap, self.data = bootstrap, data
        self.raw, self.dlq, self.scans = f"lc.{tag}.raw", f"lc.{tag}.dlq", f"lc.{tag}.scans"
        self.events, self.state, self.group = f"lc.{tag}.events", f"lc.{tag}.state", f"lc-{tag}"
        ensure_topics(bootstrap, {self.raw: 3, self.dlq: 3, self.scans: 3},
                      compacted=frozenset({self.dlq}))
        base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        self.directory = AccountDirectory(base, endpoint_url=estate_endpoint)
        self.log = data / "stream.log"
        self.worker: subprocess.Popen[bytes] | None = None

    def start_stream(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "finops.cli", "stream", "--engine", "kafka",
               "--bootstrap", self.bootstrap, "--topic", self.raw, "--dlq-topic", self.dlq,
               "--scans-topic", self.scans, "--group", self.group, "--partitions", "3",
               "--out", str(self.data / "findings"), "--scans-out", str(self.data / "scans")]
        self.worker = subprocess.Popen(cmd, stdout=open(self.log, "ab"),  # noqa: SIM115
                                       stderr=subprocess.STDOUT,
                                       env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def stop(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            self.worker.wait(30)

    def scan(self) -> None:
        with FindingPublisher(self.bootstrap, topic=self.raw) as publisher:
            sink = KafkaSink(publisher, scans_topic=self.scans)
            Scanner(self.directory, ScanRequest(TENANT, "prod", (REGION,), org=True,
                                                check_ids=CHECKS), sink).scan_round()
        for topic in (self.raw, self.scans):  # stored and committed: the jobs can see it
            ends = {p: e for p, e in harness.end_offsets(self.bootstrap, topic).items() if e}
            harness.wait_until_committed(self.bootstrap, self.group, topic, ends, timeout=120)

    def jobs(self) -> None:
        rc = main(["jobs", "--once", "--data-dir", str(self.data), "--threads", "1",
                   "--bootstrap-servers", self.bootstrap, "--events-topic", self.events,
                   "--state-topic", self.state])
        assert rc == 0

    def events_seen(self) -> Counter[tuple[str, str]]:
        records = _decoded(self.bootstrap, self.events)
        assert all(v is not None and k == v["fingerprint"] for k, v in records)
        return Counter((v["fingerprint"], v["kind"]) for _, v in records if v is not None)


def test_each_lifecycle_change_is_one_event_and_states_are_latest(kafka_bootstrap: str,
                                                                  tmp_path: Path) -> None:
    data = tmp_path / "data"
    with start_estate(seed=3, resources=150, regions=(REGION,), accounts=1) as estate:
        account = estate.accounts[0]
        ec2 = ClientFactory(estate.endpoint).get("ec2", REGION, account)
        pipe = Pipeline(kafka_bootstrap, data, estate.endpoint)
        pipe.start_stream()
        try:
            pipe.scan()
            pipe.jobs()
            first = _findings(data)
            by_check = {c: [(fp, rid) for fp, c2, rid in first if c2 == c] for c in CHECKS}
            assert all(by_check.values()), by_check
            assert pipe.events_seen() == Counter({(fp, "new"): 1 for fp, _, _ in first})

            gone_fp, gone_arn = by_check["ec2_ebs_volume_unattached"][0]
            moved_fp, moved_arn = by_check["ec2_eip_unassociated"][0]
            gone_volume, moved_eip = gone_arn.rsplit("/", 1)[1], moved_arn.rsplit("/", 1)[1]
            ec2.delete_volume(VolumeId=gone_volume)
            instance = next(i["InstanceId"] for r in ec2.describe_instances()["Reservations"]
                            for i in r["Instances"])
            assoc = ec2.associate_address(AllocationId=moved_eip, InstanceId=instance)
            (data / "suppressions").mkdir()
            (data / "suppressions" / f"{TENANT}.json").write_text(json.dumps({"suppressions": [
                {"check_id": "logs_log_group_no_retention", "reason": "kept on purpose",
                 "author": "test"}]}))
            logs_fps = [fp for fp, _ in by_check["logs_log_group_no_retention"]]
            pipe.scan()
            pipe.jobs()
            pipe.jobs()  # the same window again, from a fresh start: nothing new
            after_two = Counter({(fp, "new"): 1 for fp, _, _ in first})
            after_two.update({(gone_fp, "resolved"): 1, (moved_fp, "resolved"): 1})
            after_two.update({(fp, "suppressed"): 1 for fp in logs_fps})
            assert pipe.events_seen() == after_two

            ec2.disassociate_address(AssociationId=assoc["AssociationId"])
            (data / "suppressions" / f"{TENANT}.json").unlink()
            pipe.scan()
            pipe.jobs()
        finally:
            pipe.stop()
    assert _findings(data) == first  # no finding came or went but through the changes above
    expected = after_two + Counter({(moved_fp, "reopened"): 1})
    expected.update({(fp, "unsuppressed"): 1 for fp in logs_fps})
    got = pipe.events_seen()
    assert got == expected  # every event exactly once: Counter values are all 1
    assert set(got.values()) == {1}

    states = {k: v for k, v in _decoded(kafka_bootstrap, pipe.state) if v is not None}
    assert set(states) == {fp for fp, _, _ in first}
    assert states[gone_fp]["lifecycle_state"] == "resolved"
    assert states[gone_fp]["resolved_at"] is not None
    assert states[moved_fp]["lifecycle_state"] == "open"  # seen in runs 1 and 3
    others = set(states) - {gone_fp, moved_fp}
    assert {states[fp]["lifecycle_state"] for fp in others} == {"open"}  # seen in all 3 runs
    assert not any(s["suppressed"] for s in states.values())
    assert {s["tenant_id"] for s in states.values()} == {TENANT}


def _ev(n: int, kind: str) -> dict:
    from datetime import UTC, datetime

    t = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    fp = f"{n:064x}"
    base = {"fingerprint": fp, "finding_id": fp, "tenant_id": TENANT, "workspace": "prod",
            "account_id": "123456789012", "region": REGION, "service": "ec2",
            "check_id": "ec2_eip_unassociated", "resource_type": "AWS::EC2::EIP",
            "resource_id": f"eipalloc-{n}", "title": "t", "severity": "low",
            "lifecycle_state": "new", "suppressed": False, "suppression_reason": None,
            "estimated_monthly_savings": "3.65", "currency": "USD"}
    state = {**base, "first_seen": t, "last_seen": t, "resolved_at": None}
    event = {**base, "event_id": f"ev{n}-{kind}", "kind": kind, "event_time": t,
             "previous_state": None, "as_of": t}
    return {"event": event, "state": state}


def test_a_failed_transaction_shows_nothing_and_a_restart_remembers_only_commits(
        kafka_bootstrap: str) -> None:
    """Events of a transaction that fails half-way (a record that cannot be encoded, after some
    were produced) are never seen by read_committed readers, nor remembered by the next start."""
    from sinks.lifecycle_topics import LifecyclePublisher

    tag = uuid.uuid4().hex[:10]
    events, state = f"lt.{tag}.events", f"lt.{tag}.state"
    ensure_topics(kafka_bootstrap, {events: 3, state: 3}, compacted=frozenset({state}))
    one, two = _ev(1, "new"), _ev(2, "new")
    pub = LifecyclePublisher(kafka_bootstrap, events_topic=events, state_topic=state,
                             transactional_id=f"lt-{tag}")
    assert pub.publish([one["event"]], [one["state"]]) == 1
    broken = {**two["state"], "first_seen": "not a time"}
    produce = pub._produce

    def produce_and_send(topic: str, key: str, value: bytes) -> None:
        produce(topic, key, value)
        pub._producer.flush(10)  # on the broker, inside the open transaction, before the failure

    pub._produce = produce_and_send  # type: ignore[method-assign]
    with pytest.raises(Exception):  # noqa: B017 - fastavro's error type is not the point
        pub.publish([two["event"]], [broken])  # the event was produced, then the state failed
    assert set(pub.published) == {one["state"]["fingerprint"]}
    pub.close()

    restarted = LifecyclePublisher(kafka_bootstrap, events_topic=events, state_topic=state,
                                   transactional_id=f"lt-{tag}")
    assert set(restarted.published) == {one["state"]["fingerprint"]}
    assert restarted.publish([two["event"]], [two["state"]]) == 1
    restarted.close()
    got = [v["event_id"] for _, v in _decoded(kafka_bootstrap, events) if v is not None]
    assert sorted(got) == ["ev1-new", "ev2-new"]  # the aborted attempt's copy is invisible
    everything = read_topic(kafka_bootstrap, events, committed=False)
    assert len(everything) == 3  # ... though it was written: read_uncommitted sees it
