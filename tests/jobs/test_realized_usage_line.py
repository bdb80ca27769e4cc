"""The usage-line fallback of realized savings on the real Workshop bills (Oct + Nov 2018): a
resolved finding whose resource the bill names differently is measured on its usage lines
(account, region, usage type), shared among the findings on the same line, with a lower
confidence. Expected figures are DuckDB sums over the raw Parquet files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from finops.cli import main
from tests.jobs.conftest import Lake, finding, scan
from tests.jobs.workshop_bills import PAYER, needs_bills, normalized_root, raw_cost
from tests.jobs.workshop_bills import cents as _cents

pytestmark = needs_bills
# Two ids the bill never names; their estimates priced m5.large hours, the usage type of
# i-01c24bac399144aa9, which stops billing on 2018-11-24 (the other m5.large runs on).
RENAMED = ("i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2")
M5 = "ec2:m5.large:linux:hour"
CHECKS = {"ec2_instance_low_utilization": 2}


def at(day: int) -> datetime:
    return datetime(2018, 11, day, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    root = normalized_root(tmp_path_factory, "usage_line")
    lake = Lake(root)
    kw = {"account": PAYER, "region": "us-east-1"}
    first = [finding("ec2_instance_low_utilization", "AWS::EC2::Instance", rid, at=at(1),
                     run="r1", savings=savings, details={"price_terms": [[M5, "730", 1]]}, **kw)
             for rid, savings in zip(RENAMED, ("60.00", "20.00"), strict=True)]
    second = [dict(f, observed_at=at(10).isoformat(), run_id="r2") for f in first]
    lake.write_findings(first + second, dt="2018-11-01")
    lake.write_scans(_scans(CHECKS), dt="2018-11-01")
    return root


def _scans(checks: dict[str, int]) -> list[dict]:
    """r1 and r2 report `checks`; r3 reports nothing (each summary counts what its run sent:
    a scan resolves only once the findings it counted are stored, jobs/scan_runs.py)."""
    return [scan(r, started=at(d), checks=c, account=PAYER)
            for r, d, c in (("r1", 1, checks), ("r2", 10, checks),
                            ("r3", 26, {k: 0 for k in checks}))]


def _line_day_sum(usage_type: str, lo: str, hi: str) -> Decimal:
    return raw_cost(f"""line_item_usage_account_id = '{PAYER}' AND product_region = 'us-east-1'
          AND line_item_usage_type = '{usage_type}'
          AND line_item_line_item_type IN ('Usage', 'DiscountedUsage')
          AND line_item_usage_start_date >= TIMESTAMP '{lo} 00:00:00'
          AND line_item_usage_start_date < TIMESTAMP '{hi} 00:00:00'""")


def test_a_renamed_resource_is_measured_on_its_usage_line(data, capsys):
    assert main(["savings", "report", "--tenant", "acme", "--data-dir", str(data)]) == 0
    doc = json.loads(capsys.readouterr().out)
    by_res = {f["resource_id"].rsplit("/", 1)[-1]: f for f in doc["findings"]}
    before = _line_day_sum("BoxUsage:m5.large", "2018-10-27", "2018-11-10") / 14
    after = _line_day_sum("BoxUsage:m5.large", "2018-11-27", "2018-12-01") / 4
    assert before > after > 0  # one of the line's two instances stopped, the other runs on
    line_saving = (before - after) * 730 / 24
    for rid, share in zip(RENAMED, (Decimal("0.75"), Decimal("0.25")), strict=True):
        f = by_res[rid]
        assert f["state"] == "resolved" and f["method"] == "usage_line"
        assert f["before_period"] == ["2018-10-27", "2018-11-09"]
        assert f["after_period"] == ["2018-11-27", "2018-11-30"]
        assert f["cost_per_day_before"] == _cents(before * share)
        assert f["cost_per_day_after"] == _cents(after * share)
        assert f["realized_monthly"] == _cents(line_saving * share)
        assert f["confidence"] == pytest.approx(0.5 * 4 / 7, abs=1e-3)
    # the line's drop is shared by estimate (60 : 20), never counted once per finding
    total = sum(Decimal(by_res[r]["realized_monthly"]) for r in RENAMED)
    assert abs(total - line_saving) <= Decimal("0.01")
    assert doc["realized_monthly_usage_line"] == str(total)
    assert doc["realized_monthly"] == "0.00"  # the headline counts exact measurements only
    assert doc["bill_generated_for_demo"] is False  # a real bill


def test_without_a_priced_usage_type_nothing_is_measured(data, tmp_path, capsys):
    """A finding with neither a billed resource nor a usage type stays unmeasured, never 0."""
    root = tmp_path / "data"
    root.mkdir()
    (root / "cur_facts").symlink_to(data / "cur_facts", target_is_directory=True)
    lake = Lake(root)
    kw = {"account": PAYER, "region": "us-east-1"}
    first = finding("ec2_instance_low_utilization", "AWS::EC2::Instance", RENAMED[0], at=at(1),
                    run="r1", savings="60.00", **kw)
    lake.write_findings([first, dict(first, observed_at=at(10).isoformat(), run_id="r2")],
                        dt="2018-11-01")
    lake.write_scans(_scans({"ec2_instance_low_utilization": 1}), dt="2018-11-01")
    assert main(["savings", "report", "--tenant", "acme", "--data-dir", str(root)]) == 0
    f = json.loads(capsys.readouterr().out)["findings"][0]
    assert f["state"] == "resolved" and f["method"] == "none" and f["realized_monthly"] is None
