"""Deterministic, change-aware Parquet writing for the CUR outputs.

Pinned writer options and a fixed row-group size make equal rows give equal bytes. The file is
written under a temporary name and renamed over the target only when its bytes differ, so an
unchanged month (or findings file) is never rewritten and a crash never leaves half a file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_ROWS = 256 * 1024


def write_if_changed(
    batches: Iterable[pa.RecordBatch] | pa.Table, target: Path, schema: pa.Schema
) -> bool:
    """Write `batches` cast to `schema`; returns whether `target` changed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    if isinstance(batches, pa.Table):
        batches = batches.to_batches(max_chunksize=ROW_GROUP_ROWS)
    with pq.ParquetWriter(
        tmp,
        schema,
        compression="zstd",
        compression_level=3,
        version="2.6",
        use_dictionary=True,
        write_statistics=True,
    ) as writer:
        pending: list[pa.Table] = []
        rows = 0
        for batch in batches:  # re-chunk so row groups never depend on the reader's batch sizes
            pending.append(pa.Table.from_batches([batch]).cast(schema))
            rows += batch.num_rows
            if rows >= ROW_GROUP_ROWS:
                table = pa.concat_tables(pending)
                full = ROW_GROUP_ROWS * (rows // ROW_GROUP_ROWS)
                writer.write_table(table.slice(0, full), row_group_size=ROW_GROUP_ROWS)
                pending, rows = [table.slice(full)], rows - full
        if rows:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)
    if target.exists() and _digest(target) == _digest(tmp):
        tmp.unlink()
        return False
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return True


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
