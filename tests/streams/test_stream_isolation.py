"""No crash loop, on the real broker, both engines: a scan summary that makes its whole batch fail
(see test_processor_isolation) is isolated and dead-lettered as `isolated`, every other record is
stored, the worker goes on (exit 0 at the end), and a second worker on the same data (new group)
and a replay write byte-identical files.

CI size: FINOPS_ISOLATE_N scan summaries (default 400). Full size:
    FINOPS_ISOLATE_N=20000 .venv/bin/pytest tests/streams/test_stream_isolation.py -q
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from confluent_kafka import Producer

from streams.processor import ISOLATED
from streams.replay import replay
from tests.streams.test_processor_isolation import scan_messages
from tools.stress import harness
from tools.stress.generator import generate

pytestmark = pytest.mark.kafka
POISON = {40, 41, 250}


def _run(bootstrap: str, topics: harness.Topics, tmp: Path, engine: str, tag: str) -> tuple[int | None, Path]:
    scans_out = tmp / f"scans-{tag}"
    worker = harness.StreamWorker(bootstrap, topics, tmp / f"findings-{tag}", tmp / f"{tag}.log", chunk_records=100,
                                  batch_max=500, partitions=2, engine=engine, scans_out=scans_out).start()
    try:
        for topic in (topics.raw, topics.scans):
            ends = harness.end_offsets(bootstrap, topic)
            harness.wait_until_committed(bootstrap, topics.group, topic, ends, timeout=180, worker=worker)
        assert worker.alive()
    finally:
        rc = worker.stop()
    return rc, scans_out


@pytest.mark.parametrize("engine", ["kafka", "faust"])
def test_a_batch_killing_record_is_isolated_and_the_stream_goes_on(
    kafka_bootstrap: str, tmp_path: Path, engine: str
) -> None:
    topics = harness.Topics.unique("isolate")
    topics.create(kafka_bootstrap, 2)
    harness.produce(kafka_bootstrap, topics.raw, list(generate(1000, seed=4, invalid_share=0.0)))
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "acks": "all"})
    n = int(os.environ.get("FINOPS_ISOLATE_N", "400"))
    scans = scan_messages(n, POISON)
    for m in scans:
        producer.produce(topics.scans, value=m.value, partition=0)
    assert producer.flush(30) == 0

    rc, first = _run(kafka_bootstrap, topics, tmp_path, engine, "first")
    assert rc == 0
    stored = harness.tree_digest(first)
    letters = harness.dead_letters(kafka_bootstrap, topics.dlq, len(POISON))
    assert letters == {f"{topics.scans}:0:{o}": ISOLATED for o in sorted(POISON)}
    import duckdb

    files = [str(p) for p in first.rglob("*.parquet")]
    offsets = duckdb.connect().execute(
        "select list(source_offset order by source_offset) from read_parquet($f, hive_partitioning=false)",
        {"f": files}).fetchone()
    assert offsets is not None and offsets[0] == [i for i in range(n) if i not in POISON]

    again = harness.Topics(topics.raw, topics.dlq, topics.scans, topics.group + "-again")
    rc, second = _run(kafka_bootstrap, again, tmp_path, engine, "second")
    assert rc == 0 and harness.tree_digest(second) == stored
    result = replay(kafka_bootstrap, topics.scans, tmp_path / "replay", schema="scan", chunk_records=100)
    assert sorted((d.offset, d.reason) for d in result.dead_letters) == [(o, ISOLATED) for o in sorted(POISON)]
    assert harness.tree_digest(tmp_path / "replay") == stored
