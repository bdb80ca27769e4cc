"""Demo mapping of the Workshop bill's resources onto the estate's waste resources."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from jobs.cur.sample import map_sample_to_accounts, resource_mapping

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "aws-well-architected-labs"


def test_pairs_same_account_region_and_kind_in_sorted_order() -> None:
    sample = [("111", "us-east-1", "i-b"), ("111", "us-east-1", "i-a"), ("111", "us-east-1", "vol-1"),
              ("111", "eu-west-1", "i-c"), ("222", "us-east-1", "i-d"), ("111", "us-east-1", "bucket")]
    estate = [("111", "us-east-1", "i-zz"), ("111", "us-east-1", "i-yy"), ("111", "us-east-1", "snap-1")]
    assert resource_mapping(sample, estate) == {("111", "i-a"): "i-yy", ("111", "i-b"): "i-zz"}


def test_the_real_bill_keeps_its_costs_and_points_at_estate_resources(tmp_path: Path) -> None:
    raw = SHARED / "Nov2018-WorkshopCUR-00001.snappy.parquet"
    src = f"read_parquet('{raw}')"
    accounts = [r[0] for r in duckdb.sql(f"select distinct line_item_usage_account_id from {src} order by 1").fetchall()]
    instances = [r[0] for r in duckdb.sql(
        f"select distinct line_item_resource_id from {src} where line_item_resource_id like 'i-%' "
        f"and product_region = 'us-east-1' and line_item_usage_account_id = '{accounts[0]}' order by 1 limit 2"
    ).fetchall()]
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"waste": [
        {"account_id": "123456789012", "region": "us-east-1", "resource_id": "i-0000000000000aaaa", "related": ["vol-0000000000000bbbb"]},
    ]}))
    out = map_sample_to_accounts(raw, ["123456789012"] * len(accounts), tmp_path / "out", manifest=manifest)
    mapped = f"read_parquet('{out}')"
    total = duckdb.sql(f"select round(sum(line_item_unblended_cost), 6) from {mapped}").fetchall()
    assert total == duckdb.sql(f"select round(sum(line_item_unblended_cost), 6) from {src}").fetchall()
    hits = duckdb.sql(f"select count(*) from {mapped} where line_item_resource_id = 'i-0000000000000aaaa'").fetchall()[0][0]
    assert hits > 0 and instances
    assert duckdb.sql(f"select count(*) from {mapped}").fetchall() == duckdb.sql(f"select count(*) from {src}").fetchall()
