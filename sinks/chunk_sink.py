"""Micro-batching of a topic into Parquet on a fixed offset grid: exactly-once results from
at-least-once delivery.

Each Kafka partition is cut into chunks of `chunk_records` offsets: chunk k holds the records whose
offsets lie in [k*N, (k+1)*N). A chunk is *complete* once an offset at or past its end has been
seen (or its last offset itself); only then are its files written for good and its offsets
returned as committable. So the cut depends on the data alone (offsets), never on the wall clock
or on how the consumer happened to batch its fetches, and a replay cuts the same files.

An open chunk may be written early (`flush_open`, when the stream goes idle) so that data becomes
visible and its offsets committable; the files keep their names (their first offsets) and are
rewritten with a superset of rows as the chunk fills. A worker that starts in the middle of a chunk
(after a crash, a restart or a rebalance) first loads that chunk's rows below its start offset back
from the files on disk, so the rewrite holds every row once: the same names, the same bytes as if
nothing had happened. Rows on disk at or past the start offset are dropped from memory, since Kafka
delivers them again.

A chunk's files can be superseded under other names: a worker handed a run from the middle of a
chunk (events fetched before a rebalance, handed over late) names that chunk's files by those first
offsets, and the re-delivery from the chunk's start rewrites it under earlier ones. So a sink that
may meet such files (after taking a partition over, after a rewind) lists the chunk's files on disk
when it opens it, loads each offset once, and after each write removes every known file of the
chunk that the write did not rewrite and whose rows the chunk now holds, once the new files are in
place (a file with rows the chunk does not yet hold stays until it does).

Several workers of one group may share the output directory. Each partition's files are written by
its owner only; a chunk counts as written only once every one of its files was renamed into place,
and a failed write forgets the chunk's written state and raises `SinkWriteError`, so its offsets are
never handed back as committable until a later write succeeds (the engine stops the worker).
Temporaries are cleaned per partition as the sink takes it over (`remove_abandoned_temporaries`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sinks.offset_runs import ascending_runs, goes_back
from sinks.parquet_format import remove_abandoned_temporaries, remove_durably, write_parquet
from sinks.partitioner import file_name, partition_dir, split_by_partition

log = logging.getLogger(__name__)

DEFAULT_CHUNK_RECORDS = 10_000  # rows per partition held in memory at most; ~1 MB files


class SinkWriteError(RuntimeError):
    """A chunk's files could not be made durable; its offsets must not be committed."""

    def __init__(self, topic: str, partition: int, chunk: int, path: Path, cause: BaseException) -> None:
        super().__init__(f"{topic}[{partition}] chunk {chunk}: writing {path} failed: {type(cause).__name__}: {cause}")
        self.topic, self.partition, self.chunk, self.path = topic, partition, chunk, path


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
    committed_offset: int = -1  # highest offset already returned as committable
    files: set[Path] = field(default_factory=set)  # this chunk's files known on disk


@dataclass
class SinkStats:
    files_written: int = 0
    rows_written: int = 0
    chunks_completed: int = 0
    provisional_writes: int = 0
    chunks_resumed: int = 0
    temporaries_removed: int = 0
    superseded_removed: int = 0


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
        self._owned: set[tuple[str, int]] = set()  # partitions whose abandoned temporaries were cleaned
        self._revisit: set[tuple[str, int]] = set()  # partitions whose next chunk may meet files on disk

    def add(self, topic: str, partition: int, offsets: Sequence[int], table: pa.Table) -> list[Committable]:
        """Take one consumed batch of a partition: `offsets` are every offset consumed (valid or
        not, ascending), `table` the valid rows among them (with their offset column).
        Returns what became committable."""
        if not offsets:
            return []
        if table.schema != self.schema:
            raise ValueError(f"{topic}[{partition}]: batch schema differs from the sink schema")
        if goes_back(offsets):  # events buffered before a rebalance, then the same offsets again
            taken: list[Committable] = []
            for run, part in ascending_runs(topic, partition, offsets, table, self.offset_column):
                taken += self.add(topic, partition, run, part)
            return taken
        done: list[Committable] = []
        n = self.chunk_records
        tp = (topic, partition)
        if tp not in self._owned:
            self._take_over(topic, partition)
        row_offsets = table[self.offset_column] if table.num_rows else None
        start = 0
        while start < len(offsets):
            index = offsets[start] // n
            end = start
            while end < len(offsets) and offsets[end] // n == index:
                end += 1
            chunk = self._open.get(tp)
            if chunk is not None and offsets[start] <= chunk.last_offset:
                chunk = self._rewind(tp, chunk, offsets[start])
            if chunk is not None and chunk.index != index:  # moved on (a rewind dropped any earlier one)
                done.append(self._complete(tp, chunk))
                chunk = None
            lo, hi = index * n, (index + 1) * n
            if chunk is None:
                chunk = self._open[tp] = self._resume(topic, partition, index, offsets[start])
            if row_offsets is not None:
                bounds = pc.min_max(row_offsets)
                if lo <= bounds["min"].as_py() and bounds["max"].as_py() < hi:
                    part = table  # every row is in this chunk (the usual case): no copy
                else:
                    part = table.filter(pc.and_(pc.greater_equal(row_offsets, lo), pc.less(row_offsets, hi)))
                if part.num_rows:
                    chunk.tables.append(part)
                    chunk.rows += part.num_rows
            chunk.last_offset = offsets[end - 1]
            if chunk.last_offset == hi - 1:  # the chunk's last offset: nothing more can come
                done.append(self._complete(tp, chunk))
            start = end
        return done

    def flush_open(self, skip: Callable[[str, int, int], bool] | None = None) -> list[Committable]:
        """Write every open chunk as it stands (visibility when idle); what was consumed so far
        becomes committable, since a restart reloads the chunk from these files.

        `skip(topic, partition, chunk's last offset)` true leaves that chunk open and unwritten: the
        engines pass "the log already holds that offset" for the periodic flush under input, since
        such a chunk completes as fast as the worker reads, and rewriting it early is pure cost for
        a worker that is behind (a drain rewrote every chunk ~4 times)."""
        done: list[Committable] = []
        for tp, chunk in sorted(self._open.items()):
            if skip is not None and skip(tp[0], tp[1], (chunk.index + 1) * self.chunk_records - 1):
                continue
            if chunk.rows != chunk.written_rows:
                self._write(tp, chunk)
                self.stats.provisional_writes += 1
            if chunk.last_offset > chunk.committed_offset:
                chunk.committed_offset = chunk.last_offset
                done.append(Committable(tp[0], tp[1], chunk.last_offset))
        return done

    def _rewind(self, tp: tuple[str, int], chunk: _Chunk, offset: int) -> _Chunk | None:
        """The consumer went back to `offset` (a re-delivery: a seek to the committed offset after
        a rebalance, or events of a revoked generation handled late): forget the open chunk's rows
        at or past it, which arrive again, so no row is held twice. A chunk starting past `offset` is
        dropped whole (a later take-up reloads it from disk)."""
        log.info("re-delivery: open chunk rewound",
                 extra={"topic": tp[0], "partition": tp[1], "chunk": chunk.index, "to_offset": offset,
                        "last_offset": chunk.last_offset})
        self._revisit.add(tp)  # the chunk opened next may meet files written from the dropped rows
        if offset <= chunk.index * self.chunk_records:
            self._open.pop(tp, None)
            return None
        if chunk.tables:
            table = pa.concat_tables(chunk.tables)
            kept = table.filter(pc.less(table[self.offset_column], offset))
            chunk.tables = [kept] if kept.num_rows else []
            chunk.rows = kept.num_rows
        chunk.last_offset = offset - 1
        chunk.written_rows = -1  # whatever is on disk, the next write states this chunk afresh
        return chunk

    def _take_over(self, topic: str, partition: int) -> None:
        """First batch of a partition since start-up or its last revocation: this worker owns it
        now, so temporaries of it that are older than this moment were left by a killed or revoked
        previous owner."""
        removed = remove_abandoned_temporaries(self.root, topic, partition, older_than=time.time())
        self._owned.add((topic, partition))
        self._revisit.add((topic, partition))
        if removed:
            self.stats.temporaries_removed += len(removed)
            log.info("abandoned temporaries removed",
                     extra={"topic": topic, "partition": partition, "files": [str(p) for p in removed]})

    def _resume(self, topic: str, partition: int, index: int, first_offset: int) -> _Chunk:
        """A new open chunk; when it starts past the chunk's first offset, reload the rows that
        earlier workers already stored for [chunk start, first_offset), each offset once. The
        chunk's files on disk are listed whenever some may exist (started mid-way, or the first
        chunk since a take-over or a rewind), so that a write can remove those it supersedes."""
        chunk = _Chunk(index)
        lo = index * self.chunk_records
        tp = (topic, partition)
        if first_offset == lo and tp not in self._revisit:
            return chunk  # the previous chunk completed here: nothing of this one is on disk
        self._revisit.discard(tp)
        hi = lo + self.chunk_records
        prefix = f"{topic}+{partition}+"
        for path in sorted(self.root.glob(f"*/*/{prefix}*.parquet")):
            try:
                file_offset = int(path.name[len(prefix) : -len(".parquet")])
            except ValueError:
                continue
            if not lo <= file_offset < hi:
                continue
            chunk.files.add(path)
            if file_offset >= first_offset:
                continue
            try:
                stored = pq.read_table(path, schema=self.schema)
            except (OSError, pa.ArrowInvalid) as exc:
                raise RuntimeError(f"{path}: cannot reload chunk {index} of {topic}[{partition}]: {exc}") from exc
            kept = stored.filter(pc.less(stored[self.offset_column], first_offset))
            if kept.num_rows:
                chunk.tables.append(kept.replace_schema_metadata(self.schema.metadata))
                chunk.rows += kept.num_rows
        if chunk.rows:
            table = _one_row_per_offset(pa.concat_tables(chunk.tables), self.offset_column)
            chunk.tables, chunk.rows = [table], table.num_rows
            self.stats.chunks_resumed += 1
            log.info(
                "chunk resumed from disk",
                extra={"topic": topic, "partition": partition, "chunk": index, "rows": chunk.rows,
                       "resume_offset": first_offset},
            )
        return chunk

    def finish(self) -> list[Committable]:
        """Write and release every open chunk (end of a replay or a bounded run)."""
        return [self._complete(tp, chunk) for tp, chunk in sorted(self._open.items())]

    def drop_partition(self, topic: str, partition: int) -> None:
        """Forget an open chunk (partition revoked): its offsets are uncommitted, the new owner
        re-reads them and rewrites the same files."""
        self._open.pop((topic, partition), None)
        self._owned.discard((topic, partition))

    def open_partitions(self) -> list[tuple[str, int]]:
        return sorted(self._open)

    def take_seeks(self) -> dict[tuple[str, int], int]:
        return {}  # a chunk resumes at any offset (reloading what is on disk below it)

    def _complete(self, tp: tuple[str, int], chunk: _Chunk) -> Committable:
        if chunk.rows != chunk.written_rows:
            self._write(tp, chunk)
        self._open.pop(tp, None)
        self.stats.chunks_completed += 1
        return Committable(tp[0], tp[1], chunk.last_offset)

    def _write(self, tp: tuple[str, int], chunk: _Chunk) -> None:
        """Write every file of the chunk; only when all are in place does it count as written. On
        failure the chunk is marked unwritten (the next flush rewrites every file of it) and
        `SinkWriteError` names the partition, chunk and file."""
        chunk.written_rows = -1
        if not chunk.rows:
            chunk.written_rows = 0
            return
        table = pa.concat_tables(chunk.tables).combine_chunks()
        chunk.tables = [table]
        table = table.sort_by([(self.offset_column, "ascending")])
        written: set[Path] = set()
        for (tenant, day), rows in split_by_partition(table, self.time_column).items():
            first = int(rows[self.offset_column][0].as_py())
            path = partition_dir(self.root, tenant, day) / file_name(tp[0], tp[1], first)
            try:
                size = write_parquet(rows, path)
            except Exception as exc:
                raise SinkWriteError(tp[0], tp[1], chunk.index, path, exc) from exc
            written.add(path)
            self.stats.files_written += 1
            self.stats.rows_written += rows.num_rows
            if self.on_file:
                self.on_file(path, rows.num_rows)
            log.debug("parquet written", extra={"path": str(path), "rows": rows.num_rows, "bytes": size})
        chunk.written_rows = chunk.rows
        stale = chunk.files - written
        chunk.files = written | self._remove_superseded(tp, chunk, stale, table[self.offset_column])

    def _remove_superseded(
        self, tp: tuple[str, int], chunk: _Chunk, stale: set[Path], held: pa.ChunkedArray
    ) -> set[Path]:
        """Remove each of the chunk's files that the last write did not rewrite and whose offsets
        the chunk holds (its rows are in the new files, now in place); returns those kept."""
        kept: set[Path] = set()
        for path in sorted(stale):
            try:
                offsets = pq.read_table(path, columns=[self.offset_column])[self.offset_column]
            except FileNotFoundError:
                continue
            except (OSError, pa.ArrowInvalid) as exc:
                raise SinkWriteError(tp[0], tp[1], chunk.index, path, exc) from exc
            if not pc.all(pc.is_in(offsets, value_set=held)).as_py():
                kept.add(path)  # holds rows the chunk has not been given again yet
                continue
            remove_durably(path)
            self.stats.superseded_removed += 1
            log.info("superseded chunk file removed",
                     extra={"topic": tp[0], "partition": tp[1], "chunk": chunk.index, "path": str(path),
                            "rows": len(offsets)})
        return kept


def _one_row_per_offset(table: pa.Table, offset_column: str) -> pa.Table:
    """`table` sorted by offset with one row per offset: files of one chunk may overlap on disk
    (see the module docstring), and a record's row is the same in each of them."""
    table = table.sort_by([(offset_column, "ascending")])
    offsets = table[offset_column]
    if pc.count_distinct(offsets).as_py() == table.num_rows:
        return table
    values = offsets.to_pylist()
    first = [0] + [i for i in range(1, len(values)) if values[i] != values[i - 1]]
    return table.take(pa.array(first))
