"""A consumed batch whose offsets go back inside it, as its ascending runs.

Why: after a rebalance an engine may hand over, in one batch, events it fetched before the
rebalance followed by the same partition fetched again from the committed offset (faust: events a
batch took from the queue before the revocation, then those of the seek). Each sink must take
such a batch as if its runs had come as separate batches, in order."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pyarrow as pa

log = logging.getLogger(__name__)


def goes_back(offsets: Sequence[int]) -> bool:
    return any(b <= a for a, b in zip(offsets, offsets[1:], strict=False))


def ascending_runs(
    topic: str, partition: int, offsets: Sequence[int], table: pa.Table, offset_column: str
) -> list[tuple[list[int], pa.Table]]:
    """The runs of ascending `offsets`, each with its rows of `table` (the valid records among the
    offsets, in batch order). An offset's verdict never changes, so a run's rows are the
    consecutive rows with ascending offsets of that run."""
    runs: list[list[int]] = []
    start = 0
    for i in range(1, len(offsets)):
        if offsets[i] <= offsets[i - 1]:
            runs.append(list(offsets[start:i]))
            start = i
    runs.append(list(offsets[start:]))
    log.info("re-delivery within a batch: taken as runs",
             extra={"topic": topic, "partition": partition, "runs": len(runs), "offsets": len(offsets)})
    col = table[offset_column].to_pylist() if table.num_rows else []
    out: list[tuple[list[int], pa.Table]] = []
    pos = 0
    for run in runs:
        members, begin, prev = set(run), pos, -1
        while pos < len(col) and col[pos] in members and col[pos] > prev:
            prev = col[pos]
            pos += 1
        out.append((run, table.slice(begin, pos - begin)))
    if pos != len(col):
        raise ValueError(f"{topic}[{partition}]: batch rows do not follow its offsets (row {pos}: {col[pos]})")
    return out
