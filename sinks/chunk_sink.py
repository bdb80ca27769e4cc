"""Micro-batching of a topic into Parquet on a fixed offset grid: exactly-once results from
at-least-once delivery.

Each Kafka partition is cut into chunks of `chunk_records` offsets: chunk k holds the records whose
offsets lie in [k*N, (k+1)*N). A chunk is *complete* once an offset at or past its end has been
seen (or its last offset itself); only then are its files written for good and its offsets
returned as committable. So the cut depends on the data alone (offsets), never on the wall clock
or on how the consumer happened to batch its fetches, and a replay cuts the same files.

An open chunk may be written early (`flush_open`, when the stream goes idle) so that data becomes
visible; the file keeps the same name (its first offset) and is rewritten with a superset of rows
as the chunk fills, while the offsets stay uncommitted. A crash at any point re-reads the chunk
from its first offset and rewrites the same names with the same bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from sinks.parquet_format import write_parquet
from sinks.partitioner import file_name, partition_dir, split_by_partition

log = logging.getLogger(__name__)

DEFAULT_CHUNK_RECORDS = 20_000


@dataclass(frozen=True, slots=True)
class Committable:
    """Every offset of (topic, partition) up to and including `through_offset` is durable."""

    topic: str
    partition: int
    through_offset: int


@dataclass
class _Chunk:
    index: int
    tables: list[pa.Table] = field(default_factory=list)
    rows: int = 0
    last_offset: int = -1
    written_rows: int = -1  # rows in the files on disk for this chunk (-1: none)


@dataclass
class SinkStats:
    files_written: int = 0
    rows_written: int = 0
    chunks_completed: int = 0
    provisional_writes: int = 0


class ChunkSink:
    def __init__(
        self,
        root: Path,
        schema: pa.Schema,
        *,
        chunk_records: int = DEFAULT_CHUNK_RECORDS,
        time_column: str = "observed_at",
        offset_column: str = "source_offset",
        on_file: Callable[[Path, int], None] | None = None,
    ) -> None:
        if chunk_records < 1:
            raise ValueError("chunk_records must be >= 1")
        self.root = root
        self.schema = schema
        self.chunk_records = chunk_records
        self.time_column = time_column
        self.offset_column = offset_column
        self.on_file = on_file
        self.stats = SinkStats()
        self._open: dict[tuple[str, int], _Chunk] = {}

    def add(self, topic: str, partition: int, offsets: Sequence[int], table: pa.Table) -> list[Committable]:
        """Take one consumed batch of a partition: `offsets` are every offset consumed (valid or
        not, ascending), `table` the valid rows among them (with their offset column).
        Returns what became committable."""
        if not offsets:
            return []
        if table.schema != self.schema:
            raise ValueError(f"{topic}[{partition}]: batch schema differs from the sink schema")
        done: list[Committable] = []
        n = self.chunk_records
        tp = (topic, partition)
        row_offsets = table[self.offset_column] if table.num_rows else None
        start = 0
        while start < len(offsets):
            index = offsets[start] // n
            end = start
            while end < len(offsets) and offsets[end] // n == index:
                end += 1
            chunk = self._open.get(tp)
            if chunk is not None and chunk.index != index:
                if index < chunk.index:
                    raise ValueError(f"{topic}[{partition}]@{offsets[start]}: offsets went backwards")
                done.append(self._complete(tp, chunk))
                chunk = None
            if chunk is None:
                chunk = self._open[tp] = _Chunk(index)
            lo, hi = index * n, (index + 1) * n
            if row_offsets is not None:
                mask = pc.and_(pc.greater_equal(row_offsets, lo), pc.less(row_offsets, hi))
                part = table.filter(mask)
                if part.num_rows:
                    chunk.tables.append(part)
                    chunk.rows += part.num_rows
            chunk.last_offset = offsets[end - 1]
            if chunk.last_offset == hi - 1:  # the chunk's last offset: nothing more can come
                done.append(self._complete(tp, chunk))
            start = end
        return done

    def flush_open(self) -> int:
        """Write every open chunk provisionally (visibility when idle); commits nothing."""
        written = 0
        for tp, chunk in sorted(self._open.items()):
            if chunk.rows != chunk.written_rows:
                self._write(tp, chunk)
                chunk.written_rows = chunk.rows
                self.stats.provisional_writes += 1
                written += 1
        return written

    def finish(self) -> list[Committable]:
        """Write and release every open chunk (end of a replay or a bounded run)."""
        return [self._complete(tp, chunk) for tp, chunk in sorted(self._open.items())]

    def drop_partition(self, topic: str, partition: int) -> None:
        """Forget an open chunk (partition revoked): its offsets are uncommitted, the new owner
        re-reads them and rewrites the same files."""
        self._open.pop((topic, partition), None)

    def open_partitions(self) -> list[tuple[str, int]]:
        return sorted(self._open)

    def _complete(self, tp: tuple[str, int], chunk: _Chunk) -> Committable:
        if chunk.rows != chunk.written_rows:
            self._write(tp, chunk)
        self._open.pop(tp, None)
        self.stats.chunks_completed += 1
        return Committable(tp[0], tp[1], chunk.last_offset)

    def _write(self, tp: tuple[str, int], chunk: _Chunk) -> None:
        if not chunk.rows:
            return
        table = pa.concat_tables(chunk.tables).combine_chunks()
        chunk.tables = [table]
        table = table.sort_by([(self.offset_column, "ascending")])
        for (tenant, day), rows in split_by_partition(table, self.time_column).items():
            first = int(rows[self.offset_column][0].as_py())
            path = partition_dir(self.root, tenant, day) / file_name(tp[0], tp[1], first)
            size = write_parquet(rows, path)
            self.stats.files_written += 1
            self.stats.rows_written += rows.num_rows
            if self.on_file:
                self.on_file(path, rows.num_rows)
            log.debug("parquet written", extra={"path": str(path), "rows": rows.num_rows, "bytes": size})
