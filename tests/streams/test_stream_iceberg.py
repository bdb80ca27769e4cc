"""The Iceberg sink on the real broker: stream -> table with the same rows as the Parquet sink for
the same input, and the SIGKILL crash test against the table (every valid record exactly once)."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("pyiceberg")

from contracts.schema import FINDING_SCHEMA, SORT_KEY  # noqa: E402
from tools.stress import harness  # noqa: E402
from tools.stress.generator import generate  # noqa: E402

pytestmark = pytest.mark.kafka
CHUNK = 1000


def _parquet_rows(root: Path):
    files = sorted(str(p) for p in root.rglob("*.parquet"))
    return duckdb.connect().sql(
        "select * from read_parquet($f, hive_partitioning=false)", params={"f": files}
    ).to_arrow_table().cast(FINDING_SCHEMA).sort_by([(k, "ascending") for k in SORT_KEY])


def _run_until_committed(bootstrap: str, topics: harness.Topics, out: Path, log: Path, sink: str) -> None:
    worker = harness.StreamWorker(bootstrap, topics, out, log, chunk_records=CHUNK, partitions=3,
                                  engine="kafka", sink=sink).start()
    try:
        ends = harness.end_offsets(bootstrap, topics.raw)
        harness.wait_until_committed(bootstrap, topics.group, topics.raw, ends, timeout=180, worker=worker)
    finally:
        worker.stop()


def test_stream_to_table_equals_the_parquet_sink(kafka_bootstrap: str, tmp_path: Path) -> None:
    topics = harness.Topics.unique("ice")
    topics.create(kafka_bootstrap, 3)
    msgs = list(generate(5000, seed=17, invalid_share=0.05))
    harness.produce(kafka_bootstrap, topics.raw, msgs)
    _run_until_committed(kafka_bootstrap, topics, tmp_path / "pq", tmp_path / "pq.log", "parquet")
    # the same topic again, as another group, into the table
    ice_topics = harness.Topics(topics.raw, topics.dlq, topics.scans, topics.group + "-ice")
    _run_until_committed(kafka_bootstrap, ice_topics, tmp_path / "ice", tmp_path / "ice.log", "iceberg")

    rows = harness.iceberg_findings(tmp_path / "ice")
    valid = sum(m.valid for m in msgs)
    counts = harness.table_counts(rows)
    assert counts == {"rows": valid, "distinct_offsets": valid,
                      "distinct_fingerprints": len({m.key for m in msgs if m.valid})}
    assert rows.sort_by([(k, "ascending") for k in SORT_KEY]).equals(_parquet_rows(tmp_path / "pq"))


def test_sigkill_against_the_iceberg_sink_loses_and_duplicates_nothing(kafka_bootstrap: str, tmp_path: Path) -> None:
    n = int(os.environ.get("FINOPS_CRASH_N", "12000"))
    # CI size; the full run: FINOPS_CRASH_N=60000 FINOPS_CRASH_KILLS=8 (docs/stream-storage.md)
    kills = int(os.environ.get("FINOPS_CRASH_KILLS", "3"))
    rnd = random.Random(int(os.environ.get("FINOPS_CRASH_SEED", "2026")))
    topics = harness.Topics.unique("icecrash")
    topics.create(kafka_bootstrap, 3)
    msgs = list(generate(n, seed=19, invalid_share=0.02))
    out = tmp_path / "ice"

    def start() -> harness.StreamWorker:
        return harness.StreamWorker(kafka_bootstrap, topics, out, log, chunk_records=CHUNK, batch_max=700,
                                    partitions=3, engine="kafka", sink="iceberg").start()

    producer = harness.PacedProducer(kafka_bootstrap, topics.raw, msgs).start()
    log = tmp_path / "stream.log"
    worker = start()
    killed = 0
    try:
        while killed < kills:
            harness.wait_for_progress(kafka_bootstrap, topics.group, topics.raw, range(3))
            time.sleep(rnd.uniform(0.0, 2.0))
            worker.kill()  # SIGKILL: mid-batch, mid-append, between table commit and group commit
            killed += 1
            worker = start()
        producer.hurry()  # the kills are done
        producer.join()
        ends = harness.end_offsets(kafka_bootstrap, topics.raw)
        harness.wait_until_committed(kafka_bootstrap, topics.group, topics.raw, ends, timeout=240, worker=worker)
    finally:
        producer.hurry()
        worker.stop()
    assert sum(ends.values()) == n
    valid = sum(m.valid for m in msgs)
    counts = harness.table_counts(harness.iceberg_findings(out))
    assert counts["rows"] == valid, f"{counts} after {killed} kills; log {log}"
    assert counts["distinct_offsets"] == valid, "a record was stored twice"
    assert counts["distinct_fingerprints"] == len({m.key for m in msgs if m.valid})
    dead = harness.dead_letters(kafka_bootstrap, topics.dlq, n - valid)
    assert len(dead) == n - valid
    resumed = log.read_text().count("partition resumed from the table")
    print(f"iceberg crash test: {n} messages, {killed} SIGKILLs, {resumed} partitions resumed from the table")


@pytest.mark.parametrize("engine", ["kafka", "faust"])
def test_two_workers_of_one_group_append_concurrently(kafka_bootstrap: str, tmp_path: Path, engine: str) -> None:
    """One worker drains a backlog; a second joins meanwhile: the first keeps half its partitions
    through the rebalance while records it fetched before are still in its fetcher's buffers.
    faust went on with a kept partition from where those records left its read position, past
    the table's offset and past the seek: the sink held that partition for good (it waits for the
    offset the table needs next), until the fix made the engine seek back to it."""
    topics = harness.Topics.unique("iceduo")
    topics.create(kafka_bootstrap, 6)
    msgs = list(generate(12000, seed=23, invalid_share=0.03))
    out = tmp_path / "ice"

    def worker(i: int) -> harness.StreamWorker:
        return harness.StreamWorker(kafka_bootstrap, topics, out, tmp_path / f"w{i}.log", chunk_records=CHUNK,
                                    batch_max=500, partitions=6, engine=engine, sink="iceberg").start()

    harness.produce(kafka_bootstrap, topics.raw, msgs[:8000])
    workers = [worker(0)]
    try:
        deadline = time.monotonic() + 120
        while sum(harness.committed(kafka_bootstrap, topics.group, topics.raw, range(6)).values()) < 500:
            assert workers[0].alive() and time.monotonic() < deadline, "the first worker commits nothing"
            time.sleep(0.2)
        workers.append(worker(1))  # joins while the first drains the backlog
        for i in range(8000, len(msgs), 1000):
            harness.produce(kafka_bootstrap, topics.raw, msgs[i : i + 1000])
            time.sleep(0.5)
        ends = harness.end_offsets(kafka_bootstrap, topics.raw)
        harness.wait_until_committed(kafka_bootstrap, topics.group, topics.raw, ends, timeout=180, worker=workers[0])
    finally:
        for w in workers:
            w.stop()
    valid = sum(m.valid for m in msgs)
    counts = harness.table_counts(harness.iceberg_findings(out))
    assert counts == {"rows": valid, "distinct_offsets": valid,
                      "distinct_fingerprints": len({m.key for m in msgs if m.valid})}
    dead = harness.dead_letters(kafka_bootstrap, topics.dlq, len(msgs) - valid)
    assert len(dead) == len(msgs) - valid
    logs = [(tmp_path / f"w{i}.log").read_text() for i in range(2)]
    retries = sum(text.count("iceberg commit conflict") for text in logs)
    gaps = sum(text.count("batch past a gap ignored") for text in logs)
    runs = sum(text.count("re-delivery within a batch") for text in logs)
    seeks = sum(text.count("partition sought back") for text in logs)
    print(f"two {engine} workers: {retries} commit conflicts retried, {runs} batches going back taken as runs, "
          f"{gaps} batches past a gap ignored, {seeks} seeks back")
