"""The Iceberg sink with its warehouse on S3 and its catalog in AWS Glue, both the local moto
server (real HTTP, boto3 and pyarrow's S3 client): configured by pyiceberg's environment variables
alone, as docs/iceberg.md tells users to. Rows, offsets in the snapshot summary, a restarted owner
skipping what the table holds, and two writers racing through Glue's optimistic commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

pytest.importorskip("pyiceberg")

from contracts.batch import convert_batch  # noqa: E402
from contracts.schema import FINDING_SCHEMA  # noqa: E402
from sinks.iceberg_sink import IcebergSink  # noqa: E402
from sinks.iceberg_tables import FINDINGS, committed_offsets, ensure_table, open_catalog, read_table  # noqa: E402
from streams.processor import Incoming, Processor  # noqa: E402
from tools.stress.generator import generate  # noqa: E402

TOPIC = "raw"
BUCKET = "finops-lake"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(params=["sql", "glue"])
def s3_catalog(request: pytest.FixtureRequest, moto_url: str, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> str:
    """`finops` configured by environment: files on S3; the catalog a SQL one (SQLite) or Glue."""
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    prefix = f"{request.param}-{tmp_path.name}"
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name=REGION)
    if BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=BUCKET)
    env = {
        "TYPE": request.param,
        "WAREHOUSE": f"s3://{BUCKET}/{prefix}",
        "S3__ENDPOINT": moto_url,
        "S3__REGION": REGION,
        "S3__ACCESS_KEY_ID": "testing",
        "S3__SECRET_ACCESS_KEY": "testing",
    }
    if request.param == "glue":
        env.update({"GLUE__ENDPOINT": moto_url, "GLUE__REGION": REGION})
        glue = boto3.client("glue", endpoint_url=moto_url, region_name=REGION)
        try:  # a fresh Glue database per test (moto's state lives as long as the server)
            glue.delete_table(DatabaseName="finops", Name="findings")
        except glue.exceptions.EntityNotFoundException:
            pass
    else:
        env["URI"] = f"sqlite:///{tmp_path / 'catalog.db'}"
    for key, value in env.items():
        monkeypatch.setenv(f"PYICEBERG_CATALOG__FINOPS__{key}", value)
    return prefix


def _objects(url: str, prefix: str) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=url, region_name=REGION)
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", [])]
    return keys


def _batches(n: int, seed: int, size: int) -> list[list[Incoming]]:
    msgs = list(generate(n, seed=seed, invalid_share=0.0))
    items = [Incoming(i, m.value) for i, m in enumerate(msgs)]
    return [items[i : i + size] for i in range(0, n, size)]


def _processor(root: Path, commit_rows: int) -> Processor:
    catalog = open_catalog(root)
    sink = IcebergSink(lambda: ensure_table(catalog, FINDINGS), FINDING_SCHEMA, commit_rows=commit_rows)
    return Processor("finding", convert_batch, sink, lambda d: None)


def test_sink_on_s3_restart_and_concurrent_writers(s3_catalog: str, moto_url: str, tmp_path: Path) -> None:
    unused = tmp_path / "embedded"  # the configured catalog wins: nothing may land here
    batches = _batches(1200, seed=71, size=200)
    first = _processor(unused, commit_rows=500)
    for batch in batches[:4]:  # 0..799: committed at 600 rows, 600..799 pending, then a crash
        first.process(TOPIC, 0, batch)
    table = ensure_table(open_catalog(unused), FINDINGS)
    assert table.location().startswith(f"s3://{BUCKET}/{s3_catalog}")
    assert committed_offsets(table, TOPIC) == {0: 600}

    # restarted from offset 0 (the group never committed), racing a writer of partition 1 that
    # loaded the table before: one of the two commits must lose and retry through the catalog
    second, other = _processor(unused, commit_rows=10**9), _processor(unused, commit_rows=10**9)
    other.process(TOPIC, 1, _batches(300, seed=72, size=300)[0])
    assert other.sink.table.current_snapshot() is not None  # loaded now, stale after `second` commits
    for batch in batches:
        second.process(TOPIC, 0, batch)
    assert second.sink.flush_open() and other.sink.flush_open()
    assert second.sink.stats.rows_skipped == 600
    assert other.sink.stats.commit_retries >= 1

    table = ensure_table(open_catalog(unused), FINDINGS)
    rows = read_table(table, FINDING_SCHEMA)
    by_partition: dict[int, list[int]] = {}
    for p, o in zip(rows["source_partition"].to_pylist(), rows["source_offset"].to_pylist(), strict=True):
        by_partition.setdefault(p, []).append(o)
    assert sorted(by_partition[0]) == list(range(1200)) and sorted(by_partition[1]) == list(range(300))
    assert committed_offsets(table, TOPIC) == {0: 1200, 1: 300}
    # the files are S3 objects under the warehouse; the embedded catalog was never created
    keys = _objects(moto_url, s3_catalog)
    data = [k for k in keys if k.endswith(".parquet")]
    live = {t.file.file_path.removeprefix(f"s3://{BUCKET}/") for t in table.scan().plan_files()}
    assert live and live <= set(data)
    assert any(k.endswith(".metadata.json") for k in keys)
    assert not unused.exists()
