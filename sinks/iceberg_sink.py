"""Micro-batches of a topic appended to an Iceberg table: exactly-once results from at-least-once
delivery, with the same interface as the Parquet `ChunkSink` (add / flush_open / finish /
drop_partition), so both stream engines and their commit logic run unchanged.

Exactly once, as the Kafka Connect Iceberg sink does it: each table commit carries in its snapshot
summary the next Kafka offset of every partition the table holds (`sinks.iceberg_tables`), in the
same atomic commit as the rows. Only after that commit are the offsets returned as committable, so
the consumer-group commit follows the table commit. A worker that takes over a partition (start,
crash, rebalance) reads the table's offset for it and drops rows below it: they are in the table
already. Invalid records are still re-processed (their dead letters are re-sent; the dead-letter
topic is compacted by source offset, so they collapse).

Several workers of one group append to one table: Iceberg commits are optimistic, so a commit that
lost the race (`CommitFailedException`) reloads the table, re-reads its offsets (dropping rows a
previous owner of a partition committed meanwhile) and tries again.

A batch past a gap (ahead of the next offset the table needs) is never taken: it would leave a hole.
The sink asks the engine to seek the partition back to that offset (`take_seeks`): after a rebalance
a consumer may go on from where its fetcher stood rather than from the committed offset (faust:
records fetched before the rebalance, still in its fetch iterator, move its read position past the
seek), and without the seek that partition would wait for good.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from sinks.chunk_sink import DEFAULT_CHUNK_RECORDS, Committable
from sinks.iceberg_tables import CHUNK_RECORDS_KEY, committed_offsets, offsets_key
from sinks.offset_runs import ascending_runs, goes_back

if TYPE_CHECKING:
    from pyiceberg.table import Table

log = logging.getLogger(__name__)

MAX_COMMIT_ATTEMPTS = 30


@dataclass
class _Pending:
    tables: list[pa.Table] = field(default_factory=list)
    rows: int = 0
    last_offset: int = -1


@dataclass
class IcebergSinkStats:
    files_written: int = 0  # data files added by the sink's commits
    rows_written: int = 0
    commits: int = 0
    commit_retries: int = 0
    rows_skipped: int = 0  # re-delivered rows the table already held
    batches_ignored: int = 0  # batches past a gap (left over from before a rebalance)
    seeks_requested: int = 0  # partitions sent back to the offset the table needs next


class IcebergSink:
    def __init__(
        self,
        table_loader: Callable[[], Table],
        schema: pa.Schema,
        *,
        commit_rows: int = DEFAULT_CHUNK_RECORDS,
        offset_column: str = "source_offset",
        partition_column: str = "source_partition",
        max_attempts: int = MAX_COMMIT_ATTEMPTS,
    ) -> None:
        if commit_rows < 1:
            raise ValueError("commit_rows must be >= 1")
        self._load = table_loader
        self._table: Table | None = None
        self.schema = schema
        self.commit_rows = commit_rows
        self.offset_column = offset_column
        self.partition_column = partition_column
        self.max_attempts = max_attempts
        self.stats = IcebergSinkStats()
        self._pending: dict[tuple[str, int], _Pending] = {}
        self._floors: dict[tuple[str, int], int] = {}  # next offset the table holds, per owned partition
        self._topic_known: dict[str, bool] = {}  # does the table hold offsets of the topic at all
        self._seeks: dict[tuple[str, int], int] = {}  # partition -> offset the consumer must go back to
        self._pending_rows = 0

    @property
    def table(self) -> Table:
        if self._table is None:
            self._table = self._load()
        return self._table

    def add(self, topic: str, partition: int, offsets: Sequence[int], table: pa.Table) -> list[Committable]:
        """Take one consumed batch of a partition (every offset consumed, the valid rows among them).
        Returns what became committable: everything pending, once a commit was due."""
        if not offsets:
            return []
        if table.schema != self.schema:
            raise ValueError(f"{topic}[{partition}]: batch schema differs from the sink schema")
        if goes_back(offsets):  # events fetched before a rebalance, then the seek's: run by run
            taken: list[Committable] = []
            for run, part in ascending_runs(topic, partition, offsets, table, self.offset_column):
                taken += self.add(topic, partition, run, part)
            return taken
        tp = (topic, partition)
        pending = self._pending.get(tp)
        if pending is not None and offsets[0] <= pending.last_offset:
            # delivered again from an earlier offset (a seek after a rebalance): what is pending
            # comes again, so start over from the table's offset
            log.warning("partition re-delivered from an earlier offset; pending rows dropped",
                        extra={"topic": topic, "partition": partition, "offset": offsets[0],
                               "pending_through": pending.last_offset})
            self.drop_partition(topic, partition)
            pending = None
        floor = self._floor(tp)
        expected = pending.last_offset + 1 if pending is not None else floor
        if offsets[0] > expected and (pending is not None or self._topic_known.get(topic, False)):
            # offsets ahead of the next one the table needs (events left from before a rebalance):
            # taking them would leave a hole; the engine seeks the consumer back to `expected`
            log.warning("batch past a gap ignored; seek requested",
                        extra={"topic": topic, "partition": partition, "offset": offsets[0], "expected": expected})
            self.stats.batches_ignored += 1
            self.stats.seeks_requested += 1
            self._seeks[tp] = expected
            return []
        self._seeks.pop(tp, None)  # the consumer delivers what is needed
        if table.num_rows and floor > offsets[0]:
            kept = table.filter(pc.greater_equal(table[self.offset_column], floor))
            self.stats.rows_skipped += table.num_rows - kept.num_rows
            table = kept
        if pending is None:
            pending = self._pending[tp] = _Pending()
        if table.num_rows:
            pending.tables.append(table)
            pending.rows += table.num_rows
            self._pending_rows += table.num_rows
        pending.last_offset = offsets[-1]
        if self._pending_rows >= self.commit_rows:
            return self._commit()
        return []

    def flush_open(self, skip: Callable[[str, int, int], bool] | None = None) -> list[Committable]:
        """Commit everything pending (visibility when idle, and under steady input); `skip` is
        ignored: one table commit covers all partitions, nothing is rewritten."""
        return self._commit()

    def finish(self) -> list[Committable]:
        return self._commit()

    def drop_partition(self, topic: str, partition: int) -> None:
        """Partition revoked: forget its pending rows (uncommitted; the new owner re-reads them) and
        its table offset (re-read on the next assignment)."""
        pending = self._pending.pop((topic, partition), None)
        if pending is not None:
            self._pending_rows -= pending.rows
        self._floors.pop((topic, partition), None)
        self._seeks.pop((topic, partition), None)

    def open_partitions(self) -> list[tuple[str, int]]:
        return sorted(self._pending)

    def take_seeks(self) -> dict[tuple[str, int], int]:
        """Partitions the consumer must seek back, and to which offset (the next one the table
        needs); each request is handed out once."""
        seeks, self._seeks = self._seeks, {}
        return seeks

    def _floor(self, tp: tuple[str, int]) -> int:
        if tp not in self._floors:
            table = self.table
            table.refresh()
            held = committed_offsets(table, tp[0])
            self._floors[tp] = held.get(tp[1], 0)
            self._topic_known[tp[0]] = bool(held)
            if self._floors[tp]:
                log.info(
                    "partition resumed from the table",
                    extra={"topic": tp[0], "partition": tp[1], "table_offset": self._floors[tp],
                           "table": self.table.name()},
                )
        return self._floors[tp]

    def _commit(self) -> list[Committable]:
        if not self._pending:
            return []
        pending = sorted(self._pending.items())
        if any(p.last_offset >= self._floors.get(tp, 0) for tp, p in pending):
            self._append(pending)  # rows, or only offsets (a stretch of invalid records)
        self._pending.clear()
        self._pending_rows = 0
        done = []
        for tp, p in pending:
            self._floors[tp] = max(self._floors.get(tp, 0), p.last_offset + 1)
            done.append(Committable(tp[0], tp[1], p.last_offset))
        return done

    def _append(self, pending: list[tuple[tuple[str, int], _Pending]]) -> None:
        from pyiceberg.exceptions import CommitFailedException
        from sqlalchemy.exc import OperationalError

        table = self.table
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                table.refresh()
            data, properties, advances = self._rows_and_offsets(table, pending)
            if not advances:  # a previous owner committed all of it meanwhile
                return
            before = table.current_snapshot()
            try:
                table.append(data, snapshot_properties=properties)
            except (CommitFailedException, OperationalError) as exc:
                # another worker committed first (or held the SQLite lock): reload and retry
                self.stats.commit_retries += 1
                if attempt == self.max_attempts:
                    raise RuntimeError(
                        f"{table.name()}: commit failed {attempt} times; last: {exc}"
                    ) from exc
                log.info("iceberg commit conflict, retrying",
                         extra={"table": table.name(), "attempt": attempt, "error": str(exc)[:200]})
                time.sleep(random.uniform(0.01, 0.05) * attempt)
                continue
            snapshot = table.current_snapshot()
            added = 0
            if snapshot is not None and snapshot is not before and snapshot.summary is not None:
                added = int(snapshot.summary.additional_properties.get("added-data-files", 0))
            self.stats.commits += 1
            self.stats.files_written += added
            self.stats.rows_written += data.num_rows
            log.debug("iceberg commit", extra={"table": table.name(), "rows": data.num_rows, "files": added,
                                                "attempt": attempt})
            return

    def _rows_and_offsets(
        self, table: Table, pending: list[tuple[tuple[str, int], _Pending]]
    ) -> tuple[pa.Table, dict[str, str], bool]:
        """The pending rows the table does not hold yet, the merged offsets for the commit, and
        whether the commit moves any offset forward."""
        held: dict[str, dict[int, int]] = {}
        advances = False
        parts: list[pa.Table] = []
        for (topic, partition), p in pending:
            offsets = held.setdefault(topic, committed_offsets(table, topic))
            floor = offsets.get(partition, 0)
            if p.rows:
                rows = pa.concat_tables(p.tables)
                if floor > 0:
                    rows = rows.filter(pc.greater_equal(rows[self.offset_column], floor))
                if rows.num_rows:
                    parts.append(rows)
            advances = advances or p.last_offset + 1 > floor
            offsets[partition] = max(floor, p.last_offset + 1)
        data = pa.concat_tables(parts) if parts else self.schema.empty_table()
        data = data.sort_by([(self.partition_column, "ascending"), (self.offset_column, "ascending")])
        properties = {
            offsets_key(topic): json.dumps({str(p): o for p, o in sorted(offsets.items())}, separators=(",", ":"))
            for topic, offsets in held.items()
        }
        properties[CHUNK_RECORDS_KEY] = str(self.commit_rows)
        return data, properties, advances
