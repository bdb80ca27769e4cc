"""`finops.findings.v1` on the real broker: every stored finding is published, canonical, keyed by
fingerprint, after its Parquet is durable. Checked against the Parquet itself (DuckDB over the
files): the same provenance set, the same fingerprints and finding ids, nothing the files do not
hold; after SIGKILLs a record may be published twice, but only with identical bytes."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from schemas.topics import ensure_topics
from schemas.wire import Decoder
from tools.stress import harness
from tools.stress.generator import generate
from tools.topic_reader import read_topic

CHUNK = 500


def _stored(root: Path, sink: str = "parquet") -> dict[tuple[str, int, int], tuple[str, str, str]]:
    con = duckdb.connect()
    if sink == "iceberg":
        con.register("stored", harness.iceberg_findings(root))
    else:
        files = sorted(str(p) for p in root.rglob("*.parquet"))
        con.read_parquet(files).create_view("stored")
    rows = con.execute(
        "SELECT source_topic, source_partition, source_offset, fingerprint, finding_id, tenant_id"
        " FROM stored").fetchall()
    return {(t, p, o): (fp, fid, tenant) for t, p, o, fp, fid, tenant in rows}


def _published(bootstrap: str, topic: str) -> dict[tuple[str, int, int], list[bytes]]:
    decoder = Decoder()
    by_source: dict[tuple[str, int, int], list[bytes]] = defaultdict(list)
    for r in read_topic(bootstrap, topic):
        assert r.key is not None and r.value is not None
        schema, rec = decoder.decode(r.value)
        assert schema.name == "finding" and r.key.decode() == rec["fingerprint"]
        h = {k: v.decode() for k, v in r.headers.items()}
        source = (h["finops.source.topic"], int(h["finops.source.partition"]),
                  int(h["finops.source.offset"]))
        by_source[source].append(r.value)
    return by_source


def _run(bootstrap: str, tmp_path: Path, engine: str, kills: int, sink: str = "parquet"
         ) -> dict[tuple[str, int, int], list[bytes]]:
    """Produce, stream (SIGKILLing the worker `kills` times), check against the Parquet;
    returns every published copy by source position."""
    topics = harness.Topics.unique("pub")
    topics.create(bootstrap, 3)
    findings = f"{topics.raw}.findings"
    ensure_topics(bootstrap, {findings: 3})
    msgs = list(generate(3000, seed=21, invalid_share=0.05))
    out, log = tmp_path / "out", tmp_path / "stream.log"

    def worker() -> harness.StreamWorker:
        w = harness.StreamWorker(bootstrap, topics, out, log, chunk_records=CHUNK, batch_max=300,
                                 partitions=3, engine=engine, sink=sink)
        w.cmd += ["--findings-topic", findings]
        return w.start()

    rnd = random.Random(7)
    w = worker()
    try:
        step = len(msgs) // (kills + 1)
        for k in range(kills + 1):
            harness.produce(bootstrap, topics.raw, msgs[k * step:(k + 1) * step if k < kills
                                                         else len(msgs)])
            if k < kills:
                before = sum(harness.committed(bootstrap, topics.group, topics.raw,
                                               range(3)).values())
                for _ in range(200):  # wait for the worker to commit something new, then kill
                    now = sum(harness.committed(bootstrap, topics.group, topics.raw,
                                                range(3)).values())
                    if now > before:
                        break
                    time.sleep(0.2)
                time.sleep(rnd.uniform(0.0, 1.0))
                w.kill()
                w = worker()
        harness.wait_until_committed(bootstrap, topics.group, topics.raw,
                                     harness.end_offsets(bootstrap, topics.raw), timeout=180,
                                     worker=w)
    finally:
        w.stop()
    stored = _stored(out, sink)
    assert len(stored) == sum(m.valid for m in msgs)
    published = _published(bootstrap, findings)
    assert set(published) == set(stored)  # every stored finding, nothing storage does not hold
    assert all(len(set(copies)) == 1 for copies in published.values())  # repeats: same bytes
    decoder = Decoder()
    for source, copies in published.items():
        rec = decoder.decode(copies[0])[1]
        assert (rec["fingerprint"], rec["finding_id"], rec["tenant_id"]) == stored[source]
    return published


@pytest.mark.kafka
@pytest.mark.parametrize("engine", ["kafka", "faust"])
def test_every_stored_finding_is_published_once(kafka_bootstrap: str, tmp_path: Path,
                                                engine: str) -> None:
    published = _run(kafka_bootstrap, tmp_path, engine, kills=0)
    assert {len(copies) for copies in published.values()} == {1}


@pytest.mark.kafka
def test_the_iceberg_sink_publishes_what_its_table_holds(kafka_bootstrap: str,
                                                         tmp_path: Path) -> None:
    pytest.importorskip("pyiceberg")
    published = _run(kafka_bootstrap, tmp_path, "kafka", kills=0, sink="iceberg")
    assert {len(copies) for copies in published.values()} == {1}


@pytest.mark.kafka
def test_after_sigkills_nothing_is_missing_and_repeats_are_identical(kafka_bootstrap: str,
                                                                     tmp_path: Path) -> None:
    published = _run(kafka_bootstrap, tmp_path, "kafka", kills=2)
    repeats = sum(len(c) - 1 for c in published.values())
    print(f"findings topic after 2 SIGKILLs: {len(published)} findings, {repeats} repeats")


@pytest.mark.parametrize(("argv", "topic"), [
    ([], "finops.findings.v1"), (["--findings-topic", "x.f"], "x.f"), (["--no-findings-topic"], "")])
def test_stream_publishes_to_the_findings_topic_unless_told_not_to(argv: list[str],
                                                                   topic: str) -> None:
    from finops.cli import build_parser
    from finops.commands.stream import settings_from_args

    assert settings_from_args(build_parser().parse_args(["stream", *argv]), "b:1"
                              ).findings_topic == topic
