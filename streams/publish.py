"""The stream's publish step: every stored finding, canonical, on `finops.findings.v1`.

Order is what makes the promise: a finding is produced only once the Parquet file holding it is
durable (the sink returned its offset as committable), and the producer is flushed before the
engine commits that offset. So a consumer never sees a finding that storage does not hold, and a
stored finding is never missing from the topic. After a crash (or a rebalance) between the
flush and the offset commit, the records of the uncommitted offsets are consumed, stored (same
file, same bytes) and published again: those may be seen twice, with identical values and the
same `finops.source.*` headers (raw topic, partition, offset), which is the dedupe key. Rows a
restarted worker reloads from disk (committed, so already published) are not published again.

The value is the `finding.v1` record as stored: canonicalized, with `fingerprint` and
`finding_id` recomputed by the contract, key = fingerprint (one finding, one partition, in order).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from confluent_kafka import KafkaError, KafkaException, Producer

from schemas.registry import latest
from sinks.chunk_sink import Committable
from sinks.sink import Sink
from streams.processor import Processor
from streams.publish_wire import FindingEncoder

log = logging.getLogger(__name__)

_PROVENANCE = ("source_topic", "source_partition", "source_offset")


def row_to_wire(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row (FINDING_SCHEMA) as the finding.v1 wire record it canonically is: the
    row-wise reference of what `FindingEncoder` encodes column-wise (and tests compare them)."""
    rec = {k: v for k, v in row.items() if k not in _PROVENANCE}
    money = rec["estimated_monthly_savings"]
    rec["estimated_monthly_savings"] = None if money is None else str(Decimal(money))
    rec["tags"] = dict(rec["tags"])
    rec["details"] = json.loads(rec["details"])
    return rec


def _as_bytes(column: pa.ChunkedArray) -> list[bytes]:
    """A column's values as UTF-8 bytes (integers in decimal, as `str(int)` writes them)."""
    return column.cast(pa.string()).cast(pa.binary()).to_pylist()


class FindingsPublisher:
    """Idempotent producer of canonical findings; `publish` returns once all are delivered."""

    def __init__(self, bootstrap: str, topic: str, *, flush_wait_s: float = 5.0) -> None:
        self.topic = topic
        self.flush_wait_s = flush_wait_s
        self.schema = latest("finding")
        self._encoder = FindingEncoder(self.schema)
        self.published = 0
        self._errors: list[str] = []
        self._producer = Producer({
            "bootstrap.servers": bootstrap,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "compression.type": "zstd",
            # reports only for failed messages: no Python callback per delivered finding (the
            # errors, the only thing `_on_delivery` keeps, are reported all the same)
            "delivery.report.only.error": True,
            # retried until delivered: a broker outage blocks the stream (backpressure) instead
            # of letting it commit offsets whose findings never reached the topic
            "message.timeout.ms": 0,
        })

    def _on_delivery(self, err: KafkaError | None, msg: Any) -> None:
        if err is not None:
            self._errors.append(f"{msg.topic()}[{msg.partition()}]: {err}")

    def _produce_when_room(self, key: bytes, value: bytes,
                           headers: list[tuple[str, str | bytes | None]]) -> None:
        while True:
            self._producer.poll(0.1)
            try:
                self._producer.produce(self.topic, value, key, headers=headers,
                                       on_delivery=self._on_delivery)
                return
            except BufferError:
                continue

    def publish(self, rows: pa.Table) -> None:
        # encoded column-wise from the stored table (streams/publish_wire.py), the same bytes as
        # encode(row_to_wire(row)) per row at a fraction of the CPU
        values = self._encoder.values(rows)
        keys = _as_bytes(rows["fingerprint"])
        topics, partitions, offsets = (_as_bytes(rows[name]) for name in _PROVENANCE)
        produce, topic_out, on_delivery = self._producer.produce, self.topic, self._on_delivery
        for value, key, topic, partition, offset in zip(values, keys, topics, partitions, offsets,
                                                        strict=True):
            headers: list[tuple[str, str | bytes | None]] = [
                ("finops.source.topic", topic), ("finops.source.partition", partition),
                ("finops.source.offset", offset)]
            try:
                produce(topic_out, value, key, headers=headers, on_delivery=on_delivery)
            except BufferError:  # the local queue is full: wait for deliveries, then retry
                self._produce_when_room(key, value, headers)
        while self._producer.flush(self.flush_wait_s):
            log.warning("findings topic not acknowledging yet; holding the offset commit",
                        extra={"topic": self.topic, "pending": len(self._producer)})
        if self._errors:
            errors, self._errors = self._errors, []
            raise KafkaException(f"publishing to {self.topic}: {'; '.join(errors[:5])}")
        self.published += rows.num_rows


class PublishingSink:
    """Wraps a stream sink: publishes the valid rows of each batch once they are committable."""

    def __init__(self, base: Sink, publisher: FindingsPublisher,
                 offset_column: str = "source_offset") -> None:
        self.base = base
        self.schema = base.schema
        self.stats = base.stats
        self.publisher = publisher
        self.offset_column = offset_column
        self._pending: dict[tuple[str, int], list[pa.Table]] = {}

    def add(self, topic: str, partition: int, offsets: Sequence[int], table: pa.Table
            ) -> list[Committable]:
        held = self._pending.get((topic, partition))
        if held and offsets:  # re-delivered from an earlier offset: those rows come again
            kept = [t.filter(pc.less(t[self.offset_column], offsets[0])) for t in held]
            self._pending[(topic, partition)] = [t for t in kept if t.num_rows]
        if table.num_rows:
            self._pending.setdefault((topic, partition), []).append(table)
        return self._publish(self.base.add(topic, partition, offsets, table))

    def flush_open(self, skip: Callable[[str, int, int], bool] | None = None) -> list[Committable]:
        return self._publish(self.base.flush_open(skip))

    def finish(self) -> list[Committable]:
        return self._publish(self.base.finish())

    def drop_partition(self, topic: str, partition: int) -> None:
        self._pending.pop((topic, partition), None)  # the new owner re-reads and publishes them
        self.base.drop_partition(topic, partition)

    def open_partitions(self) -> list[tuple[str, int]]:
        return self.base.open_partitions()

    def take_seeks(self) -> dict[tuple[str, int], int]:
        return self.base.take_seeks()

    def _publish(self, done: list[Committable]) -> list[Committable]:
        ready = []
        for item in done:
            tables = self._pending.pop((item.topic, item.partition), None)
            if not tables:
                continue
            rows = pa.concat_tables(tables)
            offsets = rows[self.offset_column]
            if pc.max(offsets).as_py() <= item.through_offset:  # the usual case: all durable
                ready.append(rows)
                continue
            durable = pc.less_equal(offsets, item.through_offset)
            ready.append(rows.filter(durable))
            rest = rows.filter(pc.invert(durable))
            if rest.num_rows:
                self._pending[(item.topic, item.partition)] = [rest]
        ready = [t for t in ready if t.num_rows]
        if ready:
            self.publisher.publish(pa.concat_tables(ready))
        return done


def publishing(processor: Processor, bootstrap: str, topic: str) -> None:
    """Make `processor` publish what it stores to `topic` (the one place the step is wired)."""
    processor.sink = PublishingSink(processor.sink, FindingsPublisher(bootstrap, topic))
