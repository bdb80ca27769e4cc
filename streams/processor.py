"""decode -> canonicalize -> validate -> fingerprint -> cast, for one consumed batch of a partition.

Kept free of faust so the live worker, `finops replay` and the tests run the very same code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa

from contracts.batch import BatchResult, Converter, convert_batch, rowwise
from contracts.cast import Provenance
from contracts.schema import FINDING_SCHEMA
from schemas.wire import Decoder, WireError
from sinks.chunk_sink import ChunkSink, Committable
from sinks.sink import Sink
from streams.dead_letter import DeadLetter
from streams.failure import StreamFailure

log = logging.getLogger(__name__)

ISOLATED = "isolated"  # dead-letter reason: the record made its whole batch fail to convert
SYSTEMIC_FAILURES = 1000  # records in a row failing alone: the converter is broken, stop


class Incoming(NamedTuple):
    """One consumed record. A NamedTuple, not a frozen dataclass: one is built per consumed
    message, and a frozen dataclass's `__init__` (object.__setattr__ per field) showed in the
    kafka worker's profile (2.5 % of its samples)."""

    offset: int
    value: bytes | None
    headers: tuple[tuple[str, str | bytes | None], ...] = ()  # as the client gives them


def from_confluent(msg: Any) -> tuple[str, int, Incoming]:
    """(topic, partition, Incoming) of a confluent-kafka Message without an error."""
    topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
    if topic is None or partition is None or offset is None:
        raise ValueError(f"message without position: {topic}[{partition}]@{offset}")
    return topic, partition, Incoming(offset, msg.value(), tuple(msg.headers() or ()))


@dataclass
class ProcessorStats:
    consumed: int = 0
    valid: int = 0
    invalid: int = 0


@dataclass
class Processor:
    """One schema's path from bytes to rows of its Arrow schema: records are decoded one by one,
    then converted as a batch (for findings by the column-wise contract, `contracts.batch`)."""

    schema_name: str
    convert: Converter
    sink: Sink
    dead_letter: Callable[[DeadLetter], None]
    decoder: Decoder = field(default_factory=Decoder)
    stats: ProcessorStats = field(default_factory=ProcessorStats)
    _isolated_in_a_row: int = 0

    def process(self, topic: str, partition: int, batch: Sequence[Incoming]) -> list[Committable]:
        """Store or dead-letter every record of `batch`; what became committable. Raises
        StreamFailure (naming the first record not handled) when that is impossible."""
        if not batch:
            return []
        try:
            return self._process(topic, partition, batch)
        except StreamFailure:
            raise
        except Exception as exc:
            cause = f"batch through @{batch[-1].offset} not stored: {type(exc).__name__}: {exc}"
            raise StreamFailure(topic, partition, batch[0].offset, cause) from exc

    def _process(self, topic: str, partition: int, batch: Sequence[Incoming]) -> list[Committable]:
        records: list[dict[str, Any]] = []
        positions: list[int] = []
        rejects: list[tuple[int, str, str]] = []  # (position in batch, reason, detail)
        for pos, msg in enumerate(batch):
            try:
                if msg.value is None:
                    raise WireError("empty", "message has no value (tombstone)")
                writer, record = self.decoder.decode(msg.value)
                if writer.name != self.schema_name:
                    detail = f"{writer.name} record on a {self.schema_name} topic"
                    raise WireError("wrong_schema", detail)
            except WireError as exc:
                rejects.append((pos, exc.reason, exc.detail))
                continue
            except Exception as exc:  # noqa: BLE001 - one bad record must never stop a partition
                rejects.append((pos, "cast", f"{type(exc).__name__}: {exc}"))
                continue
            records.append(record)
            positions.append(pos)
        offsets = [batch[p].offset for p in positions]
        result, isolated = self._convert_isolating(records, topic, partition, offsets)
        for i, problems in result.invalid:
            rejects.append((positions[i], "contract", "; ".join(str(p) for p in problems)))
        for i, error in result.failed:
            rejects.append((positions[i], "cast", f"{type(error).__name__}: {error}"))
        for i, error in isolated:
            rejects.append((positions[i], ISOLATED, f"failed its whole batch: {type(error).__name__}: {error}"))
        self._note_isolated(topic, partition, offsets, len(records), isolated)
        for pos, reason, detail in sorted(rejects, key=lambda r: r[0]):
            msg = batch[pos]
            self._reject(Provenance(topic, partition, msg.offset), msg, reason, detail)
        self.stats.consumed += len(batch)
        self.stats.valid += result.table.num_rows
        table = result.table if result.table.num_rows else self.sink.schema.empty_table()
        return self.sink.add(topic, partition, [m.offset for m in batch], table)

    def _convert_isolating(
        self, records: Sequence[dict[str, Any]], topic: str, partition: int, offsets: Sequence[int]
    ) -> tuple[BatchResult, list[tuple[int, Exception]]]:
        """`convert`, and when it raises for the batch as a whole, the batch split in halves until
        the records that raise alone are found: those are returned apart (to be dead-lettered),
        the rest converts as usual. So one poison record cannot fail its batch again and again
        (a crash loop), and the same data gives the same rows however it was batched."""
        try:
            return self.convert(records, topic, partition, offsets), []
        except Exception as exc:  # noqa: BLE001 - isolated below, or fail-stop if systemic
            if len(records) == 1:
                return BatchResult(self.sink.schema.empty_table(), [], [], 0), [(0, exc)]
        mid = len(records) // 2
        left, left_bad = self._convert_isolating(records[:mid], topic, partition, offsets[:mid])
        right, right_bad = self._convert_isolating(records[mid:], topic, partition, offsets[mid:])
        shift = [(i + mid, x) for i, x in right.invalid], [(i + mid, e) for i, e in right.failed]
        table = pa.concat_tables([left.table, right.table]).combine_chunks()
        merged = BatchResult(table, left.invalid + shift[0], left.failed + shift[1],
                             left.reference_rows + right.reference_rows)
        return merged, left_bad + [(i + mid, e) for i, e in right_bad]

    def _note_isolated(self, topic: str, partition: int, offsets: Sequence[int], n: int,
                       isolated: list[tuple[int, Exception]]) -> None:
        """Count records isolated in a row: when every record fails alone, the converter itself is
        broken, and dead-lettering everything would only hide it: stop instead (fail-stop)."""
        if not isolated:
            if n:
                self._isolated_in_a_row = 0
            return
        log.warning("records isolated from a failing batch", extra={
            "topic": topic, "partition": partition, "offsets": [offsets[i] for i, _ in isolated][:20]})
        self._isolated_in_a_row = 0 if len(isolated) < n else self._isolated_in_a_row + n
        if self._isolated_in_a_row >= SYSTEMIC_FAILURES:
            i, exc = isolated[0]
            cause = f"{self._isolated_in_a_row} records in a row fail alone (a bug, not a record): {exc!r}"
            raise StreamFailure(topic, partition, offsets[i], cause) from exc

    def flush_open(self, skip: Callable[[str, int, int], bool] | None = None) -> list[Committable]:
        """The sink's `flush_open` (`skip`: see there), a failure of which names the open partitions."""
        try:
            return self.sink.flush_open(skip)
        except Exception as exc:
            open_ = self.sink.open_partitions()
            topic = open_[0][0] if open_ else "?"
            parts = [p for _, p in open_]
            cause = f"writing open chunks of partitions {parts}: {type(exc).__name__}: {exc}"
            raise StreamFailure(topic, parts[0] if len(parts) == 1 else None, None, cause) from exc

    def _reject(self, where: Provenance, msg: Incoming, reason: str, detail: str) -> None:
        self.stats.invalid += 1
        letter = DeadLetter(where.topic, where.partition, where.offset, msg.value or b"", reason, detail, msg.headers)
        try:
            self.dead_letter(letter)
        except Exception as exc:
            cause = f"dead letter ({reason}) not sent: {type(exc).__name__}: {exc}"
            raise StreamFailure(where.topic, where.partition, where.offset, cause) from exc


def processor_for(
    schema: str, out_dir: Path, chunk_records: int, on_dead: Callable[[DeadLetter], None]
) -> Processor:
    """The processor of a wire schema ("finding" or "scan") writing under `out_dir`: the one
    recipe the faust agents, the kafka engine and `finops replay` share. Nothing under `out_dir` is
    removed here: peers may share it; the sink cleans a partition's abandoned temporaries as it
    takes the partition over."""
    if schema == "finding":
        sink = ChunkSink(out_dir, FINDING_SCHEMA, chunk_records=chunk_records)
        return Processor("finding", convert_batch, sink, on_dead)
    if schema == "scan":
        from contracts.scan_schema import SCAN_SCHEMA, scan_rows_to_table, scan_wire_to_row

        sink = ChunkSink(out_dir, SCAN_SCHEMA, chunk_records=chunk_records, time_column="finished_at")
        return Processor("scan", rowwise(scan_wire_to_row, scan_rows_to_table), sink, on_dead)
    raise ValueError(f"unknown schema {schema!r} (finding or scan)")
