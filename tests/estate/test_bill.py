"""The estate's generated bill (demo only) adds up to what the estate says it runs.

Sums are taken by DuckDB over the written Parquet files and compared with figures computed
here from the ledger's segments and from the manifest's waste details, hour by hour in plain
Python; the bill's SQL is not reused."""

from __future__ import annotations

import calendar
import json
from datetime import datetime, timedelta

import duckdb
import pytest

from estate import bill_prices
from estate.billing import BillPaths, generate_bill
from estate.ledger import Ledger, append_remediation
from estate.remediate import ledger_run, remediate

pytestmark = pytest.mark.slow
REGION = "eu-west-1"  # usage types carry the EU- prefix


@pytest.fixture(scope="module")
def billed(tmp_path_factory):
    from estate import start_estate

    root = tmp_path_factory.mktemp("bill")
    manifest = root / "estate" / "manifest.json"
    paths = BillPaths(manifest, root / "bill")
    with start_estate(seed=5, resources=120, regions=(REGION,), accounts=1,
                      manifest_path=manifest) as estate:
        first = generate_bill(paths)
        before = Ledger.read(paths.ledger)
        fixed = remediate(estate.endpoint, estate.manifest.waste, 0.5)
        append_remediation(paths.remediations, ledger_run(fixed))
        second = generate_bill(paths, project_days=2)
    return {"paths": paths, "manifest": estate.manifest, "first": first, "second": second,
            "before": before, "fixed": fixed}


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _month_hours(ts: datetime) -> int:
    return calendar.monthrange(ts.year, ts.month)[1] * 24


def _expected(entry: dict, start: datetime, until: datetime) -> tuple[float, float]:
    """(usage amount, list cost) of one ledger entry over [start, until), hour by hour."""
    amount = 0.0
    segs = entry["segments"]
    h = start
    while h < until:
        for i, (s_from, qty) in enumerate(segs):
            lo = datetime.fromisoformat(s_from)
            hi_s = segs[i + 1][0] if i + 1 < len(segs) else entry["until"]
            hi = datetime.fromisoformat(hi_s) if hi_s else until + timedelta(days=365)
            overlap = (min(hi, h + timedelta(hours=1)) - max(lo, h)).total_seconds() / 3600
            if overlap > 0:
                per = qty if entry["period"] == "hour" else qty / _month_hours(h)
                amount += per * overlap
        h += timedelta(hours=1)
    return amount, amount * float(entry["rate"])


def test_every_meter_sums_to_its_ledger_segments(billed) -> None:
    paths, summary = billed["paths"], billed["second"]
    ledger = Ledger.read(paths.ledger)
    start, until = (datetime.fromisoformat(summary.start), datetime.fromisoformat(summary.until))
    got = {(r[0], r[1]): (r[2], r[3]) for r in _con().execute(f"""
        SELECT line_item_resource_id, line_item_usage_type, sum(line_item_usage_amount),
               sum(pricing_public_on_demand_cost)
        FROM read_parquet('{paths.out_dir}/*.parquet')
        WHERE line_item_line_item_type IN ('Usage', 'DiscountedUsage') GROUP BY ALL""").fetchall()}
    assert len(got) == len(ledger.entries) > 50
    for entry in ledger.entries.values():
        amount, cost = _expected(entry, start, until)
        assert got[(entry["resource_id"], entry["usage_type"])] == (
            pytest.approx(amount, rel=1e-9, abs=1e-9), pytest.approx(cost, rel=1e-9, abs=1e-9))


def test_the_manifests_waste_is_billed_at_the_estates_prices(billed) -> None:
    paths, manifest = billed["paths"], billed["manifest"]
    volumes = [w for w in manifest.waste if w.kind == "unattached_volume"]
    assert volumes
    con = _con()
    for w in volumes:
        vtype = w.details["volume_type"]
        usage = "EU-EBS:VolumeUsage." + {"io1": "piops"}.get(vtype, vtype)
        rows = con.execute(f"""
            SELECT line_item_usage_start_date, line_item_usage_amount, line_item_unblended_rate
            FROM read_parquet('{paths.out_dir}/*.parquet')
            WHERE line_item_resource_id = ? AND line_item_usage_type = ?
            ORDER BY 1 LIMIT 3""", [w.resource_id, usage]).fetchall()
        assert rows, w.resource_id  # created weeks before the bill starts: billed from hour 0
        for ts, amount, rate in rows:
            assert amount == pytest.approx(w.details["size_gb"] / _month_hours(ts))
            assert rate == float(bill_prices.price(REGION, f"ebs:{vtype}:gb-month"))


def test_reserved_instances_cover_instances_and_amortize_to_their_fees(billed) -> None:
    paths = billed["paths"]
    ledger = Ledger.read(paths.ledger)
    assert ledger.reservations
    con = _con()
    files = f"read_parquet('{paths.out_dir}/*.parquet')"
    unblended, amortized = con.execute(f"""
        SELECT sum(line_item_unblended_cost),
               sum(CASE line_item_line_item_type WHEN 'DiscountedUsage'
                        THEN reservation_effective_cost WHEN 'RIFee'
                        THEN reservation_unused_recurring_fee
                        ELSE line_item_unblended_cost END) FROM {files}""").fetchall()[0]
    assert amortized == pytest.approx(unblended, rel=1e-9)
    # per hour and type: covered hours = min(active RI instances, running instances)
    hours = con.execute(f"""
        SELECT line_item_usage_start_date, split_part(line_item_usage_type, ':', 2),
               count(*) FILTER (WHERE line_item_line_item_type = 'DiscountedUsage'),
               count(*) FILTER (WHERE line_item_line_item_type IN ('Usage', 'DiscountedUsage')
                                AND line_item_usage_amount = 1)
        FROM {files} WHERE line_item_usage_type LIKE '%BoxUsage:%' GROUP BY ALL""").fetchall()
    assert any(r[2] > 0 for r in hours)
    for ts, itype, covered, running in hours:
        active = sum(r["count"] for r in ledger.reservations if r["instance_type"] == itype
                     and datetime.fromisoformat(r["start"]) <= ts
                     and ts + timedelta(hours=1) <= datetime.fromisoformat(r["end"]))
        assert covered == min(active, running), (ts, itype)
    fees = con.execute(f"""SELECT reservation_reservation_a_r_n, line_item_unblended_cost
                           FROM {files} WHERE line_item_line_item_type = 'RIFee'""").fetchall()
    by_id = {r["id"]: r for r in ledger.reservations}
    for arn, cost in fees:
        ri = by_id[arn.rsplit("/", 1)[-1]]
        assert cost == pytest.approx(ri["count"] * float(ri["hourly"]))


def test_fixed_resources_stop_billing_at_the_fix_and_log_groups_shrink(billed) -> None:
    paths, fixed = billed["paths"], billed["fixed"]
    at = datetime.fromisoformat(fixed.at)
    hour = at.replace(minute=0, second=0, microsecond=0)
    con = _con()
    files = f"read_parquet('{paths.out_dir}/*.parquet')"
    deleted = [i for i in fixed.fixed if i.kind in ("unattached_volume", "idle_nat_gateway",
                                                    "unassociated_eip", "idle_rds_instance")]
    assert deleted
    for item in deleted:
        last = con.execute(f"""SELECT max(line_item_usage_start_date) FROM {files}
                               WHERE line_item_resource_id LIKE '%' || ?""",
                           [item.resource_id]).fetchall()[0][0]
        assert last is not None and last <= hour, item  # nothing after the hour of the fix
    logs = [i for i in fixed.fixed if i.kind == "log_group_without_retention"]
    assert logs
    for item in logs:
        kept = min(1.0, 90 / item.details["age_days"])
        rows = con.execute(f"""
            SELECT line_item_usage_start_date, line_item_usage_amount FROM {files}
            WHERE line_item_resource_id LIKE '%:log-group:' || ?
              AND line_item_usage_start_date IN (CAST(? AS TIMESTAMPTZ) - INTERVAL 2 HOUR,
                                                 CAST(? AS TIMESTAMPTZ) + INTERVAL 2 HOUR)
            ORDER BY 1""", [item.resource_id, hour.isoformat(), hour.isoformat()]).fetchall()
        (t0, before), (t1, after) = rows
        stored = before * _month_hours(t0)
        assert after * _month_hours(t1) == pytest.approx(stored * kept)


def test_every_line_says_it_was_generated_for_the_demo(billed) -> None:
    paths = billed["paths"]
    rows = _con().execute(f"""
        SELECT DISTINCT bill_invoice_id, product['generated_for'],
               line_item_line_item_description LIKE 'generated for the finops-stream demo%'
        FROM read_parquet('{paths.out_dir}/*.parquet')""").fetchall()
    assert rows == [("GENERATED-FOR-DEMO", "demo", True)]
    assert "not an aws bill" in (paths.out_dir / "SOURCE.md").read_text().lower()
    doc = json.loads(paths.ledger.read_text())
    assert doc["generated_for"].startswith("demo")
