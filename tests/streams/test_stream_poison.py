"""Poison and oversized records on the real broker, both engines: every valid record around them is
stored exactly once, each of them is dead-lettered, and the worker never stops or stalls.

CI size: FINOPS_POISON_N valid findings (default 3000). Full size, one command:
    FINOPS_POISON_N=60000 .venv/bin/pytest tests/streams/test_stream_poison.py -q -s
"""

from __future__ import annotations

import hashlib
import os
import random
import uuid
from collections import Counter
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from schemas.registry import latest
from schemas.wire import encode
from tools.stress import harness
from tools.stress.generator import generate, make_finding

pytestmark = pytest.mark.kafka
CHUNK = 1000
PARTITIONS = 3
RAW_LIMIT = 6 * 1024 * 1024  # a raw topic that allows a 5 MB record; the DLQ topic keeps Kafka's default


def _create_topics(bootstrap: str, topics: harness.Topics) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    new = [
        NewTopic(topics.raw, PARTITIONS, 1, config={"max.message.bytes": str(RAW_LIMIT)}),
        NewTopic(topics.dlq, PARTITIONS, 1, config={"cleanup.policy": "compact"}),
        NewTopic(topics.scans, 1, 1),
    ]
    for fut in admin.create_topics(new, operation_timeout=30).values():
        fut.result(30)


def _big_contract_violation(size: int) -> bytes:
    """A well-formed Avro finding of about `size` bytes that breaks the contract (bad account id)."""
    from datetime import UTC, datetime

    wire = make_finding(random.Random(1), 1, base=datetime(2026, 11, 1, tzinfo=UTC), run_id="poison").to_wire()
    wire["account_id"] = "12345"
    wire["resource_name"] = ""
    base = len(encode(wire, latest("finding")))
    wire["resource_name"] = "n" * (size - base - 4)
    return encode(wire, latest("finding"))


def _poison() -> list[tuple[int, bytes, str]]:
    """(partition, value, expected dead-letter reason): one per partition, in mid-stream."""
    rnd = random.Random(99)
    big = _big_contract_violation(1_010_000)  # over librdkafka's default producer limit, under the topic's
    edge = big[:10] + bytes(rnd.getrandbits(8) for _ in range(1_045_000 - 10))  # fits raw, not as a letter
    huge = b"\x00" + rnd.randbytes(5 * 1024 * 1024 - 1)  # 5 MB of random bytes
    return [(0, big, "contract"), (1, edge, "oversize"), (2, huge, "oversize")]


def _read_dead_letters(bootstrap: str, topic: str, expected: int) -> dict[str, tuple[bytes, dict[str, bytes]]]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"dlq-{uuid.uuid4().hex[:6]}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False,
                  "fetch.max.bytes": 8 * 1024 * 1024})
    out: dict[str, tuple[bytes, dict[str, bytes]]] = {}
    try:
        c.subscribe([topic])
        for _ in range(120):
            for m in c.consume(500, timeout=1.0):
                if m.error() is None:
                    out[m.key().decode()] = (m.value() or b"", dict(m.headers() or []))
            if len(out) >= expected:
                break
        return out
    finally:
        c.close()


@pytest.mark.parametrize("engine", ["kafka", "faust"])
def test_oversized_and_poison_records_are_dead_lettered_and_the_stream_goes_on(
    kafka_bootstrap: str, tmp_path: Path, engine: str
) -> None:
    n = int(os.environ.get("FINOPS_POISON_N", "3000"))
    topics = harness.Topics.unique("poison")
    _create_topics(kafka_bootstrap, topics)
    msgs = list(generate(n, seed=21, invalid_share=0.02))  # the ordinary bad input around the poison
    poison = _poison()
    harness.produce(kafka_bootstrap, topics.raw, msgs[: n // 2])
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "message.max.bytes": RAW_LIMIT, "acks": "all"})
    where: dict[int, str] = {}  # poison index -> dead-letter key (source topic:partition:offset)
    for i, (partition, value, _) in enumerate(poison):
        producer.produce(topics.raw, value=value, key=b"poison", partition=partition,
                         on_delivery=lambda err, m, i=i: where.__setitem__(i, f"{m.topic()}:{m.partition()}:{m.offset()}"))
    assert producer.flush(60) == 0 and len(where) == len(poison)
    harness.produce(kafka_bootstrap, topics.raw, msgs[n // 2 :])

    out = tmp_path / "live"
    log = tmp_path / "stream.log"
    worker = harness.StreamWorker(kafka_bootstrap, topics, out, log, chunk_records=CHUNK, partitions=PARTITIONS,
                                  engine=engine).start()
    try:
        ends = harness.end_offsets(kafka_bootstrap, topics.raw)
        harness.wait_until_committed(kafka_bootstrap, topics.group, topics.raw, ends, timeout=240, worker=worker)
        assert worker.alive(), f"worker exited; log {log}"
    finally:
        rc = worker.stop()
    assert rc == 0, f"worker exit code {rc}; log {log}"
    assert not (Path.cwd() / f"{topics.group}-data").exists()  # faust's default datadir: not in cwd
    if engine == "faust":
        assert (tmp_path / "worker-state" / "faust" / topics.group).is_dir()  # under the configured data dir
    assert sum(ends.values()) == n + len(poison)

    valid = sum(m.valid for m in msgs)
    counts = harness.parquet_counts(out)
    assert counts["rows"] == counts["distinct_offsets"] == valid, f"{counts}; log {log}"
    assert counts["distinct_fingerprints"] == len({m.key for m in msgs if m.valid})

    letters = _read_dead_letters(kafka_bootstrap, topics.dlq, n - valid + len(poison))
    reasons = Counter(h["dlq.reason"].decode() for _, h in letters.values())
    assert reasons == harness.reason_counts(msgs) + Counter(r for _, _, r in poison)
    for i, (_, original, reason) in enumerate(poison):
        value, h = letters[where[i]]
        assert h["dlq.reason"].decode() == reason
        if reason == "oversize":
            assert h["dlq.original.size"] == str(len(original)).encode()
            assert h["dlq.original.sha256"] == hashlib.sha256(original).hexdigest().encode()
            assert 0 < len(value) < len(original) and original.startswith(value)
        else:
            assert value == original  # fits the dead-letter topic: kept whole
    print(f"poison test ({engine}): {n} findings + {len(poison)} poison; {valid} valid stored once "
          f"(rows {counts['rows']}, distinct offsets {counts['distinct_offsets']}), dead letters (distinct keys) "
          f"{dict(sorted(reasons.items()))}, worker exit {rc}, one worker process")
