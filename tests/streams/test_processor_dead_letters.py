"""Every bad record becomes a dead letter with its reason; nothing raises, nothing is lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from contracts.batch import convert_batch
from contracts.schema import FINDING_SCHEMA
from sinks.chunk_sink import ChunkSink
from streams.dead_letter import DeadLetter
from streams.processor import Incoming, Processor
from tools.stress.generator import generate


def test_processor_routes_each_bad_kind_to_the_dead_letters(tmp_path: Path) -> None:
    letters: list[DeadLetter] = []
    proc = Processor("finding", convert_batch, ChunkSink(tmp_path, FINDING_SCHEMA, chunk_records=1000), letters.append)
    msgs = list(generate(1500, seed=11, invalid_share=0.2))
    batch = [Incoming(i, m.value) for i, m in enumerate(msgs)] + [Incoming(len(msgs), None)]
    proc.process("raw", 2, batch)
    proc.sink.finish()
    expected = Counter(m.reason for m in msgs if not m.valid) + Counter({"empty": 1})
    assert Counter(d.reason for d in letters) == expected
    assert proc.stats.valid == sum(m.valid for m in msgs)
    bad = {d.offset for d in letters}
    assert all(not msgs[o].valid for o in bad if o < len(msgs))
    sample = next(d for d in letters if d.reason == "contract")
    headers = dict(sample.kafka_headers())
    assert headers["dlq.source.partition"] == b"2"
    assert b"account_id" in headers["dlq.detail"]
    assert sample.value == msgs[sample.offset].value  # the original bytes
    assert sample.key == f"raw:2:{sample.offset}"


def test_a_dead_letter_that_cannot_be_sent_fails_naming_its_record(tmp_path: Path) -> None:
    import pytest

    from streams.failure import StreamFailure

    def refuse(letter: DeadLetter) -> None:
        raise BufferError("Local: Queue full")

    proc = Processor("finding", convert_batch, ChunkSink(tmp_path, FINDING_SCHEMA, chunk_records=1000), refuse)
    msgs = list(generate(50, seed=3, invalid_share=0.0))
    batch = [Incoming(100 + i, m.value) for i, m in enumerate(msgs)] + [Incoming(150, b"\x00junk")]
    with pytest.raises(StreamFailure, match=r"raw\[4\]@150: dead letter \(truncated\) not sent: BufferError") as info:
        proc.process("raw", 4, batch)
    assert (info.value.topic, info.value.partition, info.value.offset) == ("raw", 4, 150)
