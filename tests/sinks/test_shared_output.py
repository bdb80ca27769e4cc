"""Many workers, one output directory: the races that lost committed rows, forced deterministically.

- a peer starting up must not delete a live writer's temporary file (its rename would fail);
- a chunk counts as written only after every rename succeeded; a failed write raises and keeps its
  offsets out of the committables until a later write succeeds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import sinks.parquet_format as parquet_format
from contracts.cast import Provenance, rows_to_table, to_row
from contracts.schema import FINDING_SCHEMA
from schemas.wire import Decoder
from sinks.chunk_sink import ChunkSink, Committable, SinkWriteError
from streams.dead_letter import DeadLetter
from streams.processor import processor_for
from tools.stress.generator import generate
from tools.stress.harness import tree_digest

TOPIC = "raw"


def rows(n: int, partition: int = 0, seed: int = 3) -> list[dict[str, Any]]:
    dec = Decoder()
    return [
        to_row(dec.decode(m.value)[1], Provenance(TOPIC, partition, off))
        for off, m in enumerate(generate(n, seed=seed, invalid_share=0.0))
    ]


def add(sink: ChunkSink, data: list[dict[str, Any]], partition: int = 0) -> list[Committable]:
    return sink.add(TOPIC, partition, [r["source_offset"] for r in data], rows_to_table(data))


def stored_offsets(root: Path, partition: int = 0) -> list[int]:
    out: list[int] = []
    for p in sorted(root.rglob(f"{TOPIC}+{partition}+*.parquet")):
        out += pq.read_table(p, columns=["source_offset"])["source_offset"].to_pylist()
    return sorted(out)


def temporaries(root: Path) -> list[Path]:
    return sorted(root.rglob(f"{parquet_format.TMP_PREFIX}*{parquet_format.TMP_SUFFIX}"))


def test_a_peer_starting_up_leaves_a_live_writers_temporary_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "shared"
    writer = ChunkSink(root, FINDING_SCHEMA, chunk_records=100)
    real_write = parquet_format.pq.write_table
    peer_started: list[int] = []
    dead: list[DeadLetter] = []

    def write_then_peer_starts(*args: Any, **kwargs: Any) -> None:
        real_write(*args, **kwargs)  # the temporary is on disk, not yet renamed
        if not peer_started:
            assert temporaries(root), "the writer's temporary should exist mid-write"
            # a second worker of the group starts on the same directory and takes partition 1
            peer = processor_for("finding", root, 100, dead.append)
            peer_started.append(len(add(peer.sink, rows(30, partition=1), partition=1)))

    monkeypatch.setattr(parquet_format.pq, "write_table", write_then_peer_starts)
    data = rows(60)
    add(writer, data)
    assert writer.flush_open() == [Committable(TOPIC, 0, 59)]  # the rename succeeded
    assert peer_started == [0]
    assert stored_offsets(root) == list(range(60))
    assert not temporaries(root)


def test_only_abandoned_temporaries_of_a_taken_over_partition_are_removed(tmp_path: Path) -> None:
    root = tmp_path / "shared"
    day = root / "tenant_id=acme" / "dt=2026-11-01"
    day.mkdir(parents=True)
    old = time.time() - 60
    abandoned = day / f".{TOPIC}+0+0000000000000000000.parquet.deadhost-1-0badc0de.tmp"
    peer_partition = day / f".{TOPIC}+1+0000000000000000000.parquet.peerhost-1-12345678.tmp"
    prefix_lookalike = day / f".{TOPIC}+10+0000000000000000000.parquet.peerhost-1-12345678.tmp"
    for p in (abandoned, peer_partition, prefix_lookalike):
        p.write_bytes(b"half a file")
        os.utime(p, (old, old))
    still_written = day / f".{TOPIC}+0+0000000000000000100.parquet.zombie-7-87654321.tmp"
    still_written.write_bytes(b"being written")
    future = time.time() + 60  # modified after the take-over: not provably abandoned
    os.utime(still_written, (future, future))

    sink = ChunkSink(root, FINDING_SCHEMA, chunk_records=100)
    add(sink, rows(10))
    assert not abandoned.exists()
    assert peer_partition.exists() and prefix_lookalike.exists() and still_written.exists()
    assert sink.stats.temporaries_removed == 1
    # the partition is cleaned once per ownership, again only after a revocation
    abandoned.write_bytes(b"x")
    os.utime(abandoned, (old, old))
    sink.add(TOPIC, 0, [10], FINDING_SCHEMA.empty_table())
    assert abandoned.exists()
    sink.drop_partition(TOPIC, 0)
    sink.add(TOPIC, 0, [0], FINDING_SCHEMA.empty_table())
    assert not abandoned.exists()


def _fail_replace(monkeypatch: pytest.MonkeyPatch, *, on_call: int, delete_temporary: bool) -> list[int]:
    """os.replace in the Parquet writer fails on its `on_call`-th call (1-based), once: either a
    plain OSError or, as when a peer deleted the temporary, FileNotFoundError from a real rename."""
    real_replace = os.replace
    calls = [0]

    def replace(src: Any, dst: Any) -> None:
        calls[0] += 1
        if calls[0] == on_call:
            if delete_temporary:
                os.unlink(src)
                real_replace(src, dst)  # raises FileNotFoundError, as the lost race did
            raise OSError(28, "No space left on device (injected)")
        real_replace(src, dst)

    monkeypatch.setattr(parquet_format.os, "replace", replace)
    return calls


@pytest.mark.parametrize("delete_temporary", [False, True], ids=["rename-fails", "temporary-deleted"])
def test_a_failed_flush_hands_back_no_offsets_and_the_next_rewrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, delete_temporary: bool
) -> None:
    sink = ChunkSink(tmp_path, FINDING_SCHEMA, chunk_records=100)
    add(sink, rows(50))
    _fail_replace(monkeypatch, on_call=1, delete_temporary=delete_temporary)
    with pytest.raises(SinkWriteError, match=rf"{TOPIC}\[0\] chunk 0: writing .*{TOPIC}\+0\+0+\.parquet failed"):
        sink.flush_open()
    assert stored_offsets(tmp_path) == [] and not temporaries(tmp_path)
    # the chunk was not marked written: the next flush writes it and only then commits
    assert sink.flush_open() == [Committable(TOPIC, 0, 49)]
    assert stored_offsets(tmp_path) == list(range(50))


def test_a_chunk_with_one_failed_file_of_several_is_rewritten_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = rows(100)  # three tenants: three files per chunk
    ref = ChunkSink(tmp_path / "ref", FINDING_SCHEMA, chunk_records=100)
    add(ref, data)
    assert len(tree_digest(tmp_path / "ref")) == 3

    sink = ChunkSink(tmp_path / "live", FINDING_SCHEMA, chunk_records=100)
    add(sink, data[:70])
    sink.flush_open()  # provisional files of offsets 0..69
    _fail_replace(monkeypatch, on_call=2, delete_temporary=True)  # the second of three renames
    with pytest.raises(SinkWriteError):
        add(sink, data[70:])  # completes the chunk: its write fails half way
    # not marked written: the next flush rewrites every file of it, and only then commits
    assert sink.flush_open() == [Committable(TOPIC, 0, 99)]
    assert tree_digest(tmp_path / "live") == tree_digest(tmp_path / "ref")
    assert not temporaries(tmp_path)


@pytest.mark.parametrize("back_to", [40, 95, 100, 0], ids=["same-chunk", "previous-chunk", "chunk-start", "offset-0"])
def test_a_re_delivery_is_stored_once(tmp_path: Path, back_to: int) -> None:
    """After a rebalance the consumer re-reads from its committed offset, and a revoked generation's
    late events may arrive in between: the open chunk must not hold those rows twice."""
    data = rows(230)
    ref = ChunkSink(tmp_path / "ref", FINDING_SCHEMA, chunk_records=100)
    add(ref, data)
    ref.finish()

    sink = ChunkSink(tmp_path / "live", FINDING_SCHEMA, chunk_records=100)
    add(sink, data[:150])
    sink.flush_open()
    add(sink, data[back_to:180])  # delivered again from back_to
    add(sink, data[180:])
    sink.finish()
    assert stored_offsets(tmp_path / "live") == list(range(230))
    assert tree_digest(tmp_path / "live") == tree_digest(tmp_path / "ref")


@pytest.mark.parametrize("second", [(40, 80), (95, 180)], ids=["same-chunk", "back-into-the-previous-chunk"])
def test_a_re_delivery_inside_one_batch_is_stored_once(tmp_path: Path, second: tuple[int, int]) -> None:
    """One batch may hold events buffered before a rebalance and the same offsets fetched again."""
    data = rows(230)
    ref = ChunkSink(tmp_path / "ref", FINDING_SCHEMA, chunk_records=100)
    add(ref, data)
    ref.finish()

    sink = ChunkSink(tmp_path / "live", FINDING_SCHEMA, chunk_records=100)
    add(sink, data[:120])
    sink.flush_open()
    lo, hi = second
    batch = data[120:150] + data[lo:hi]  # 120..149, then lo..hi-1 again
    done = sink.add(TOPIC, 0, [r["source_offset"] for r in batch], rows_to_table(batch))
    # the consumer is now at hi: nothing at or past it may be committable yet
    assert all(c.through_offset < hi for c in done + sink.flush_open())
    add(sink, data[hi:])  # and it goes on from there
    sink.finish()
    assert stored_offsets(tmp_path / "live") == list(range(230))
    assert tree_digest(tmp_path / "live") == tree_digest(tmp_path / "ref")
