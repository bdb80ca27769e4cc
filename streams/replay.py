"""Rebuild a topic's Parquet from given offsets: the proof that output is a function of the log.

Uses a plain consumer with manual assignment (no group, no commits), reads every partition up to
the high watermark it saw at start, and runs the same Processor and ChunkSink as the live worker,
so the files come out byte-identical to what the worker wrote for the same offsets.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

from sinks.chunk_sink import DEFAULT_CHUNK_RECORDS
from streams.dead_letter import DeadLetter
from streams.processor import Incoming, from_confluent, processor_for

log = logging.getLogger(__name__)


@dataclass
class ReplayResult:
    topic: str
    start: dict[int, int]
    end: dict[int, int]  # exclusive high watermarks read up to
    consumed: int = 0
    valid: int = 0
    dead_letters: list[DeadLetter] = field(default_factory=list)
    files_written: int = 0


def replay(
    bootstrap: str,
    topic: str,
    out_dir: Path,
    *,
    from_offsets: Mapping[int, int] | None = None,
    schema: str = "finding",
    chunk_records: int = DEFAULT_CHUNK_RECORDS,
    poll_batch: int = 5_000,
    timeout_s: float = 600.0,
) -> ReplayResult:
    """Replay `topic` from `from_offsets` (partition -> offset; missing partitions and None mean
    from the beginning) into `out_dir`."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"finops-replay-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            "enable.partition.eof": False,
        }
    )
    try:
        meta = consumer.list_topics(topic, timeout=30).topics.get(topic)
        if meta is None or meta.error is not None:
            raise KafkaException(f"topic {topic!r} not found: {getattr(meta, 'error', None)}")
        partitions = sorted(meta.partitions)
        start: dict[int, int] = {}
        end: dict[int, int] = {}
        for p in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
            start[p] = max(low, (from_offsets or {}).get(p, low))
            end[p] = high
        result = ReplayResult(topic, start, end)
        processor = processor_for(schema, out_dir, chunk_records, result.dead_letters.append)
        pending = {p for p in partitions if start[p] < end[p]}
        consumer.assign(
            [TopicPartition(topic, p, start[p] if start[p] > 0 else OFFSET_BEGINNING) for p in sorted(pending)]
        )
        import time

        deadline = time.monotonic() + timeout_s
        while pending:
            if time.monotonic() > deadline:
                raise TimeoutError(f"replay of {topic} incomplete: partitions {sorted(pending)} not at end")
            msgs = consumer.consume(poll_batch, timeout=1.0)
            by_partition: dict[int, list[Incoming]] = {}
            for msg in msgs:
                if msg.error():
                    raise KafkaException(msg.error())
                _, p, incoming = from_confluent(msg)
                if p not in pending or incoming.offset >= end[p]:
                    continue
                by_partition.setdefault(p, []).append(incoming)
            for p, batch in sorted(by_partition.items()):
                processor.process(topic, p, batch)
                if batch[-1].offset >= end[p] - 1:
                    pending.discard(p)
        processor.sink.finish()
        result.consumed = processor.stats.consumed
        result.valid = processor.stats.valid
        result.files_written = processor.sink.stats.files_written
        log.info(
            "replay done",
            extra={"topic": topic, "consumed": result.consumed, "valid": result.valid,
                   "dead_letters": len(result.dead_letters), "out": str(out_dir)},
        )
        return result
    finally:
        consumer.close()
