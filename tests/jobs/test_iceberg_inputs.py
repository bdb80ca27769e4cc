"""The jobs read findings from the Iceberg table as well as from Parquet and write byte-identical
snapshot sets either way, incrementally by snapshot (and unchanged by a compaction)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pyiceberg")

from contracts.batch import convert_batch  # noqa: E402
from contracts.schema import FINDING_SCHEMA  # noqa: E402
from jobs.window import JobPaths, JobRunner  # noqa: E402
from sinks.chunk_sink import ChunkSink  # noqa: E402
from sinks.iceberg_maintenance import compact  # noqa: E402
from sinks.iceberg_sink import IcebergSink  # noqa: E402
from sinks.iceberg_tables import FINDINGS, ensure_table, open_catalog  # noqa: E402
from streams.processor import Incoming, Processor  # noqa: E402
from tools.stress.generator import generate  # noqa: E402

GRID = 500  # the stream's --chunk-records, the same for both sinks


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.json"))}


def _sinks(tmp: Path) -> tuple[Processor, Processor]:
    parquet = Processor("finding", convert_batch, ChunkSink(tmp / "findings", FINDING_SCHEMA, chunk_records=GRID),
                        lambda d: None)
    catalog = open_catalog(tmp / "iceberg")
    ice = Processor("finding", convert_batch,
                    IcebergSink(lambda: ensure_table(catalog, FINDINGS), FINDING_SCHEMA, commit_rows=GRID),
                    lambda d: None)
    return parquet, ice


def _feed(procs: tuple[Processor, Processor], batches: list[tuple[int, list[Incoming]]]) -> None:
    for proc in procs:
        for partition, batch in batches:
            proc.process("raw", partition, batch)
        proc.sink.flush_open()


def test_snapshots_byte_identical_from_parquet_and_iceberg(tmp_path: Path) -> None:
    msgs = list(generate(3000, seed=71, invalid_share=0.02))
    items = [Incoming(i % 1500, m.value) for i, m in enumerate(msgs)]
    step1 = [(p, items[p * 1500 + i : p * 1500 + i + 250]) for p in (0, 1) for i in range(0, 750, 250)]
    step2 = [(p, items[p * 1500 + i : p * 1500 + i + 250]) for p in (0, 1) for i in range(750, 1500, 250)]
    procs = _sinks(tmp_path)

    def paths(out: str, iceberg: bool) -> JobPaths:
        return JobPaths(tmp_path / "findings", tmp_path / "scans", tmp_path / out,
                        iceberg_dir=tmp_path / "iceberg" if iceberg else None)

    live = JobRunner(paths("snap_ice_live", True), threads=1)
    _feed(procs, step1)
    first = live.run_window()
    assert first.error is None and first.tenants_written
    again = live.run_window()  # the same snapshot: nothing loaded, nothing written
    assert again.files_loaded == 0 and not again.tenants_written
    _feed(procs, step2)
    assert live.run_window().tenants_written
    # a compaction rewrites files, not rows: the next window loads nothing
    compact(ensure_table(open_catalog(tmp_path / "iceberg"), FINDINGS), FINDINGS)
    assert not live.run_window().tenants_written

    batch_parquet = JobRunner(paths("snap_parquet", False), threads=1)
    assert batch_parquet.run_window().tenants_written
    batch_ice = JobRunner(paths("snap_ice_batch", True), threads=1)
    assert batch_ice.run_window().tenants_written

    want = _tree(tmp_path / "snap_parquet")
    assert want and any(name.endswith("summary.json") for name in want)
    assert _tree(tmp_path / "snap_ice_batch") == want
    # and the incremental runner, window by window over snapshots, ends where one batch run is
    assert _tree(tmp_path / "snap_ice_live") == want
