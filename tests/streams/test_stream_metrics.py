"""`finops stream --metrics-port`: a scrape after the worker caught up shows the documented names
with the counts the generated input implies (records, valid, dead letters by reason), files
written, zero lag on every raw partition, and a batch latency histogram."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from finops.broker import free_ports
from tools.scrape import names, scrape, value
from tools.stress import harness
from tools.stress.generator import generate

pytestmark = pytest.mark.kafka

DOCUMENTED = {"finops_stream_records_in_total", "finops_stream_records_stored_total",
              "finops_stream_dead_letters_total", "finops_stream_files_written_total",
              "finops_stream_consumer_lag", "finops_stream_batch_seconds_count",
              "finops_stream_batch_seconds_bucket", "finops_stream_batch_seconds_sum"}


@pytest.mark.parametrize("engine", ["kafka", "faust"])
def test_stream_metrics_scrape(kafka_bootstrap: str, tmp_path: Path, engine: str) -> None:
    topics = harness.Topics.unique("met")
    topics.create(kafka_bootstrap, 3)
    msgs = list(generate(600, seed=4, invalid_share=0.05))
    harness.produce(kafka_bootstrap, topics.raw, msgs)
    (port,) = free_ports(1)
    worker = harness.StreamWorker(kafka_bootstrap, topics, tmp_path / "out", tmp_path / "log",
                                  chunk_records=200, partitions=3, engine=engine)
    worker.cmd += ["--metrics-port", str(port), "--no-findings-topic"]
    worker.start()
    try:
        ends = harness.end_offsets(kafka_bootstrap, topics.raw)
        harness.wait_until_committed(kafka_bootstrap, topics.group, topics.raw, ends, timeout=180,
                                     worker=worker)
        url = f"http://127.0.0.1:{port}/metrics"
        for _ in range(50):  # the counters move just before the commit; give them a moment
            got = scrape(url)
            if value(got, "finops_stream_records_in_total", topic=topics.raw) == len(msgs):
                break
            time.sleep(0.2)
    finally:
        worker.stop()
    assert DOCUMENTED <= names(got)
    assert value(got, "finops_stream_records_in_total", topic=topics.raw) == len(msgs)
    valid = sum(m.valid for m in msgs)
    assert value(got, "finops_stream_records_stored_total", topic=topics.raw) == valid
    for reason, n in harness.reason_counts(msgs).items():
        assert value(got, "finops_stream_dead_letters_total", topic=topics.raw, reason=reason) == n
    files = len(list((tmp_path / "out").rglob("*.parquet")))
    assert (value(got, "finops_stream_files_written_total", topic=topics.raw) or 0) >= files > 0
    for p in range(3):
        assert value(got, "finops_stream_consumer_lag", topic=topics.raw, partition=str(p)) == 0
    assert (value(got, "finops_stream_batch_seconds_count", topic=topics.raw) or 0) >= 1
