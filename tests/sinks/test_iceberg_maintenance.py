"""`finops iceberg compact` underneath: a partition's small files become one with the same rows,
old snapshots expire, and the stream's offsets survive both (a restarted worker adds nothing)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import fastavro
import pytest

pytest.importorskip("pyiceberg")

from contracts.batch import convert_batch  # noqa: E402
from contracts.schema import FINDING_SCHEMA, SORT_KEY  # noqa: E402
from finops.cli import main as finops_main  # noqa: E402
from sinks.iceberg_maintenance import (  # noqa: E402
    compact,
    expire,
    partition_files,
    remove_orphan_files,
    remove_orphan_metadata,
)
from sinks.iceberg_sink import IcebergSink  # noqa: E402
from sinks.iceberg_tables import FINDINGS, committed_offsets, ensure_table, open_catalog, read_table  # noqa: E402
from streams.processor import Incoming, Processor  # noqa: E402
from tools.stress.generator import generate  # noqa: E402

TOPIC = "raw"


def _feed(root: Path, batches: list[list[Incoming]], partition: int = 0) -> IcebergSink:
    catalog = open_catalog(root)
    sink = IcebergSink(lambda: ensure_table(catalog, FINDINGS), FINDING_SCHEMA, commit_rows=10**9)
    proc = Processor("finding", convert_batch, sink, lambda d: None)
    for batch in batches:
        proc.process(TOPIC, partition, batch)
        sink.flush_open()  # one commit per batch: small files, many snapshots
    return sink


def _batches(n: int, size: int) -> list[list[Incoming]]:
    msgs = list(generate(n, seed=61, invalid_share=0.02))
    items = [Incoming(i, m.value) for i, m in enumerate(msgs)]
    return [items[i : i + size] for i in range(0, n, size)]


def test_compact_rewrites_small_files_keeps_rows_and_offsets(tmp_path: Path) -> None:
    batches = _batches(1200, 100)
    _feed(tmp_path, batches)
    table = ensure_table(open_catalog(tmp_path), FINDINGS)
    order = [(k, "ascending") for k in SORT_KEY]
    rows_before = read_table(table, FINDING_SCHEMA).sort_by(order)
    files_before = partition_files(table)
    snapshots_before = len(table.snapshots())
    assert max(files_before.values()) >= 10 and snapshots_before == 12

    results = compact(table, FINDINGS, min_files=2)
    table.refresh()
    assert {(r.tenant_id, r.day) for r in results} == set(files_before)
    assert all(n == 1 for n in partition_files(table).values())
    assert sum(r.rows for r in results) == rows_before.num_rows
    assert read_table(table, FINDING_SCHEMA).sort_by(order).equals(rows_before)
    assert committed_offsets(table, TOPIC) == {0: 1200}

    time.sleep(0.01)
    expired = expire(table, older_than=datetime.now(UTC))
    table.refresh()
    assert expired >= snapshots_before and len(table.snapshots()) <= 2
    assert committed_offsets(table, TOPIC) == {0: 1200}
    on_disk = sorted(tmp_path.rglob("*.parquet"))
    live = {t.file.file_path.removeprefix("file://") for t in table.scan().plan_files()}
    assert len(on_disk) > len(live)  # the small files are still there, unreferenced
    assert remove_orphan_files(table, datetime.now(UTC)) == len(on_disk) - len(live)
    assert {str(p) for p in tmp_path.rglob("*.parquet")} == live
    assert read_table(table, FINDING_SCHEMA).sort_by(order).equals(rows_before)

    meta_dir = Path(table.location().removeprefix("file://")) / "metadata"
    meta_before = {str(p) for p in meta_dir.iterdir()}
    removed = remove_orphan_metadata(table, datetime.now(UTC))
    meta_after = {str(p) for p in meta_dir.iterdir()}
    assert removed == len(meta_before - meta_after) and removed >= snapshots_before  # expired manifests went
    assert meta_after == _metadata_walked(table.metadata_location)  # exactly what the table needs is left
    reopened = ensure_table(open_catalog(tmp_path), FINDINGS)
    assert read_table(reopened, FINDING_SCHEMA).sort_by(order).equals(rows_before)
    for snapshot in reopened.snapshots():  # every remaining snapshot still reads
        reopened.scan(snapshot_id=snapshot.snapshot_id).to_arrow()
    # a worker restarted from offset 0 (the group never committed) adds nothing twice
    again = _feed(tmp_path, batches)
    assert again.stats.rows_skipped == rows_before.num_rows and again.stats.rows_written == 0
    assert read_table(ensure_table(open_catalog(tmp_path), FINDINGS), FINDING_SCHEMA).num_rows == rows_before.num_rows


def _metadata_walked(metadata_location: str) -> set[str]:
    """The metadata files a table needs, found from its metadata.json by reading the files
    themselves (JSON, then the manifest lists' Avro), independently of pyiceberg."""
    path = metadata_location.removeprefix("file://")
    meta = json.loads(Path(path).read_text())
    files = {path} | {e["metadata-file"].removeprefix("file://") for e in meta.get("metadata-log", [])}
    for snapshot in meta.get("snapshots", []):
        manifest_list = snapshot["manifest-list"].removeprefix("file://")
        files.add(manifest_list)
        with open(manifest_list, "rb") as fh:
            files.update(r["manifest_path"].removeprefix("file://") for r in fastavro.reader(fh))
    return files


def test_compact_command_one_partition(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _feed(tmp_path, _batches(600, 100))
    table = ensure_table(open_catalog(tmp_path), FINDINGS)
    files = partition_files(table)
    (tenant, day), n = max(files.items(), key=lambda kv: kv[1])
    assert n > 1
    code = finops_main(["iceberg", "compact", "--iceberg-dir", str(tmp_path), "--tenant", tenant, "--day", day,
                        "--expire-older-than", "0"])
    assert code == 0
    table.refresh()
    after = partition_files(table)
    assert after[(tenant, day)] == 1
    assert {k: v for k, v in after.items() if k != (tenant, day)} == {
        k: v for k, v in files.items() if k != (tenant, day)}
    out = capsys.readouterr().out
    assert f"{tenant} {day}: {n} -> 1 files" in out
    assert "metadata files the table no longer needs" in out
    assert committed_offsets(table, TOPIC) == {0: 600}
