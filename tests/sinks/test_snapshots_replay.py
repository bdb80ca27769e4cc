"""End to end on the real broker: findings -> Kafka -> replay into Parquet (twice) -> jobs ->
byte-identical snapshot sets, whose watermark is the topic's last offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobs.window import JobPaths, JobRunner
from streams.replay import replay
from tools.stress import harness
from tools.stress.generator import generate

pytestmark = pytest.mark.kafka


def _snapshots(root: Path) -> dict[str, bytes]:
    JobRunner(JobPaths.under(root), threads=1).run_window()
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "snapshots").rglob("*.json"))}


def test_replays_give_byte_identical_snapshots(kafka_bootstrap, tmp_path):
    topics = harness.Topics.unique("jobs-replay")
    topics.create(kafka_bootstrap, partitions=3)
    msgs = list(generate(300, seed=3, invalid_share=0.0))
    assert harness.produce(kafka_bootstrap, topics.raw, msgs) == len(msgs)
    trees = []
    for name in ("a", "b"):
        root = tmp_path / name
        replay(kafka_bootstrap, topics.raw, root / "findings", chunk_records=50)
        trees.append(_snapshots(root))
    assert trees[0] and trees[0] == trees[1]
    ends = harness.end_offsets(kafka_bootstrap, topics.raw)
    seen: dict[str, int] = {}
    for name, data in trees[0].items():
        if name.endswith("manifest.json"):
            for key, offset in json.loads(data)["watermark"]["offsets"].items():
                seen[key] = max(seen.get(key, -1), offset)
    assert seen == {f"{topics.raw}:{p}": end - 1 for p, end in ends.items() if end}
