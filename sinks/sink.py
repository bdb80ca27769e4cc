"""What a stream sink offers the engines: the interface `ChunkSink` (Parquet) and `IcebergSink`
both implement, so the engines' commit logic (offsets only after `Committable`) is one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import pyarrow as pa

from sinks.chunk_sink import Committable


class Sink(Protocol):
    schema: pa.Schema
    stats: Any  # has files_written and rows_written

    def add(self, topic: str, partition: int, offsets: Sequence[int], table: pa.Table) -> list[Committable]:
        """Take a consumed batch (every offset, the valid rows); return what became durable."""
        ...

    def flush_open(self, skip: Callable[[str, int, int], bool] | None = None) -> list[Committable]:
        """Make what is open durable; `skip(topic, partition, offset)` true: that partition's open
        part (ending at `offset`) may wait (ChunkSink: see there; a sink may ignore it)."""
        ...

    def finish(self) -> list[Committable]: ...

    def drop_partition(self, topic: str, partition: int) -> None: ...

    def open_partitions(self) -> list[tuple[str, int]]: ...

    def take_seeks(self) -> dict[tuple[str, int], int]:
        """Partitions the engine must seek back to the given offset: batches came past a gap the
        sink will not leave (IcebergSink); each request is handed out once."""
        ...
