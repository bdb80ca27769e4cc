"""Fail-stop on the real broker, both engines: a record that can be neither stored nor dead-lettered
stops the worker with exit code 70 and an error naming topic/partition/offset, no offset past it is
committed (read from the broker), and a restart without the fault loses nothing.

Faults are real failure paths, not mocks: the dead-letter cluster unreachable (`--dlq-bootstrap` at
a closed port, delivery timeout 3 s), and a Parquet write refused by the file system (a regular file
where a partition directory must go).

CI size: FINOPS_FAILSTOP_N (default 3000) findings. Full size:
    FINOPS_FAILSTOP_N=30000 .venv/bin/pytest tests/streams/test_stream_fail_stop.py -q -s
"""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from confluent_kafka import KafkaException, Producer

from finops.broker import free_ports
from schemas.wire import Decoder
from streams.failure import EXIT_FAILED
from streams.replay import replay
from tools.stress import harness
from tools.stress.generator import Message, generate

pytestmark = pytest.mark.kafka
CHUNK = 200
PARTITIONS = 3
MIDNIGHT = datetime(2026, 11, 2, tzinfo=UTC)  # the day the write-refused case cannot write (acme's rows)
DLQ_MAX = "1048588"


def _messages(n: int) -> list[Message]:
    """`n` findings, the first half all valid (so commits advance before any fault can strike),
    then 5 % invalid. Records are 3 s apart and those from #(4n/5) on fall on 2026-11-02, at every
    size: a fixed start put the day's first acme row inside the valid half at full size, where
    faust could meet the fault before its first commit and the test proved nothing."""
    base = MIDNIGHT - timedelta(seconds=3 * (4 * n // 5))
    msgs = list(generate(n, seed=17, invalid_share=0.05, base=base))
    valid = [m for m in msgs if m.valid]
    head = valid[: n // 2]
    taken = {id(m) for m in head}
    return head + [m for m in msgs if id(m) not in taken]


def _produce(bootstrap: str, topic: str, msgs: list[Message], start: int = 0) -> None:
    """Message i goes to partition i % PARTITIONS, in order (`start`: the index of msgs[0])."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 20})
    for i, m in enumerate(msgs, start):
        producer.produce(topic, value=m.value, key=m.key.encode(), partition=i % PARTITIONS, headers=list(m.headers))
        if i % 10_000 == 0:
            producer.poll(0)
    assert producer.flush(60) == 0


def _input(bootstrap: str) -> tuple[harness.Topics, list[Message], dict[int, list[Message]]]:
    """The topic holds the valid first half; the rest is produced once the worker has committed
    some of it (`_expect_failure_then_recover`), so the guard against committing past the fault is
    tested against commits that did happen, whatever the machine's speed."""
    topics = harness.Topics.unique("failstop")
    topics.create(bootstrap, PARTITIONS)
    msgs = _messages(int(os.environ.get("FINOPS_FAILSTOP_N", "3000")))
    _produce(bootstrap, topics.raw, msgs[: len(msgs) // 2])
    return topics, msgs, {p: msgs[p::PARTITIONS] for p in range(PARTITIONS)}


def _wait_for_a_commit(bootstrap: str, topics: harness.Topics, worker: harness.StreamWorker) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            done = harness.committed(bootstrap, topics.group, topics.raw, range(PARTITIONS))
        except KafkaException:  # e.g. NOT_COORDINATOR while the group's coordinator loads: ask again
            done = {}
        if any(c > 0 for c in done.values()):
            return
        if not worker.alive():
            return  # died before its first commit: the caller reports it
        time.sleep(0.2)
    raise AssertionError("the worker committed nothing of the valid half within 120 s")


def _expect_failure_then_recover(bootstrap: str, tmp_path: Path, engine: str, topics: harness.Topics,
                                 msgs: list[Message], first_failing: dict[int, int], extra_args: list[str],
                                 repair: object = None) -> str:
    out = tmp_path / "live"
    log = tmp_path / "stream.log"
    worker = harness.StreamWorker(bootstrap, topics, out, log, chunk_records=CHUNK, batch_max=500,
                                  partitions=PARTITIONS, engine=engine, extra_args=extra_args).start()
    try:
        _wait_for_a_commit(bootstrap, topics, worker)
        _produce(bootstrap, topics.raw, msgs[len(msgs) // 2 :], start=len(msgs) // 2)
        rc = worker.wait(180)
    finally:
        worker.stop()
    text = log.read_text()
    assert rc == EXIT_FAILED, f"exit code {rc}; log {log}"
    assert "stream worker stopped: record neither stored nor dead-lettered" in text
    assert re.search(rf"topic={re.escape(topics.raw)}\b.*|{re.escape(topics.raw)}\[\d\]@\d+", text), text[-3000:]
    committed = harness.committed(bootstrap, topics.group, topics.raw, range(PARTITIONS))
    for p, failing in first_failing.items():
        assert committed[p] <= failing, f"partition {p} committed {committed[p]} past the failing record {failing}"
    assert sum(max(c, 0) for c in committed.values()) > 0, "nothing was committed before the fault: weak test"

    if callable(repair):
        repair()
    worker = harness.StreamWorker(bootstrap, topics, out, log, chunk_records=CHUNK, batch_max=500,
                                  partitions=PARTITIONS, engine=engine).start()
    try:
        ends = harness.end_offsets(bootstrap, topics.raw)
        harness.wait_until_committed(bootstrap, topics.group, topics.raw, ends, timeout=240, worker=worker)
    finally:
        assert worker.stop() == 0
    valid = sum(m.valid for m in msgs)
    counts = harness.parquet_counts(out)
    assert counts["rows"] == counts["distinct_offsets"] == valid, f"{counts}; log {log}"
    dead = harness.dead_letters(bootstrap, topics.dlq, len(msgs) - valid)
    assert len(dead) == len(msgs) - valid
    replay(bootstrap, topics.raw, tmp_path / "replay", chunk_records=CHUNK)
    assert harness.tree_digest(out) == harness.tree_digest(tmp_path / "replay")
    return f"{engine}: exit {rc}, committed before restart {committed}, failing {first_failing}, then {valid} " \
           f"valid stored once, {len(dead)} dead letters"


@pytest.mark.parametrize("engine", ["kafka", "faust"])
def test_dead_letter_cluster_unreachable_stops_the_worker_without_committing_past_it(
    kafka_bootstrap: str, tmp_path: Path, engine: str
) -> None:
    topics, msgs, by_partition = _input(kafka_bootstrap)
    first_bad = {p: next(o for o, m in enumerate(ms) if not m.valid) for p, ms in by_partition.items()}
    (dead_port,) = free_ports(1)  # nothing listens there
    args = ["--dlq-bootstrap", f"127.0.0.1:{dead_port}", "--dlq-timeout", "3", "--dlq-max-message-bytes", DLQ_MAX]
    print(_expect_failure_then_recover(kafka_bootstrap, tmp_path, engine, topics, msgs, first_bad, args))


@pytest.mark.parametrize("engine", ["kafka", "faust"])
def test_a_parquet_write_refused_stops_the_worker_without_committing_past_it(
    kafka_bootstrap: str, tmp_path: Path, engine: str
) -> None:
    topics, msgs, by_partition = _input(kafka_bootstrap)
    # acme's directory for 2026-11-02 is a regular file: every write of such a row fails (even as root)
    blocker = tmp_path / "live" / "tenant_id=acme" / "dt=2026-11-02"
    blocker.parent.mkdir(parents=True)
    blocker.write_bytes(b"not a directory")
    failing = {}
    decoder = Decoder()
    for p, ms in by_partition.items():
        for o, m in enumerate(ms):
            if not m.valid:
                continue
            rec = decoder.decode(m.value)[1]
            if rec["tenant_id"] == "acme" and rec["observed_at"].astimezone(UTC).date().isoformat() == "2026-11-02":
                failing[p] = o
                break
    assert failing  # partitions without such a row may well commit to their end
    print(_expect_failure_then_recover(kafka_bootstrap, tmp_path, engine, topics, msgs, failing, [],
                                       repair=blocker.unlink))
