"""The demo's whole story on the simulated estate, without the broker (one estate serves both
the story and the checks of the generated bill itself, below): the estate bills itself
(`finops estate bill`), the checks scan it twice, `finops estate remediate` fixes a share of the
waste (the bill stops billing those resources from that moment, and runs 8 days ahead), the
next scan resolves those findings, and one jobs window writes realized.json. Every realized
figure is recomputed here from the generated Parquet files with DuckDB, in the before/after
periods the report states, not from the facts the jobs read."""

from __future__ import annotations

import calendar
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import boto3
import duckdb
import pytest

from estate import bill_prices
from estate.billing import BillPaths, generate_bill
from estate.ledger import Ledger, append_remediation, read_remediations
from estate.manifest import Manifest
from estate.remediate import ledger_run, remediate
from producers.accounts import AccountDirectory
from producers.scanner import Scanner, ScanRequest
from tests.jobs.workshop_bills import raw_cost
from tests.web.estate_set import EncodingSink, _stream

pytestmark = pytest.mark.slow
TENANT = "acme"
REGIONS = ("us-east-1",)


CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Path:
    from estate import start_estate
    from finops.cli import main as finops_main
    from jobs.window import JobPaths, JobRunner

    data = tmp_path_factory.mktemp("story") / "data"
    manifest = data / "estate" / "manifest.json"
    paths = BillPaths(manifest, data / "raw_cur" / f"tenant_id={TENANT}" / "estate-bill")
    sink = EncodingSink()
    with start_estate(seed=11, resources=150, regions=REGIONS, accounts=1,
                      manifest_path=manifest) as estate:
        generate_bill(paths)
        base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        scanner = Scanner(AccountDirectory(base, endpoint_url=estate.endpoint),
                          ScanRequest(TENANT, "prod", REGIONS, org=True), sink)
        scanner.scan_round()
        scanner.scan_round()
        fixed = remediate(estate.endpoint, estate.manifest.waste, 0.3)
        assert fixed.fixed and not fixed.failed
        append_remediation(paths.remediations, ledger_run(fixed))
        generate_bill(paths, project_days=8)
        scanner.scan_round()  # no longer reports the fixed resources: they resolve
    _stream(sink, data)
    assert finops_main(["cur", "normalize", "--input", str(data / "raw_cur"), "--output",
                        str(data / "cur_facts"), "--tenant", TENANT]) == 0
    runner = JobRunner(JobPaths.under(data), threads=1)
    try:
        report = runner.run_window()
        assert report.error is None and TENANT in report.tenants_written, report
    finally:
        runner.close()
    return data


def _paths(data: Path) -> BillPaths:
    return BillPaths(data / "estate" / "manifest.json",
                     data / "raw_cur" / f"tenant_id={TENANT}" / "estate-bill")


def _raw_sum(bill_dir: Path, resource: str, lo: str, hi_inclusive: str) -> Decimal:
    """Amortized cost of one resource over whole UTC days, straight from the generated files."""
    return raw_cost("""(line_item_resource_id = ? OR ? LIKE '%/' || line_item_resource_id)
          AND line_item_usage_start_date >= CAST(? AS DATE)
          AND line_item_usage_start_date < CAST(? AS DATE) + INTERVAL 1 DAY""",
                    [f"{bill_dir}/*.parquet"], [resource, resource, lo, hi_inclusive])


def test_remediation_shows_realized_savings_equal_to_the_generated_bill(story: Path) -> None:
    doc = json.loads((story / "snapshots" / TENANT / "realized.json").read_text())
    bill_dir = story / "raw_cur" / f"tenant_id={TENANT}" / "estate-bill"
    measured = [f for f in doc["findings"]
                if f["realized_monthly"] is not None and f["method"] == "exact_resource"]
    assert doc["resolved"] > 0 and measured, doc["resolved"]
    assert Decimal(doc["realized_monthly"]) > 0
    assert Decimal(doc["estimated_open_monthly"]) > 0
    per_resource: dict[str, Decimal] = {}
    for f in measured:
        assert f["state"] == "resolved"
        assert f["days_after"] == 7 and f["days_before"] >= 1
        rid = f["resource_id"]
        before = _raw_sum(bill_dir, rid, *f["before_period"]) / f["days_before"]
        after = _raw_sum(bill_dir, rid, *f["after_period"]) / f["days_after"]
        if f["check_id"] == "logs_log_group_no_retention":
            assert 0 < after < before  # kept: 90 days' share of the group's data
        else:
            assert after == 0  # deleted at the fix: no lines after it
        # to the cent (the report sums day by day, this query all hours at once)
        assert abs(Decimal(f["cost_per_day_before"]) - before) <= CENT
        assert abs(Decimal(f["cost_per_day_after"]) - after) <= CENT
        assert abs(Decimal(f["realized_monthly"]) - (before - after) * 730 / 24) <= CENT
        per_resource[rid] = Decimal(f["realized_monthly"])  # two findings, one saving
    assert len(per_resource) < len(measured)  # e.g. idle instance + no commitment coverage
    assert doc["realized_monthly"] == str(sum(per_resource.values()))


def test_every_priced_finding_has_its_resource_on_the_generated_bill(story: Path) -> None:
    """Exact per-resource cost for the demo: each finding whose resource the estate bills."""
    findings = json.loads((story / "snapshots" / TENANT / "findings.json").read_text())
    methods = {f["check_id"]: f.get("attribution_method") for f in findings
               if f.get("attribution_method") != "exact_resource"}
    # what the estate does not bill per resource: AMIs (their snapshots bill), S3 without
    # objects, ECR without images, stopped instances, RIs (their RIFee lines
    # name the reservation ARN only), SageMaker hosting and FSx (no price in its table), and
    # what estate/meter.py has no meter for: ECR images, on-demand tables (request units),
    # Fargate tasks, dashboards, Aurora clusters (I/O and storage)
    unbilled = {"ec2_ami_unused_old", "s3_bucket_no_lifecycle", "s3_multipart_upload_incomplete",
                "ecr_repository_no_lifecycle",
                "ec2_instance_stopped_long", "ec2_reserved_instance_expiring",
                "logs_log_group_stale", "sagemaker_endpoint_idle", "fsx_file_system_idle",
                "ecr_image_old", "dynamodb_table_on_demand_to_provisioned",
                "ecs_fargate_graviton_candidate", "cloudwatch_dashboard_unused",
                "rds_aurora_io_optimized_candidate"}
    assert set(methods) <= unbilled, methods


# --- the generated bill adds up to what the estate says it runs ------------------------
# Sums by DuckDB over the written files, against figures computed here hour by hour from the
# ledger's segments and the manifest's waste details (the bill's SQL is not reused).

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


def test_every_meter_sums_to_its_ledger_segments(story: Path) -> None:
    paths = _paths(story)
    ledger = Ledger.read(paths.ledger)
    start = datetime.fromisoformat(ledger.bill_start or "")
    until = datetime.fromisoformat(ledger.inventoried_at or "").replace(
        hour=0, minute=0, second=0, microsecond=0) + timedelta(days=8)
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


def test_the_manifests_waste_is_billed_at_the_estates_prices(story: Path) -> None:
    paths = _paths(story)
    manifest = Manifest.read(paths.manifest)
    volumes = [w for w in manifest.waste if w.kind == "unattached_volume"]
    assert volumes
    con = _con()
    for w in volumes:
        vtype = w.details["volume_type"]
        usage = "EBS:VolumeUsage." + {"io1": "piops"}.get(vtype, vtype)
        rows = con.execute(f"""
            SELECT line_item_usage_start_date, line_item_usage_amount, line_item_unblended_rate
            FROM read_parquet('{paths.out_dir}/*.parquet')
            WHERE line_item_resource_id = ? AND line_item_usage_type = ?
            ORDER BY 1 LIMIT 3""", [w.resource_id, usage]).fetchall()
        assert rows, w.resource_id  # created weeks before the bill starts: billed from hour 0
        for ts, amount, rate in rows:
            assert amount == pytest.approx(w.details["size_gb"] / _month_hours(ts))
            assert rate == float(bill_prices.price(REGIONS[0], f"ebs:{vtype}:gb-month"))


def test_reserved_instances_cover_instances_and_amortize_to_their_fees(story: Path) -> None:
    paths = _paths(story)
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
    # per hour and type: covered lines = min(active RI instances, instances billed that hour;
    # one launched or stopped within the hour is billed, and covered, for its share of it)
    hours = con.execute(f"""
        SELECT line_item_usage_start_date, split_part(line_item_usage_type, ':', 2),
               count(*) FILTER (WHERE line_item_line_item_type = 'DiscountedUsage'),
               count(*) FILTER (WHERE line_item_line_item_type IN ('Usage', 'DiscountedUsage')
                                AND line_item_usage_amount > 0)
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


def test_fixed_resources_stop_billing_at_the_fix_and_log_groups_shrink(story: Path) -> None:
    paths = _paths(story)
    (run,) = read_remediations(paths.remediations)
    waste = {w.resource_id: w for w in Manifest.read(paths.manifest).waste}
    fixed = [waste[i["resource_id"]] for i in run["fixed"]]
    at = datetime.fromisoformat(run["at"])
    hour = at.replace(minute=0, second=0, microsecond=0)
    con = _con()
    files = f"read_parquet('{paths.out_dir}/*.parquet')"
    deleted = [i for i in fixed if i.kind in ("unattached_volume", "idle_nat_gateway",
                                                    "unassociated_eip", "idle_rds_instance")]
    assert deleted
    for item in deleted:
        last = con.execute(f"""SELECT max(line_item_usage_start_date) FROM {files}
                               WHERE line_item_resource_id LIKE '%' || ?""",
                           [item.resource_id]).fetchall()[0][0]
        assert last is not None and last <= hour, item  # nothing after the hour of the fix
    logs = [i for i in fixed if i.kind == "log_group_without_retention"]
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


def test_every_line_says_it_was_generated_for_the_demo(story: Path) -> None:
    paths = _paths(story)
    rows = _con().execute(f"""
        SELECT DISTINCT bill_invoice_id, product['generated_for'],
               resource_tags['user_generated_for'],
               line_item_line_item_description LIKE 'generated for the finops-stream demo%'
        FROM read_parquet('{paths.out_dir}/*.parquet')""").fetchall()
    assert rows == [("GENERATED-FOR-DEMO", "demo", "demo", True)]
    assert "not an aws bill" in (paths.out_dir / "SOURCE.md").read_text().lower()
    doc = json.loads(paths.ledger.read_text())
    assert doc["generated_for"].startswith("demo")
    # the jobs tell from the facts (tag generated_for) and say so beside the realized figures
    realized = json.loads((story / "snapshots" / TENANT / "realized.json").read_text())
    assert realized["bill_generated_for_demo"] is True
