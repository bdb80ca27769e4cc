"""The demo's whole story on the simulated estate, without the broker: the estate bills itself
(`finops estate bill`), the checks scan it twice, `finops estate remediate` fixes a share of the
waste (the bill stops billing those resources from that moment, and runs 8 days ahead), the
next scan resolves those findings, and one jobs window writes realized.json. Every realized
figure is recomputed here from the generated Parquet files with DuckDB, in the before/after
periods the report states, not from the facts the jobs read."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import boto3
import duckdb
import pytest

from estate.billing import BillPaths, generate_bill
from estate.ledger import append_remediation
from estate.remediate import ledger_run, remediate
from producers.accounts import AccountDirectory
from producers.scanner import Scanner, ScanRequest
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


def _raw_sum(bill_dir: Path, resource: str, lo: str, hi_inclusive: str) -> Decimal:
    """Amortized cost of one resource over whole UTC days, straight from the generated files."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    value = con.execute(f"""
        SELECT COALESCE(sum(CASE line_item_line_item_type WHEN 'DiscountedUsage'
                                 THEN reservation_effective_cost
                                 ELSE line_item_unblended_cost END), 0)
        FROM read_parquet('{bill_dir}/*.parquet')
        WHERE (line_item_resource_id = ? OR ? LIKE '%/' || line_item_resource_id)
          AND line_item_usage_start_date >= CAST(? AS DATE)
          AND line_item_usage_start_date < CAST(? AS DATE) + INTERVAL 1 DAY""",
        [resource, resource, lo, hi_inclusive]).fetchall()[0][0]
    return Decimal(repr(value))


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
    # objects, ECR without images, Lambda requests, on-demand tables, stopped instances
    unbilled = {"ec2_ami_unused_old", "s3_bucket_no_lifecycle", "s3_multipart_upload_incomplete",
                "ecr_repository_no_lifecycle", "lambda_function_memory_overprovisioned",
                "lambda_function_graviton_candidate", "lambda_function_timeout_excessive",
                "ec2_instance_stopped_long", "ec2_reserved_instance_expiring",
                "logs_log_group_stale"}
    assert set(methods) <= unbilled, methods
