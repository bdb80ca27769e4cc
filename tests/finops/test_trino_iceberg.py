"""The real Trino server over the stream's Iceberg table: findings streamed through the real broker
into `finops.findings`, then Trino's answers equal DuckDB's over the same snapshot's data files.

Slow: the first run on a machine fetches Trino (~820 MB from Maven Central, then cached in ~/.m2
and `.cache/trino/`); start-up takes one to two minutes on these 2-core machines.
    .venv/bin/pytest -m trino tests/finops/test_trino_iceberg.py
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("pyiceberg")

from finops.broker import free_ports  # noqa: E402
from finops.trino import JAVA_HOME, LocalTrino  # noqa: E402
from sinks.iceberg_tables import FINDINGS, ensure_table, open_catalog  # noqa: E402
from tools.stress import harness  # noqa: E402
from tools.stress.generator import generate  # noqa: E402

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.trino]


@pytest.fixture(scope="module")
def trino(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTrino]:
    if not (JAVA_HOME / "bin" / "java").exists():
        pytest.skip(f"no JDK 25 at {JAVA_HOME} (Trino needs Java 24+)")
    root = tmp_path_factory.mktemp("trino")
    server = LocalTrino(root / "iceberg", port=free_ports(1)[0], run_dir=root / "run")
    server.start(wait=900)
    try:
        yield server
    finally:
        server.stop()


def _stream(bootstrap: str, topics: harness.Topics, root: Path, msgs: list) -> None:
    harness.produce(bootstrap, topics.raw, msgs)
    worker = harness.StreamWorker(bootstrap, topics, root, root.parent / "stream.log", chunk_records=1000,
                                  partitions=3, engine="kafka", sink="iceberg").start()
    try:
        ends = harness.end_offsets(bootstrap, topics.raw)
        harness.wait_until_committed(bootstrap, topics.group, topics.raw, ends, timeout=240, worker=worker)
    finally:
        worker.stop()


def _duckdb(root: Path, snapshot_id: int) -> duckdb.DuckDBPyConnection:
    """DuckDB over exactly the data files of one snapshot (as a view `findings`)."""
    table = ensure_table(open_catalog(root), FINDINGS)
    files = [t.file.file_path.removeprefix("file://") for t in table.scan(snapshot_id=snapshot_id).plan_files()]
    con = duckdb.connect()
    con.register("findings", con.read_parquet(files).to_arrow_table())
    return con


def _answers_equal(trino: LocalTrino, root: Path, snapshot_id: int) -> dict[str, object]:
    con = _duckdb(root, snapshot_id)
    at = f"finops.findings for version as of {snapshot_id}"
    got_count = trino.query(f"select count(*), count(distinct fingerprint) from {at}")
    want_count = con.execute("select count(*), count(distinct fingerprint) from findings").fetchall()
    assert [tuple(r) for r in got_count] == want_count
    got = trino.query(f"select tenant_id, count(*), sum(estimated_monthly_savings) from {at} group by 1 order by 1")
    want = con.execute(
        "select tenant_id, count(*), sum(estimated_monthly_savings) from findings group by 1 order by 1"
    ).fetchall()
    assert [(t, n, Decimal(s)) for t, n, s in got] == [(t, n, Decimal(s)) for t, n, s in want]
    got_days = trino.query(f"select tenant_id, cast(observed_at as date), check_id, count(*) from {at} "
                           "group by 1, 2, 3 order by 1, 2, 3")
    want_days = con.execute("select tenant_id, cast(observed_at as date)::varchar, check_id, count(*) "
                            "from findings group by 1, 2, 3 order by 1, 2, 3").fetchall()
    assert [tuple(r) for r in got_days] == want_days
    return {"rows": want_count[0][0], "savings": want}


def test_trino_answers_equal_duckdb_over_the_same_snapshot(kafka_bootstrap: str, trino: LocalTrino) -> None:
    root = trino.iceberg_root
    topics = harness.Topics.unique("trino")
    topics.create(kafka_bootstrap, 3)
    first = list(generate(3000, seed=51, invalid_share=0.02))
    _stream(kafka_bootstrap, topics, root, first)
    table = ensure_table(open_catalog(root), FINDINGS)
    snap1 = table.current_snapshot().snapshot_id
    one = _answers_equal(trino, root, snap1)
    assert one["rows"] == sum(m.valid for m in first)

    # more findings: a newer snapshot; Trino's latest equals DuckDB's latest, the old one is unchanged
    more = list(generate(2000, seed=52, invalid_share=0.02))
    _stream(kafka_bootstrap, topics, root, more)
    table.refresh()
    snap2 = table.current_snapshot().snapshot_id
    assert snap2 != snap1
    two = _answers_equal(trino, root, snap2)
    assert two["rows"] == one["rows"] + sum(m.valid for m in more)
    latest = trino.query("select count(*) from finops.findings")
    assert latest == [[two["rows"]]]
    assert _answers_equal(trino, root, snap1) == one
