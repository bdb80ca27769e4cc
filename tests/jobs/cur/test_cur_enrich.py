"""Enrichment against the real Workshop bill: windows equal direct queries over the raw file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import duckdb
import pyarrow.parquet as pq
import pytest

from jobs.cur.enrich import ENRICHED_SCHEMA, coverage, enrich_findings
from jobs.cur.enrich_job import enrich_tree

AS_OF = datetime(2018, 11, 20, tzinfo=UTC)
PAYER = "836060457634"


def raw_cost(raw, resource: str, lo: datetime, hi: datetime) -> float:
    """Amortized cost of one resource straight from the two raw Parquet files (2018 bills carry
    only Usage, DiscountedUsage and RIFee line items)."""
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    return c.sql(
        f"""SELECT COALESCE(sum(CASE line_item_line_item_type
                   WHEN 'DiscountedUsage' THEN reservation_effective_cost
                   WHEN 'RIFee' THEN reservation_unused_amortized_upfront_fee_for_billing_period
                                     + reservation_unused_recurring_fee
                   ELSE line_item_unblended_cost END), 0)
            FROM read_parquet(['{raw.OCT}', '{raw.NOV}'], union_by_name = true)
            WHERE line_item_resource_id LIKE '%' || ?
              AND line_item_usage_start_date >= ?::TIMESTAMPTZ
              AND line_item_usage_start_date < ?::TIMESTAMPTZ""",
        params=[resource, lo, hi],
    ).fetchall()[0][0]


def money(x: float) -> Decimal:
    return Decimal(str(round(x, 2))).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    "rtype,rid",
    [
        ("AWS::EC2::Instance", "i-011dcab7fe91424d6"),  # Usage + RI DiscountedUsage
        ("AWS::EC2::Volume", "vol-00aee7bf3fe960cc8"),
        ("AWS::EC2::Instance", "i-0ed9420a261b3f355"),  # also billed as an ARN by CloudWatch
    ],
)
def test_exact_windows_equal_direct_queries_over_the_raw_file(
    real_facts, raw, finding_rows, rtype, rid
):
    facts_dir, _ = real_facts
    table = finding_rows([(rtype, rid, PAYER, "us-east-1", "ec2")])
    row = enrich_findings(table, facts_dir, as_of=AS_OF).to_pylist()[0]
    assert row["attribution_method"] == "exact_resource"
    assert row["actual_currency"] == "USD"
    month = datetime(2018, 11, 1, tzinfo=UTC)
    expect = {
        "actual_cost_7d": raw_cost(raw, rid, AS_OF - timedelta(days=7), AS_OF),
        "actual_cost_30d": raw_cost(raw, rid, AS_OF - timedelta(days=30), AS_OF),
        "actual_cost_mtd": raw_cost(raw, rid, month, AS_OF),
        "actual_cost_prev_month": raw_cost(raw, rid, datetime(2018, 10, 1, tzinfo=UTC), month),
    }
    assert expect["actual_cost_30d"] > 1.0
    for key, value in expect.items():
        assert abs(row[key] - money(value)) <= Decimal("0.01"), key


def test_rollup_then_none_and_row_order_kept(real_facts, raw, finding_rows):
    facts_dir, _ = real_facts
    specs = [
        ("AWS::EC2::Volume", "vol-0ffffffffffffffff", PAYER, "us-east-1", "ebs", 5.0),
        ("AWS::EC2::Volume", "vol-00aee7bf3fe960cc8", PAYER, "us-east-1", "ebs", 20.0),
        ("AWS::EC2::Volume", "vol-0eeeeeeeeeeeeeeee", "999999999999", "us-east-1", "ebs", 75.0),
    ]
    out = enrich_findings(finding_rows(specs), facts_dir, as_of=AS_OF)
    assert out.schema.remove_metadata() == ENRICHED_SCHEMA.remove_metadata()
    assert (
        out.column("resource_id").to_pylist()
        == finding_rows(specs).column("resource_id").to_pylist()
    )
    methods = out.column("attribution_method").to_pylist()
    assert methods == ["scoped_rollup", "exact_resource", "none"]
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    scope_30d = c.sql(
        f"""SELECT sum(CASE line_item_line_item_type
                   WHEN 'DiscountedUsage' THEN reservation_effective_cost
                   WHEN 'RIFee' THEN reservation_unused_amortized_upfront_fee_for_billing_period
                                     + reservation_unused_recurring_fee
                   ELSE line_item_unblended_cost END)
            FROM read_parquet(['{raw.OCT}', '{raw.NOV}'], union_by_name = true)
            WHERE line_item_usage_account_id = '{PAYER}' AND product_region = 'us-east-1'
              AND line_item_product_code = 'AmazonEC2'
              AND line_item_usage_start_date >= ?::TIMESTAMPTZ
              AND line_item_usage_start_date < ?::TIMESTAMPTZ""",
        params=[AS_OF - timedelta(days=30), AS_OF],
    ).fetchall()[0][0]
    rollup = out.to_pylist()[0]
    assert abs(rollup["actual_cost_30d"] - money(scope_30d)) <= Decimal("0.01")
    none = out.to_pylist()[2]
    assert none["actual_cost_30d"] is None and none["attribution_confidence"] == 0.0
    confidences = out.column("attribution_confidence").to_pylist()
    assert confidences[1] > confidences[0] > confidences[2]
    cov = coverage(out)
    assert cov.findings == 3 and cov.savings == 100.0
    assert cov.by_method["exact_resource"].findings_share == pytest.approx(1 / 3, abs=1e-4)
    assert cov.by_method["exact_resource"].savings_share == 0.2
    assert cov.by_method["scoped_rollup"].savings_share == 0.05
    assert cov.by_method["none"].savings_share == 0.75


def test_no_cur_passes_findings_through(tmp_path, finding_rows):
    table = finding_rows([("AWS::EC2::Volume", "vol-00aee7bf3fe960cc8", PAYER, "us-east-1", "ebs")])
    for facts in (None, tmp_path / "missing", tmp_path):
        out = enrich_findings(table, facts)
        assert out.num_rows == 1
        assert out.column("attribution_method").to_pylist() == ["none"]
        assert out.select(table.schema.names).equals(table)
    empty = enrich_findings(tmp_path / "no-findings-here", None)
    assert empty.num_rows == 0
    assert empty.schema.remove_metadata() == ENRICHED_SCHEMA.remove_metadata()


def test_findings_can_be_given_as_a_folder(tmp_path, real_facts, finding_rows):
    facts_dir, _ = real_facts
    table = finding_rows([("AWS::EC2::Volume", "vol-00aee7bf3fe960cc8", PAYER, "us-east-1", "ebs")])
    part = tmp_path / "findings" / "tenant_id=acme" / "dt=2018-11-20"
    part.mkdir(parents=True)
    pq.write_table(table, part / "finops.findings.raw.v1+0+0000000000000000000.parquet")
    out = enrich_findings(tmp_path / "findings", facts_dir, as_of=AS_OF)
    assert out.column("attribution_method").to_pylist() == ["exact_resource"]
    assert out.select(table.schema.names).equals(table)


def test_default_as_of_is_the_latest_usage(real_facts, finding_rows):
    facts_dir, _ = real_facts
    table = finding_rows([("AWS::EC2::Volume", "vol-00aee7bf3fe960cc8", PAYER, "us-east-1", "ebs")])
    out = enrich_findings(table, facts_dir)
    # The FOCUS sample's Oracle row bills into 2024-10, the latest usage in the session's facts.
    assert out.schema.metadata[b"finops.cur_as_of"].startswith(b"2024-10-01")
    assert out.column("attribution_method").to_pylist() == ["exact_resource"]
    assert out.column("actual_cost_30d").to_pylist() == [Decimal("0.00")]


def test_enrich_tree_mirrors_findings_files_and_is_stable(tmp_path, real_facts, finding_rows):
    facts_dir, _ = real_facts
    findings = tmp_path / "findings"
    for i, dt in enumerate(("2018-11-19", "2018-11-20")):
        part = findings / "tenant_id=acme" / f"dt={dt}"
        part.mkdir(parents=True)
        table = finding_rows(
            [("AWS::EC2::Volume", f"vol-00aee7bf3fe960cc{i + 7}", PAYER, "us-east-1", "ebs")]
        )
        pq.write_table(table, part / f"finops.findings.raw.v1+0+{i:019d}.parquet")
    out = tmp_path / "enriched"
    first = enrich_tree(findings, facts_dir, out, AS_OF)
    assert first.findings == 2 and len(first.files_written) == 2
    again = enrich_tree(findings, facts_dir, out, AS_OF)
    assert again.files_written == [] and len(again.files_unchanged) == 2
    enriched = pq.read_table(out / first.files_written[1])
    assert enriched.column("attribution_method").to_pylist() == ["exact_resource"]
    assert coverage(out).findings == 2
