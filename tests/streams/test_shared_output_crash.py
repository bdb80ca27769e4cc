"""Two workers of one group on one output directory (what docker-compose.yml runs: two `stream`
replicas on one volume), one of them SIGKILLed at random moments and restarted, on the real broker:
every valid record exactly once, byte-identical to a replay, every offset committed at the end.

CI size by default; the full size of issue 9, one command away:

    FINOPS_SHARED_N=60000 FINOPS_SHARED_KILLS=8 FINOPS_TEST_WORKERS=0 scripts/test.sh tests/streams/test_shared_output_crash.py -q -s
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from streams.replay import replay
from tools.stress import harness
from tools.stress.generator import generate

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
CHUNK = 1000
PARTITIONS = 6


@pytest.mark.parametrize("engine", ["faust", "kafka"])
def test_two_workers_one_output_one_sigkilled_repeatedly(kafka_bootstrap: str, tmp_path: Path, engine: str) -> None:
    n = int(os.environ.get("FINOPS_SHARED_N", "6000"))
    kills = int(os.environ.get("FINOPS_SHARED_KILLS", "3"))
    rnd = random.Random(int(os.environ.get("FINOPS_SHARED_SEED", "909")))
    topics = harness.Topics.unique("shared")
    topics.create(kafka_bootstrap, PARTITIONS)
    msgs = list(generate(n, seed=21, invalid_share=0.02))
    out = tmp_path / "shared-volume"

    def worker(name: str) -> harness.StreamWorker:
        return harness.StreamWorker(kafka_bootstrap, topics, out, tmp_path / f"{name}.log", chunk_records=CHUNK,
                                    batch_max=700, partitions=PARTITIONS, engine=engine).start()

    producer = harness.PacedProducer(kafka_bootstrap, topics.raw, msgs)
    steady, victim = worker("steady"), worker("victim")
    producer.start()  # paced, so that kills land while both work
    killed = 0
    try:
        while killed < kills:
            harness.wait_for_progress(kafka_bootstrap, topics.group, topics.raw, range(PARTITIONS))
            time.sleep(rnd.uniform(0.0, 2.0))  # mid-batch, mid-write, mid-rename, mid-commit
            victim.kill()
            killed += 1
            assert steady.alive(), f"the steady worker exited; see {steady.log_path}"
            victim = worker("victim")  # restarts on the same directory while its peer writes
        producer.hurry()  # the kills are done
        producer.join()
        ends = harness.end_offsets(kafka_bootstrap, topics.raw)
        harness.wait_until_committed(kafka_bootstrap, topics.group, topics.raw, ends, timeout=300, worker=steady)
        assert steady.alive() and victim.alive(), "a worker exited (a failed write or rename?)"
    finally:
        producer.hurry()
        codes = (steady.stop(), victim.stop())
    assert sum(ends.values()) == n
    assert codes == (0, 0), f"exit codes {codes}"
    valid = sum(m.valid for m in msgs)
    counts = harness.parquet_counts(out)
    assert counts["rows"] == valid, f"{counts} after {killed} kills; logs in {tmp_path}"
    assert counts["distinct_offsets"] == valid, "a record was stored twice"
    assert counts["distinct_fingerprints"] == len({m.key for m in msgs if m.valid})
    dead = harness.dead_letters(kafka_bootstrap, topics.dlq, n - valid)
    assert sorted(dead.values()) == sorted(m.reason for m in msgs if not m.valid)
    replay(kafka_bootstrap, topics.raw, tmp_path / "replay", chunk_records=CHUNK)
    assert harness.tree_digest(out) == harness.tree_digest(tmp_path / "replay")
    # every temporary a killed writer left was cleaned by the partition's next owner
    assert harness.temporaries(out) == []
    logs = "".join(p.read_text() for p in tmp_path.glob("*.log"))
    print(f"shared output ({engine}): {n} messages, {valid} valid, {killed} SIGKILLs, "
          f"{logs.count('chunk resumed from disk')} chunks resumed, {logs.count('open chunk rewound')} re-deliveries rewound, "
          f"{logs.count('events of a revoked partition skipped')} stale batches skipped, "
          f"{logs.count('abandoned temporaries removed')} partitions with abandoned temporaries cleaned")
