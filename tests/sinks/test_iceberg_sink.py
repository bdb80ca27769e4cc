"""The Iceberg sink without a broker: table schema = the contract's Arrow schema, rows equal to the
Parquet sink's for the same input, offsets in the snapshot summary, a restarted owner skipping what
the table holds, and concurrent writers racing on one table (optimistic-commit retries)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

pytest.importorskip("pyiceberg")

from contracts.batch import convert_batch  # noqa: E402
from contracts.scan_schema import SCAN_SCHEMA  # noqa: E402
from contracts.schema import FINDING_SCHEMA, SORT_KEY  # noqa: E402
from sinks.chunk_sink import ChunkSink  # noqa: E402
from sinks.iceberg_sink import IcebergSink  # noqa: E402
from sinks.iceberg_tables import (  # noqa: E402
    FINDINGS,
    SCANS,
    committed_offsets,
    ensure_table,
    open_catalog,
    read_table,
)
from streams.dead_letter import DeadLetter  # noqa: E402
from streams.processor import Incoming, Processor  # noqa: E402
from tools.stress.generator import generate  # noqa: E402

TOPIC = "raw"


def _plain(t: pa.DataType) -> pa.DataType:
    """Arrow type with large_* variants mapped to the plain ones (pyiceberg reads large types)."""
    if pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_large_list(t) or pa.types.is_list(t):
        return pa.list_(_plain(t.value_type))
    if pa.types.is_map(t):
        return pa.map_(_plain(t.key_type), _plain(t.item_type))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _plain(f.type), f.nullable) for f in t])
    return t


@pytest.mark.parametrize("spec", [FINDINGS, SCANS], ids=lambda s: s.name)
def test_table_schema_agrees_with_the_contract_field_by_field(tmp_path: Path, spec) -> None:
    table = ensure_table(open_catalog(tmp_path), spec)
    got = table.schema().as_arrow()
    contract = FINDING_SCHEMA if spec is FINDINGS else SCAN_SCHEMA
    assert got.names == contract.names
    for name in contract.names:
        want, have = contract.field(name), got.field(name)
        assert have.nullable == want.nullable, name
        assert _plain(have.type) == _plain(want.type), name
    spec_fields = [(f.name, str(f.transform), table.schema().find_field(f.source_id).name) for f in table.spec().fields]
    assert spec_fields == [("tenant_id", "identity", "tenant_id"), ("dt", "day", spec.time_column)]


def _batches(n: int, seed: int, size: int, invalid_share: float = 0.05) -> list[list[Incoming]]:
    msgs = list(generate(n, seed=seed, invalid_share=invalid_share))
    items = [Incoming(i, m.value) for i, m in enumerate(msgs)]
    return [items[i : i + size] for i in range(0, len(items), size)]


def _iceberg_processor(root: Path, commit_rows: int) -> Processor:
    catalog = open_catalog(root)
    sink = IcebergSink(lambda: ensure_table(catalog, FINDINGS), FINDING_SCHEMA, commit_rows=commit_rows)
    return Processor("finding", convert_batch, sink, lambda d: None)


def _parquet_rows(root: Path) -> pa.Table:
    files = sorted(str(p) for p in root.rglob("*.parquet"))
    return duckdb.connect().sql(
        "select * from read_parquet($f, hive_partitioning=false) order by source_partition, source_offset",
        params={"f": files},
    ).to_arrow_table()


def test_same_rows_as_the_parquet_sink_and_offsets_in_the_snapshot(tmp_path: Path) -> None:
    letters: list[DeadLetter] = []
    parquet = Processor("finding", convert_batch, ChunkSink(tmp_path / "pq", FINDING_SCHEMA, chunk_records=500),
                        letters.append)
    ice = _iceberg_processor(tmp_path / "ice", commit_rows=700)
    for partition in (0, 1):
        for batch in _batches(2000, seed=partition + 3, size=300):
            parquet.process(TOPIC, partition, batch)
            ice.process(TOPIC, partition, batch)
    parquet.sink.finish()
    ice.sink.finish()

    table = ensure_table(open_catalog(tmp_path / "ice"), FINDINGS)
    got = read_table(table, FINDING_SCHEMA).sort_by([(k, "ascending") for k in SORT_KEY])
    want = _parquet_rows(tmp_path / "pq").cast(FINDING_SCHEMA)
    assert got.num_rows == want.num_rows == parquet.stats.valid > 3000
    assert got.equals(want)
    # the last commit's summary names the next offset of each partition: every consumed one
    assert committed_offsets(table, TOPIC) == {0: 2000, 1: 2000}
    summary = table.current_snapshot().summary.additional_properties
    assert json.loads(summary["finops.kafka.offsets.raw"]) == {"0": 2000, "1": 2000}
    # partitioned by tenant and day: one data file per (tenant, day) at least, none mixing two
    assert ice.sink.stats.files_written == int(summary["total-data-files"])
    files = duckdb.connect().execute(
        "select file_path, count(distinct tenant_id), count(distinct observed_at::date) "
        "from read_parquet($f, filename=file_path) group by 1",
        {"f": [t.file.file_path.removeprefix("file://") for t in table.scan().plan_files()]},
    ).fetchall()
    assert files and all(tenants == 1 and days == 1 for _, tenants, days in files)


def test_a_restarted_owner_skips_what_the_table_holds(tmp_path: Path) -> None:
    batches = _batches(1800, seed=21, size=200, invalid_share=0.0)
    first = _iceberg_processor(tmp_path, commit_rows=500)
    done = []
    for batch in batches[:5]:  # offsets 0..999, committed at 600 rows and ... pending after
        done += first.process(TOPIC, 0, batch)
    assert done and done[-1].through_offset == 599
    table_offsets = committed_offsets(ensure_table(open_catalog(tmp_path), FINDINGS), TOPIC)
    assert table_offsets == {0: 600}
    # crash: the group never committed (restart from offset 0); the rows 600..999 were never in the table
    second = _iceberg_processor(tmp_path, commit_rows=500)
    for batch in batches:
        second.process(TOPIC, 0, batch)
    second.sink.finish()
    assert second.sink.stats.rows_skipped == 600
    rows = read_table(ensure_table(open_catalog(tmp_path), FINDINGS), FINDING_SCHEMA)
    offsets = rows["source_offset"].to_pylist()
    assert sorted(offsets) == list(range(1800))


def test_concurrent_writers_retry_conflicts_and_a_zombie_adds_nothing_twice(tmp_path: Path) -> None:
    catalog_a, catalog_b = open_catalog(tmp_path), open_catalog(tmp_path)
    a = IcebergSink(lambda: ensure_table(catalog_a, FINDINGS), FINDING_SCHEMA, commit_rows=10**9)
    b = IcebergSink(lambda: ensure_table(catalog_b, FINDINGS), FINDING_SCHEMA, commit_rows=10**9)
    proc_a = Processor("finding", convert_batch, a, lambda d: None)
    proc_b = Processor("finding", convert_batch, b, lambda d: None)
    p0 = _batches(900, seed=31, size=300, invalid_share=0.0)
    p1 = _batches(900, seed=32, size=300, invalid_share=0.0)
    proc_a.process(TOPIC, 0, p0[0])
    proc_b.process(TOPIC, 1, p1[0])
    # both hold a table loaded before either commit: the second to commit must retry
    assert a.flush_open() and b.flush_open()
    assert a.stats.commit_retries + b.stats.commit_retries >= 1
    # a zombie: b still believes it owns partition 0 from offset 0 (a stale view), a moves on
    proc_b.process(TOPIC, 0, p0[0])  # b's floor for p0 is read now: 300, so these are skipped
    assert b.stats.rows_skipped == 300
    b.drop_partition(TOPIC, 0)
    zombie = IcebergSink(lambda: ensure_table(catalog_b, FINDINGS), FINDING_SCHEMA, commit_rows=10**9)
    zombie._floors[(TOPIC, 0)] = 0  # as if it took p0 before a's commit of 300..599 below
    assert zombie.table.current_snapshot() is not None  # and loaded the table then (stale below)
    Processor("finding", convert_batch, zombie, lambda d: None).process(TOPIC, 0, p0[1])
    proc_a.process(TOPIC, 0, p0[1])
    proc_a.process(TOPIC, 0, p0[2])
    a.flush_open()
    zombie.flush_open()  # conflicts or finds 300..599 held: commits nothing of it
    rows = read_table(ensure_table(open_catalog(tmp_path), FINDINGS), FINDING_SCHEMA)
    p0_offsets = sorted(o for p, o in zip(rows["source_partition"].to_pylist(), rows["source_offset"].to_pylist(),
                                          strict=True) if p == 0)
    assert p0_offsets == list(range(900))
    assert rows.num_rows == 900 + 300
    assert committed_offsets(ensure_table(open_catalog(tmp_path), FINDINGS), TOPIC) == {0: 900, 1: 300}


def test_seek_back_after_a_rebalance_and_stale_batches_past_a_gap(tmp_path: Path) -> None:
    batches = _batches(1200, seed=41, size=200, invalid_share=0.0)
    proc = _iceberg_processor(tmp_path, commit_rows=10**9)
    proc.process(TOPIC, 0, batches[0])
    proc.sink.flush_open()  # the table holds 0..199
    proc.sink.drop_partition(TOPIC, 0)  # revoked, then given back
    # events fetched before the rebalance arrive first (400..599): taking them would leave 200..399 out
    assert proc.process(TOPIC, 0, batches[2]) == [] and proc.sink.stats.batches_ignored == 1
    assert proc.sink.take_seeks() == {(TOPIC, 0): 200}  # the engine seeks there
    assert proc.sink.take_seeks() == {}  # once
    proc.process(TOPIC, 0, batches[1])  # the consumer's seek: 200.. next
    proc.process(TOPIC, 0, batches[2])
    proc.process(TOPIC, 0, batches[1])  # and a seek back below what is pending: start over
    for batch in batches[2:]:
        proc.process(TOPIC, 0, batch)
    proc.sink.flush_open()
    rows = read_table(ensure_table(open_catalog(tmp_path), FINDINGS), FINDING_SCHEMA)
    assert sorted(rows["source_offset"].to_pylist()) == list(range(1200))


def test_a_stretch_of_invalid_records_still_moves_the_table_offsets(tmp_path: Path) -> None:
    proc = _iceberg_processor(tmp_path, commit_rows=10**9)
    proc.process(TOPIC, 0, _batches(100, seed=43, size=100, invalid_share=0.0)[0])
    proc.sink.flush_open()
    bad = [Incoming(100 + i, b"\x00not avro") for i in range(50)]
    done = proc.process(TOPIC, 0, bad) + proc.sink.flush_open()
    assert done[-1].through_offset == 149
    table = ensure_table(open_catalog(tmp_path), FINDINGS)
    # the group may commit 150 now, so the table must say 150 too (a restart starts there)
    assert committed_offsets(table, TOPIC) == {0: 150}
    assert read_table(table, FINDING_SCHEMA).num_rows == 100


def test_a_configured_catalog_wins_over_the_embedded_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pyiceberg's own configuration names the `finops` catalog (here another SQL catalog; REST and
    # Glue are configured the same way): the data dir's embedded catalog is then not used
    other = tmp_path / "elsewhere"
    (other / "wh").mkdir(parents=True)
    monkeypatch.setenv("PYICEBERG_CATALOG__FINOPS__TYPE", "sql")
    monkeypatch.setenv("PYICEBERG_CATALOG__FINOPS__URI", f"sqlite:///{other / 'catalog.db'}")
    monkeypatch.setenv("PYICEBERG_CATALOG__FINOPS__WAREHOUSE", f"file://{other / 'wh'}")
    table = ensure_table(open_catalog(tmp_path / "default"), FINDINGS)
    assert table.metadata_location.startswith(f"file://{other / 'wh'}")
    assert (other / "catalog.db").exists() and not (tmp_path / "default").exists()


def test_a_batch_spanning_a_rebalance_is_taken_run_by_run(tmp_path: Path) -> None:
    """faust hands over, in one batch, events taken before a rebalance and then the same partition
    fetched again from the committed offset. Taken whole, the batch began past a gap and was
    ignored, with the offsets the table needed inside it: the partition waited for good; or (its
    pending rows kept) it followed on and the rows it went back over were stored twice."""
    batches = _batches(1200, seed=47, size=200, invalid_share=0.05)
    proc = _iceberg_processor(tmp_path, commit_rows=10**9)
    proc.process(TOPIC, 0, batches[0])
    proc.sink.flush_open()  # the table holds 0..199
    proc.process(TOPIC, 0, batches[1])  # 200..399 pending
    proc.sink.drop_partition(TOPIC, 0)  # revoked and kept: pending dropped
    spanning = batches[2] + batches[1] + batches[2]  # 400..599 from before, then 200..599 again
    proc.process(TOPIC, 0, spanning)
    assert proc.sink.stats.batches_ignored == 1  # the first run only
    assert proc.sink.take_seeks() == {}  # the batch itself went back to what the table needs
    for batch in batches[3:]:
        proc.process(TOPIC, 0, batch)
    proc.sink.flush_open()
    # the same without the revocation (pending kept): the batch's first run follows on, then it
    # goes back; taken whole, the rows of the second run were stored twice
    proc.process(TOPIC, 1, batches[0])
    proc.process(TOPIC, 1, batches[1] + batches[0] + batches[1])
    for batch in batches[2:]:
        proc.process(TOPIC, 1, batch)
    proc.sink.flush_open()
    table = ensure_table(open_catalog(tmp_path), FINDINGS)
    valid = [i for i, m in enumerate(generate(1200, seed=47, invalid_share=0.05)) if m.valid]
    assert len(valid) < 1200  # some invalid records among them
    rows = read_table(table, FINDING_SCHEMA)
    for partition in (0, 1):
        offsets = [o for p, o in zip(rows["source_partition"].to_pylist(), rows["source_offset"].to_pylist(),
                                     strict=True) if p == partition]
        assert sorted(offsets) == valid, partition
    assert committed_offsets(table, TOPIC) == {0: 1200, 1: 1200}
