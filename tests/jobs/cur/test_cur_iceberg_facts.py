"""The real bills' normalized facts published as `finops.cost_facts`: the table holds exactly the
folder's rows (checked by DuckDB over the raw facts files), a re-publish replaces, never adds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

pytest.importorskip("pyiceberg")

from finops.cli import main as finops_main  # noqa: E402
from jobs.cur.facts_schema import FACTS_SCHEMA  # noqa: E402
from jobs.cur.iceberg_facts import COST_FACTS, publish_facts  # noqa: E402
from sinks.iceberg_tables import ensure_table, iceberg_schema, open_catalog  # noqa: E402

TOTALS = ("select tenant_id, billing_month, count(*), round(sum(cost_primary), 6), "
          "round(sum(cost_effective), 6), count(distinct resource_id) from {} group by 1, 2 order by 1, 2")


def _folder_totals(facts_dir: Path) -> list[tuple]:
    files = sorted(str(p) for p in facts_dir.rglob("*.parquet"))
    view = f"read_parquet({files!r}, hive_partitioning = false)"
    return duckdb.connect().execute(TOTALS.format(view)).fetchall()


def _table_totals(root: Path) -> list[tuple]:
    table = ensure_table(open_catalog(root), COST_FACTS)
    con = duckdb.connect()
    con.register("facts", table.scan().to_arrow())
    return con.execute(TOTALS.format("facts")).fetchall()


def test_published_table_holds_the_folders_rows(real_facts, tmp_path: Path) -> None:
    facts_dir, _ = real_facts
    want = _folder_totals(facts_dir)
    assert len(want) >= 3 and sum(r[2] for r in want) > 1000  # Oct + Nov 2018 CUR, FOCUS months

    months = publish_facts(open_catalog(tmp_path), facts_dir)
    assert [(m.tenant_id, m.billing_month, m.rows) for m in months] == [(t, mo, n) for t, mo, n, *_ in want]
    assert _table_totals(tmp_path) == want
    table = ensure_table(open_catalog(tmp_path), COST_FACTS)
    assert table.schema().as_struct() == iceberg_schema(FACTS_SCHEMA).as_struct()
    assert [(f.name, str(f.transform)) for f in table.spec().fields] == [
        ("tenant_id", "identity"), ("billing_month", "identity")]

    # again (the command): same rows, not doubled; the old files replaced, not kept beside
    assert finops_main(["iceberg", "facts", "--iceberg-dir", str(tmp_path), "--facts-dir", str(facts_dir)]) == 0
    assert _table_totals(tmp_path) == want
    table.refresh()
    files = [task.file.partition for task in table.scan().plan_files()]
    assert sorted((str(p[0]), str(p[1])) for p in files) == [(t, mo) for t, mo, *_ in want]


def test_a_month_renormalized_replaces_only_its_partition(real_facts, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    facts_dir, _ = real_facts
    publish_facts(open_catalog(tmp_path), facts_dir)
    before = _table_totals(tmp_path)
    # one month shrinks to its first 10 line items (a re-normalized month with fewer rows)
    one = tmp_path / "one"
    path = sorted(facts_dir.rglob("*.parquet"))[0]
    target = one / path.parent.parent.name / path.parent.name / path.name
    target.parent.mkdir(parents=True)
    pq.write_table(pq.read_table(path, schema=FACTS_SCHEMA).slice(0, 10), target)
    publish_facts(open_catalog(tmp_path), one)
    after = _table_totals(tmp_path)
    assert after[1:] == before[1:]
    assert after[0][:2] == before[0][:2] and after[0][2] == 10
