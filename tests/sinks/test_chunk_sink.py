"""The offset-grid sink: the same files whatever the batching, resume after a crash, no dupes."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow.parquet as pq

from contracts.cast import Provenance, rows_to_table, to_row
from contracts.schema import FINDING_SCHEMA
from schemas.wire import Decoder
from sinks.chunk_sink import ChunkSink, Committable
from tools.stress.generator import generate
from tools.stress.harness import tree_digest

TOPIC = "raw"


def rows(n: int, seed: int = 3) -> list[dict]:
    dec = Decoder()
    out = []
    for off, m in enumerate(generate(n, seed=seed, invalid_share=0.0)):
        out.append(to_row(dec.decode(m.value)[1], Provenance(TOPIC, 0, off)))
    return out


def feed(sink: ChunkSink, all_rows: list[dict], batch_sizes: list[int], skip: set[int] = frozenset()) -> list[Committable]:
    done: list[Committable] = []
    i = 0
    sizes = iter(batch_sizes)
    while i < len(all_rows):
        size = next(sizes, 50)
        batch = all_rows[i : i + size]
        valid = [r for r in batch if r["source_offset"] not in skip]
        done += sink.add(TOPIC, 0, [r["source_offset"] for r in batch], rows_to_table(valid) if valid else FINDING_SCHEMA.empty_table())
        i += size
    return done


def test_files_do_not_depend_on_batching(tmp_path: Path) -> None:
    data = rows(530)
    a = ChunkSink(tmp_path / "a", FINDING_SCHEMA, chunk_records=100)
    feed(a, data, [530])
    a.finish()
    b = ChunkSink(tmp_path / "b", FINDING_SCHEMA, chunk_records=100)
    rnd = random.Random(1)
    feed(b, data, [rnd.randint(1, 120) for _ in range(100)])
    b.flush_open()  # a provisional write in between changes nothing in the end
    b.finish()
    da, db = tree_digest(tmp_path / "a"), tree_digest(tmp_path / "b")
    assert da and da == db
    total = sum(pq.read_metadata(tmp_path / "a" / p).num_rows for p in da)
    assert total == 530


def test_commits_only_complete_chunks_then_the_tail_on_flush(tmp_path: Path) -> None:
    sink = ChunkSink(tmp_path, FINDING_SCHEMA, chunk_records=100)
    done = feed(sink, rows(250), [250])
    assert done == [Committable(TOPIC, 0, 99), Committable(TOPIC, 0, 199)]
    assert sink.flush_open() == [Committable(TOPIC, 0, 249)]
    assert sink.flush_open() == []  # nothing new


def test_invalid_offsets_advance_the_grid(tmp_path: Path) -> None:
    data = rows(200)
    sink = ChunkSink(tmp_path, FINDING_SCHEMA, chunk_records=100)
    done = feed(sink, data, [200], skip={99, 150})
    assert done[0] == Committable(TOPIC, 0, 99)  # offset 99 was dead-lettered, chunk 0 still closes
    sink.finish()
    total = sum(pq.read_metadata(p).num_rows for p in tmp_path.rglob("*.parquet"))
    assert total == 198


def test_restart_mid_chunk_resumes_from_disk_identically(tmp_path: Path) -> None:
    data = rows(330)
    ref = ChunkSink(tmp_path / "ref", FINDING_SCHEMA, chunk_records=100)
    feed(ref, data, [330])
    ref.finish()

    first = ChunkSink(tmp_path / "crash", FINDING_SCHEMA, chunk_records=100)
    feed(first, data[:240], [240])
    committed = first.flush_open()[-1].through_offset  # 239 durable and committed
    # the "crashed" worker had also written past its commit point: simulate with a write of more rows
    feed(first, data[240:260], [20])
    first.flush_open()
    # a new worker resumes from the committed offset + 1
    second = ChunkSink(tmp_path / "crash", FINDING_SCHEMA, chunk_records=100)
    feed(second, data[committed + 1 :], [37] * 10)
    second.finish()
    assert second.stats.chunks_resumed == 1
    assert tree_digest(tmp_path / "ref") == tree_digest(tmp_path / "crash")


def test_drop_partition_forgets_uncommitted_rows(tmp_path: Path) -> None:
    sink = ChunkSink(tmp_path, FINDING_SCHEMA, chunk_records=100)
    feed(sink, rows(50), [50])
    sink.drop_partition(TOPIC, 0)
    assert sink.finish() == []
    assert not list(tmp_path.rglob("*.parquet"))


def test_flush_open_leaves_chunks_the_log_already_completes(tmp_path: Path) -> None:
    """The engines' periodic flush under input skips a chunk whose last offset is already in the
    log (it completes at reading speed): not written, not committed; the end result is the same."""
    data = rows(250)
    sink = ChunkSink(tmp_path / "skip", FINDING_SCHEMA, chunk_records=100)
    assert feed(sink, data[:150], [150]) == [Committable(TOPIC, 0, 99)]
    asked: list[tuple[str, int, int]] = []

    def in_log(topic: str, partition: int, offset: int) -> bool:
        asked.append((topic, partition, offset))
        return True

    assert sink.flush_open(skip=in_log) == []
    assert asked == [(TOPIC, 0, 199)]  # the open chunk's last offset
    assert not any((tmp_path / "skip").rglob("*+0000000000000000100.parquet"))
    assert sink.flush_open(skip=lambda *_: False) == [Committable(TOPIC, 0, 149)]
    feed(sink, data[150:], [100])
    sink.finish()
    plain = ChunkSink(tmp_path / "plain", FINDING_SCHEMA, chunk_records=100)
    feed(plain, data, [250])
    plain.finish()
    assert tree_digest(tmp_path / "skip") == tree_digest(tmp_path / "plain")


def stored_offsets(root: Path) -> tuple[int, int]:
    """(rows, distinct source offsets) over every file under `root`, counted by DuckDB."""
    import duckdb

    got = duckdb.sql(
        f"SELECT count(*), count(DISTINCT source_offset) FROM read_parquet('{root}/**/*.parquet')"
    ).fetchall()
    return int(got[0][0]), int(got[0][1])


def assert_one_clean_pass(tmp_path: Path, data: list[dict]) -> None:
    """`tmp_path/out` holds each of the 100 offsets once, in the very files one uninterrupted pass
    over `data` writes to `tmp_path/ref`."""
    assert stored_offsets(tmp_path / "out") == (100, 100)
    ref = ChunkSink(tmp_path / "ref", FINDING_SCHEMA, chunk_records=100)
    feed(ref, data, [100])
    ref.finish()
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "ref")


def test_rewind_below_a_chunk_started_mid_way_removes_its_superseded_files(tmp_path: Path) -> None:
    """A worker first handed events from the middle of a chunk (a run fetched before a rebalance,
    handed over late) writes that chunk's files named by those first offsets; the re-delivery from
    the chunk's start then rewrites the chunk under other names. The earlier files must go, or
    their rows are stored twice (a full-size two-worker crash run stored 97 rows twice so)."""
    data = rows(100)
    sink = ChunkSink(tmp_path / "out", FINDING_SCHEMA, chunk_records=100)
    feed(sink, data[37:61], [24])  # the late run, mid-chunk
    sink.flush_open()  # idle flush: files named by offsets >= 37
    feed(sink, data, [100])  # the seek back to the committed offset 0: the whole chunk again
    sink.finish()
    assert_one_clean_pass(tmp_path, data)


def test_resume_over_overlapping_files_keeps_each_offset_once(tmp_path: Path) -> None:
    """A chunk's files can overlap on disk (a worker killed between putting a chunk's new files in
    place and removing the ones they supersede). A worker resuming inside that chunk loads each
    offset once and leaves the chunk's canonical files only."""
    import shutil

    data = rows(100)
    late = ChunkSink(tmp_path / "late", FINDING_SCHEMA, chunk_records=100)
    feed(late, data[37:61], [24])
    late.flush_open()
    full = ChunkSink(tmp_path / "full", FINDING_SCHEMA, chunk_records=100)
    feed(full, data[:61], [61])
    full.flush_open()
    shutil.copytree(tmp_path / "late", tmp_path / "out")
    shutil.copytree(tmp_path / "full", tmp_path / "out", dirs_exist_ok=True)
    rows_on_disk, distinct = stored_offsets(tmp_path / "out")
    assert rows_on_disk > distinct  # the overlap this test is about
    resumed = ChunkSink(tmp_path / "out", FINDING_SCHEMA, chunk_records=100)
    feed(resumed, data[50:], [50])  # committed through 49
    resumed.finish()
    assert_one_clean_pass(tmp_path, data)
