"""Rates from the bill on the shared real bills: the Workshop CUR (RI DiscountedUsage + on-demand
lines) and the FOCUS 1.0 sample. Expected values come from DuckDB over the raw files, not from
the facts the code under test reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from jobs.bill_rates import ACCOUNT, PAYER_REGION, RESOURCE, RateBook, derive_rates, reprice
from jobs.cur.normalize import normalize

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
OCT = SHARED / "aws-well-architected-labs" / "Oct2018-WorkshopCUR-00001.snappy.parquet"
FOCUS = SHARED / "focus-sample-data" / "focus_sample.csv"
pytestmark = pytest.mark.skipif(not (OCT.exists() and FOCUS.exists()),
                                reason="shared bills not present")
CENTS = Decimal("0.01")
OCT_START, OCT_END = datetime(2018, 10, 1, tzinfo=UTC), datetime(2018, 11, 1, tzinfo=UTC)


def _raw(sql: str) -> list[tuple]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def workshop(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ws")
    (root / "raw").mkdir()
    (root / "raw" / OCT.name).symlink_to(OCT)
    normalize(root / "raw", root / "facts", tenant="ws")
    return root / "facts"


@pytest.fixture(scope="module")
def oct_rates(workshop):
    return derive_rates(workshop, start=OCT_START, end=OCT_END)


def test_ec2_rates_equal_amortized_cost_per_hour_in_the_raw_bill(oct_rates):
    expected = {
        (a, ut, op): (n, usage, cost)
        for a, ut, op, n, usage, cost in _raw(f"""
        SELECT line_item_usage_account_id, line_item_usage_type, line_item_operation, count(*),
               sum(line_item_usage_amount),
               sum(CASE line_item_line_item_type WHEN 'DiscountedUsage'
                        THEN reservation_effective_cost ELSE line_item_unblended_cost END)
        FROM '{OCT}'
        WHERE line_item_line_item_type IN ('Usage', 'DiscountedUsage')
          AND line_item_usage_type LIKE '%BoxUsage%' AND line_item_usage_amount > 0
          AND pricing_unit <> '' AND product_region = 'us-east-1'
        GROUP BY ALL""")}
    got = {(r["account_id"], r["usage_type"], r["operation"]): r for r in oct_rates.to_pylist()
           if r["resource_id"] is None and "BoxUsage" in (r["usage_type"] or "")
           and r["region"] == "us-east-1"}
    assert set(got) == set(expected) and len(expected) >= 8
    for k, (n, usage, cost) in expected.items():
        assert got[k]["lines"] == n
        assert got[k]["usage_amount"] == pytest.approx(usage, rel=1e-12)
        assert got[k]["rate"] == pytest.approx(cost / usage, rel=1e-12)
    # the RI discount shows: t2.micro Linux in the payer account is below its list rate
    t2 = got[("836060457634", "BoxUsage:t2.micro", "RunInstances")]
    assert "DiscountedUsage" in t2["line_types"] and t2["rate"] < t2["list_rate"]


def _finding(account: str, resource: str | None, key: str, hours: int = 730,
             listed: str | None = None) -> dict:
    details = {"price_terms": json.dumps([[key, str(hours), 1]]),
               "prices": json.dumps({key: f"{listed} USD/hour"} if listed else {})}
    amount = None if listed is None else Decimal(listed) * hours
    return {"tenant_id": "ws", "account_id": account, "region": "us-east-1",
            "resource_id": resource, "details": details, "check_id": "ec2_instance_low_utilization",
            "estimated_monthly_savings": amount}


def test_a_resource_billed_through_an_ri_is_priced_at_the_ri_effective_rate(oct_rates):
    resource = "arn:aws:ec2:us-east-1:836060457634:instance/i-01858470cc1b08555"
    [(usage, cost)] = _raw(f"""
        SELECT sum(line_item_usage_amount), sum(reservation_effective_cost) FROM '{OCT}'
        WHERE line_item_resource_id = 'i-01858470cc1b08555'
          AND line_item_line_item_type = 'DiscountedUsage'""")
    out = reprice(_finding("836060457634", resource, "ec2:t2.nano:linux:hour", listed="0.0058"),
                  RateBook.from_table(oct_rates))
    assert out.terms[0]["basis"] == RESOURCE and out.shown_basis == "bill"
    assert out.list_estimate == Decimal("4.2340")
    expected = (Decimal(730) * Decimal(repr(cost / usage))).quantize(Decimal("0.01"))
    assert out.bill_estimate == out.shown == expected < out.list_estimate


def test_account_then_payer_and_region_fallback(oct_rates):
    book = RateBook.from_table(oct_rates)
    # t2.nano runs only in the payer account: the linked account gets the payer+region rate
    linked = reprice(_finding("011254002932", None, "ec2:t2.nano:linux:hour", listed="0.0058"),
                     book)
    assert linked.terms[0]["basis"] == PAYER_REGION
    own = reprice(_finding("011254002932", None, "ec2:c5.large:linux:hour", listed="0.085"), book)
    assert own.terms[0]["basis"] == ACCOUNT


def test_a_key_the_catalog_lacks_is_priced_from_the_bill_and_neither_stays_unknown(oct_rates):
    book = RateBook.from_table(oct_rates)
    windows = reprice(_finding("836060457634", None, "ec2:m5.large:windows:hour"), book)
    assert windows.list_estimate is None and windows.bill_estimate is not None
    assert windows.shown == windows.bill_estimate > 0
    nothing = reprice(_finding("836060457634", None, "ec2:x2iedn.32xlarge:linux:hour"), book)
    assert nothing.shown is None and nothing.shown_basis == "unknown"


def test_focus_rates_equal_effective_cost_per_consumed_quantity(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / FOCUS.name).symlink_to(FOCUS)
    normalize(tmp_path / "raw", tmp_path / "facts", tenant="fs")
    rates = derive_rates(tmp_path / "facts", start=datetime(2024, 9, 1, tzinfo=UTC),
                         end=datetime(2024, 10, 1, tzinfo=UTC))
    expected = _raw(f"""
        SELECT BillingAccountId, SubAccountId, RegionId, ServiceName, SkuId, ConsumedUnit,
               count(*), sum(EffectiveCost) / sum(ConsumedQuantity)
        FROM read_csv('{FOCUS}', nullstr = 'NULL')
        WHERE ChargeCategory = 'Usage' AND ConsumedQuantity > 0
          AND EffectiveCost IS NOT NULL AND ConsumedUnit IS NOT NULL
        GROUP BY ALL""")
    got = [r for r in rates.to_pylist() if r["resource_id"] is None]
    assert len(expected) > 50 and len(got) == len(expected)

    def key(acct, region, sku, unit, n, rate):
        return (acct, region or "", sku or "", unit, n, round(rate, 12))

    assert sorted(key(r["account_id"], r["region"], r["sku_id"], r["usage_unit"], r["lines"],
                      r["rate"]) for r in got) == \
        sorted(key(a, reg, sku, unit, n, rate) for _b, a, reg, _s, sku, unit, n, rate in expected)


def test_window_hook_prices_stored_findings_from_the_facts(workshop):
    import pyarrow as pa

    from jobs.estimates import estimate_columns
    rows = [_finding("836060457634", None, "ec2:c5.large:linux:hour", listed="0.085"),
            _finding("836060457634", None, "ec2:zz.large:linux:hour")]
    for r in rows:  # as stored: details is canonical JSON text
        r["details"] = json.dumps(r["details"], sort_keys=True)
    table = pa.Table.from_pylist(rows)
    # the Workshop's last 30 days (default window) end 2018-11-01
    [(usage, cost)] = _raw(f"""
        SELECT sum(line_item_usage_amount),
               sum(CASE line_item_line_item_type WHEN 'DiscountedUsage'
                        THEN reservation_effective_cost ELSE line_item_unblended_cost END)
        FROM '{OCT}' WHERE line_item_usage_account_id = '836060457634'
          AND line_item_usage_type = 'BoxUsage:c5.large' AND line_item_operation = 'RunInstances'
          AND line_item_line_item_type IN ('Usage', 'DiscountedUsage')
          AND line_item_usage_start_date >= TIMESTAMPTZ '2018-10-02 00:00:00+00'""")
    out = estimate_columns(table, workshop, "ws").to_pylist()
    assert out[0]["estimate_basis"] == "bill" and out[0]["estimate_list"] == Decimal("62.05")
    assert out[0]["estimate_bill"] == out[0]["estimate_shown"] == \
        (Decimal(730) * Decimal(repr(cost / usage))).quantize(Decimal("0.01"))
    assert out[1] == {"estimate_list": None, "estimate_bill": None, "estimate_shown": None,
                      "estimate_basis": "unknown"}
    none = estimate_columns(table, None, "ws").to_pylist()
    assert none[0]["estimate_basis"] == "list" and none[0]["estimate_shown"] == Decimal("62.05")


def test_coverage_check_uses_the_discount_the_customers_own_ris_give(oct_rates):
    [(eff, lst)] = _raw(f"""
        SELECT sum(reservation_effective_cost), sum(pricing_public_on_demand_cost) FROM '{OCT}'
        WHERE line_item_line_item_type = 'DiscountedUsage'
          AND line_item_usage_account_id = '836060457634'
          AND line_item_usage_type = 'BoxUsage:t2.micro' AND product_region = 'us-east-1'""")
    row = _finding("836060457634", None, "ec2:t2.micro:linux:hour", hours=219, listed="0.0116")
    row["check_id"] = "ec2_instance_no_commitment_coverage"
    details = dict(row["details"], assumed_discount="0.3")
    row["details"] = details
    out = reprice(row, RateBook.from_table(oct_rates))
    discount = Decimal(repr(1 - eff / lst))
    assert Decimal("0.3") < discount < 1  # the bill's RIs save more than the assumed 30 %
    assert out.shown_basis == "bill" and out.terms[0]["basis"] == "bill:account:commitment"
    assert out.bill_estimate == (730 * Decimal("0.0116") * discount).quantize(Decimal("0.01"))
    # an account whose bill shows no commitment for it falls back to its payer's discount
    linked = dict(row, account_id="011254002932")
    assert reprice(linked, RateBook.from_table(oct_rates)).terms[0]["basis"].startswith("bill:")


def test_window_hook_equals_reprice_of_each_finding(workshop, oct_rates):
    """The vectorised window hook (jobs/estimates.py) gives every finding the figures of the
    per-finding reference `reprice`: own resource, account, payer + region, list and unknown
    terms, keys with and without an operation, two-term (gp2 -> gp3) estimates, no terms, the
    coverage check; rates pooled over several operations and SKUs."""
    import pyarrow as pa

    from jobs.estimates import estimate_columns
    own = oct_rates.filter(pa.compute.is_valid(oct_rates.column("resource_id"))).to_pylist()
    resources = sorted({(r["account_id"], r["resource_id"]) for r in own})[:40] + [
        ("836060457634", None), ("011254002932", None), ("999999999999", None)]
    keys = ["ec2:c5.large:linux:hour", "ec2:t2.micro:linux:hour", "ec2:t2.nano:linux:hour",
            "ec2:m5.large:windows:hour", "ebs:gp2:gb-month", "ebs:gp3:gb-month",
            "ebs:snapshot:gb-month", "vpc:nat-gateway:hour", "ec2:zz.large:linux:hour",
            "s3:standard:gb-month"]
    rows = []
    for account, resource in resources:
        for i, key in enumerate(keys):
            row = _finding(account, resource, key, hours=1 + 97 * i,
                           listed="0.0123" if i % 3 else None)
            rows.append(row)
        two = _finding(account, resource, "ebs:gp2:gb-month", hours=100, listed="0.10")
        two["details"]["price_terms"] = json.dumps([["ebs:gp2:gb-month", "100", 1],
                                                     ["ebs:gp3:gb-month", "100", -1]])
        cover = _finding(account, resource, "ec2:t2.micro:linux:hour", hours=219,
                         listed="0.0116")
        cover["check_id"] = "ec2_instance_no_commitment_coverage"
        cover["details"]["assumed_discount"] = "0.3"
        mixed = _finding(account, resource, "ec2:zz.large:linux:hour", hours=10, listed="0.5")
        mixed["details"]["price_terms"] = json.dumps([["ec2:c5.large:linux:hour", "730", 1],
                                                       ["ec2:zz.large:linux:hour", "10", 1]])
        bare = _finding(account, resource, "ec2:c5.large:linux:hour", listed="1")
        bare["details"] = {}
        rows += [two, cover, mixed, bare]
    for r in rows:  # as stored: details canonical JSON text, estimates in cents
        r["details"] = json.dumps(r["details"], sort_keys=True)
        if r["estimated_monthly_savings"] is not None:
            r["estimated_monthly_savings"] = r["estimated_monthly_savings"].quantize(CENTS)
    table = pa.Table.from_pylist(rows)
    rates = derive_rates(workshop, tenant="ws")  # one table: float sums vary in the last bits
    got = estimate_columns(table, workshop, "ws", rates=rates)
    book = RateBook.from_table(rates)
    expected = [reprice(r, book) for r in rows]
    assert got.to_pylist() == [
        {"estimate_list": e.list_estimate, "estimate_bill": e.bill_estimate,
         "estimate_shown": e.shown, "estimate_basis": e.shown_basis} for e in expected]
    bases = {e.shown_basis for e in expected}
    assert {"bill", "bill+list", "list", "unknown"} <= bases
    kinds = {t["basis"] for e in expected for t in e.terms}
    assert {RESOURCE, ACCOUNT, PAYER_REGION, "list", "unknown"} <= kinds


def test_rates_without_provenance_are_the_same_rows_and_figures(workshop):
    full = derive_rates(workshop, start=OCT_START, end=OCT_END)
    bare = derive_rates(workshop, start=OCT_START, end=OCT_END, provenance=False)
    assert bare.column_names == [c for c in full.column_names if c not in ("line_types", "files")]
    # float sums may differ in the last bits: DuckDB adds in parallel, in no fixed order
    for got, want in zip(bare.to_pylist(), full.to_pylist(), strict=True):
        assert got == {k: pytest.approx(v, rel=1e-12) if isinstance(v, float) else v
                       for k, v in want.items() if k in got}
    assert {t for r in full.to_pylist() for t in r["line_types"].split(",")} >= {
        "Usage", "DiscountedUsage"}
