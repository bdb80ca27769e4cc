"""The kafka engine keeps a failed commit pending and retries it until it succeeds or the partition
is revoked (real broker: the commit fails for real, refused by the group coordinator while another
member owns the group)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition

from streams.app import StreamSettings
from streams.kafka_worker import KafkaWorker
from tools.stress import harness

pytestmark = pytest.mark.kafka


def _join(bootstrap: str, group: str, topic: str) -> Consumer:
    member = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                       "session.timeout.ms": 6000})
    member.subscribe([topic])
    deadline = time.monotonic() + 60
    while not member.assignment():
        assert time.monotonic() < deadline, "member never got its partitions"
        member.poll(0.2)
    return member


def test_a_refused_commit_stays_pending_until_it_succeeds_or_is_revoked(kafka_bootstrap: str, tmp_path: Path) -> None:
    topics = harness.Topics.unique("commit")
    topics.create(kafka_bootstrap, 2)
    settings = StreamSettings(bootstrap=kafka_bootstrap, group_id=topics.group, raw_topic=topics.raw,
                              dlq_topic=topics.dlq, out_dir=tmp_path / "out", with_scans=False)
    worker = KafkaWorker(settings)  # not subscribed: no generation of its own
    member = _join(kafka_bootstrap, topics.group, topics.raw)
    try:
        worker.pending = {(topics.raw, 0): 7, (topics.raw, 1): 3}
        assert worker._commit_pending() is False  # refused: the group has a live member
        assert worker.pending == {(topics.raw, 0): 7, (topics.raw, 1): 3} and worker.commit_failures == 1
        assert harness.committed(kafka_bootstrap, topics.group, topics.raw, [0, 1]) == {0: -1001, 1: -1001}

        worker._on_revoke(worker.consumer, [TopicPartition(topics.raw, 1)])  # last try fails, then dropped
        assert worker.pending == {(topics.raw, 0): 7}
    finally:
        member.close()
    deadline = time.monotonic() + 60
    while not worker._commit_pending():  # the group is empty now: the retry goes through
        assert time.monotonic() < deadline, "commit never succeeded"
        time.sleep(0.5)
    assert worker.pending == {}
    assert harness.committed(kafka_bootstrap, topics.group, topics.raw, [0, 1]) == {0: 7, 1: -1001}
    worker.consumer.close()
