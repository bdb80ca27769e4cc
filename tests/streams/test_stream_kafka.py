"""The whole spine on the real broker: producer -> Kafka -> faust worker -> Parquet + dead letters,
replay byte-identity, and the SIGKILL crash test (every valid input exactly once)."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from streams.replay import replay
from tools.stress import harness
from tools.stress.generator import generate

pytestmark = pytest.mark.kafka
CHUNK = 1000


@pytest.mark.parametrize("engine", ["faust", "kafka"])
def test_whole_path_and_replay_is_byte_identical(kafka_bootstrap: str, tmp_path: Path, engine: str) -> None:
    topics = harness.Topics.unique("it")
    topics.create(kafka_bootstrap, 3)
    msgs = list(generate(4000, seed=5, invalid_share=0.05))
    harness.produce(kafka_bootstrap, topics.raw, msgs)
    out = tmp_path / "live"
    worker = harness.StreamWorker(kafka_bootstrap, topics, out, tmp_path / "stream.log", chunk_records=CHUNK,
                                  partitions=3, engine=engine)
    worker.start()
    try:
        ends = harness.end_offsets(kafka_bootstrap, topics.raw)
        harness.wait_until_committed(kafka_bootstrap, topics.group, topics.raw, ends, timeout=180, worker=worker)
    finally:
        worker.stop()
    valid = sum(m.valid for m in msgs)
    counts = harness.parquet_counts(out)
    assert counts["rows"] == counts["distinct_offsets"] == valid
    assert counts["distinct_fingerprints"] == len({m.key for m in msgs if m.valid})
    dead = harness.dead_letters(kafka_bootstrap, topics.dlq, len(msgs) - valid)
    assert len(dead) == len(msgs) - valid
    assert sorted(dead.values()) == sorted(m.reason for m in msgs if not m.valid)

    result = replay(kafka_bootstrap, topics.raw, tmp_path / "replay", chunk_records=CHUNK)
    assert result.valid == valid and len(result.dead_letters) == len(msgs) - valid
    live = harness.tree_digest(out)
    assert live and harness.tree_digest(tmp_path / "replay") == live


def test_replay_from_offsets_rebuilds_only_the_tail(kafka_bootstrap: str, tmp_path: Path) -> None:
    topics = harness.Topics.unique("it")
    topics.create(kafka_bootstrap, 1)
    msgs = list(generate(1500, seed=8, invalid_share=0.0))
    harness.produce(kafka_bootstrap, topics.raw, msgs)
    full = replay(kafka_bootstrap, topics.raw, tmp_path / "full", chunk_records=CHUNK)
    tail = replay(kafka_bootstrap, topics.raw, tmp_path / "tail", from_offsets={0: CHUNK}, chunk_records=CHUNK)
    assert (full.valid, tail.valid) == (1500, 1500 - CHUNK)
    full_files = harness.tree_digest(tmp_path / "full")
    tail_files = harness.tree_digest(tmp_path / "tail")
    # chunk-aligned start: the tail's files are exactly the full replay's files of that chunk
    assert tail_files and all(full_files[name] == digest for name, digest in tail_files.items())


@pytest.mark.parametrize("engine", ["faust", "kafka"])
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(kafka_bootstrap: str, tmp_path: Path, engine: str) -> None:
    n = int(os.environ.get("FINOPS_CRASH_N", "12000"))
    # CI size; the full run: FINOPS_CRASH_N=60000 FINOPS_CRASH_KILLS=8 (docs/stream-storage.md)
    kills = int(os.environ.get("FINOPS_CRASH_KILLS", "3"))
    rnd = random.Random(int(os.environ.get("FINOPS_CRASH_SEED", "2026")))
    topics = harness.Topics.unique("crash")
    topics.create(kafka_bootstrap, 3)
    msgs = list(generate(n, seed=13, invalid_share=0.02))
    out = tmp_path / "live"

    producer = harness.PacedProducer(kafka_bootstrap, topics.raw, msgs).start()
    log = tmp_path / "stream.log"
    worker = harness.StreamWorker(kafka_bootstrap, topics, out, log, chunk_records=CHUNK, batch_max=700, partitions=3, engine=engine).start()
    killed = 0
    try:
        while killed < kills:
            # kill only a worker that is working: once its group has committed something new,
            # at a random moment within the next seconds (mid-batch, mid-write, mid-commit)
            harness.wait_for_progress(kafka_bootstrap, topics.group, topics.raw, range(3))
            time.sleep(rnd.uniform(0.0, 2.0))
            worker.kill()  # SIGKILL: no shutdown hooks, no final commit
            killed += 1
            worker = harness.StreamWorker(kafka_bootstrap, topics, out, log, chunk_records=CHUNK, batch_max=700, partitions=3, engine=engine).start()
        producer.hurry()  # the kills are done
        producer.join()
        ends = harness.end_offsets(kafka_bootstrap, topics.raw)
        harness.wait_until_committed(kafka_bootstrap, topics.group, topics.raw, ends, timeout=240, worker=worker)
    finally:
        producer.hurry()
        worker.stop()
    assert sum(ends.values()) == n
    valid = sum(m.valid for m in msgs)
    counts = harness.parquet_counts(out)
    assert counts["rows"] == valid, f"{counts} after {killed} kills; log {log}"
    assert counts["distinct_offsets"] == valid, "a record was stored twice"
    assert counts["distinct_fingerprints"] == len({m.key for m in msgs if m.valid})
    dead = harness.dead_letters(kafka_bootstrap, topics.dlq, n - valid)
    assert len(dead) == n - valid  # compacted by source offset: re-sent letters collapse
    # and the crashed run wrote the very bytes an uninterrupted replay writes
    replay(kafka_bootstrap, topics.raw, tmp_path / "replay", chunk_records=CHUNK)
    assert harness.tree_digest(out) == harness.tree_digest(tmp_path / "replay")
    resumed = log.read_text().count("chunk resumed from disk")
    print(f"crash test: {n} messages, {killed} SIGKILLs, {resumed} chunks resumed from disk")
