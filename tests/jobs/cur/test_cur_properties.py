"""Property tests: row order never changes the facts; SQL and Python tag-key forms agree."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.cur.names import quote_literal, tag_key, tag_key_sql
from jobs.cur.normalize import normalize

SAMPLE_ROWS = 400


def _sample(raw) -> object:
    """A slice of the Oct bill with every line item type and several resources."""
    c = duckdb.connect()
    return c.sql(
        f"SELECT * FROM read_parquet('{raw.OCT}') USING SAMPLE {SAMPLE_ROWS} ROWS (reservoir, 7)"
    ).to_arrow_table()


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(perm=st.permutations(range(SAMPLE_ROWS)))
def test_shuffled_rows_give_identical_facts(raw, perm):
    table = _sample(raw)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for name, t in (("a", table), ("b", table.take(list(perm)))):
            (base / name / "raw").mkdir(parents=True)
            pq.write_table(t, base / name / "raw" / "bill.parquet")
            normalize(base / name / "raw", base / name / "out", "acme")
        files = sorted(
            p.relative_to(base / "a" / "out") for p in (base / "a" / "out").rglob("*.parquet")
        )
        assert files
        for rel in files:
            assert (base / "a" / "out" / rel).read_bytes() == (
                base / "b" / "out" / rel
            ).read_bytes()


@settings(max_examples=60, deadline=None)
@given(key=st.text(alphabet=st.sampled_from("abcXYZ09:_- /.é"), min_size=1, max_size=20))
def test_tag_key_sql_matches_python(key):
    got = duckdb.sql(f"SELECT {tag_key_sql(quote_literal(key))}").fetchall()[0][0]
    assert got == tag_key(key)
