"""Realized savings on the Workshop October + November 2018 bills, with lifecycle built by the
project's own jobs from findings and scan summaries written as the stream writes them. The
expected figures are sums over the raw Parquet files (DuckDB), not over the facts."""

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
STOPS = "i-01c24bac399144aa9"  # billed until 2018-11-24 19:00
VOLUME = "vol-0c67bde555f59bbad"  # billed until 2018-11-24 19:00
RUNS = "i-0f6a57f12c94805ff"  # billed all of November
CHECKS = {"ec2_instance_low_utilization": 2, "ec2_ebs_volume_unattached": 1}


def at(day: int, month: int = 11) -> datetime:
    return datetime(2018, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    root = normalized_root(tmp_path_factory, "realized")
    lake = Lake(root)
    kw = {"account": PAYER, "region": "us-east-1"}
    first = [finding("ec2_instance_low_utilization", "AWS::EC2::Instance", STOPS, at=at(1),
                     run="r1", savings="60.00", **kw),
             finding("ec2_ebs_volume_unattached", "AWS::EC2::Volume", VOLUME, at=at(1), run="r1",
                     savings="1.50", **kw),
             finding("ec2_instance_low_utilization", "AWS::EC2::Instance", RUNS, at=at(1),
                     run="r1", savings="30.00", **kw)]
    second = [dict(f, observed_at=at(10).isoformat(), run_id="r2") for f in first]
    third = [dict(first[2], observed_at=at(26).isoformat(), run_id="r3")]
    lake.write_findings(first + second + third, dt="2018-11-01")
    # each summary counts what its run reported (r3: the stopped instance and volume are gone)
    lake.write_scans([scan(r, started=at(d), checks=c, account=PAYER)
                      for r, d, c in (("r1", 1, CHECKS), ("r2", 10, CHECKS),
                                      ("r3", 26, {k: 0 for k in CHECKS}
                                       | {"ec2_instance_low_utilization": 1}))],
                     dt="2018-11-01")
    return root


def _raw_day_sum(resource: str, lo: str, hi: str) -> Decimal:
    return raw_cost(f"""line_item_resource_id LIKE '%{resource}'
          AND line_item_usage_start_date >= TIMESTAMPTZ '{lo} 00:00:00+00'
          AND line_item_usage_start_date < TIMESTAMPTZ '{hi} 00:00:00+00'""")


def test_report_measures_resolved_findings_on_the_raw_bill(data, capsys):
    assert main(["savings", "report", "--tenant", "acme", "--data-dir", str(data)]) == 0
    doc = json.loads(capsys.readouterr().out)
    by_res = {f["resource_id"].rsplit("/", 1)[-1]: f for f in doc["findings"]}
    assert {r: f["state"] for r, f in by_res.items()} == {
        STOPS: "resolved", VOLUME: "resolved", RUNS: "open"}
    total = Decimal(0)
    for res in (STOPS, VOLUME):
        f = by_res[res]
        # last seen Nov 10 -> 14 full days before it; resolved Nov 26 -> Nov 27..30 after
        assert f["before_period"] == ["2018-10-27", "2018-11-09"] and f["days_before"] == 14
        assert f["after_period"] == ["2018-11-27", "2018-11-30"] and f["days_after"] == 4
        before = _raw_day_sum(res, "2018-10-27", "2018-11-10") / 14
        after = _raw_day_sum(res, "2018-11-27", "2018-12-01") / 4
        assert before > 0 and after == 0  # the resource stopped billing after the fix
        assert f["cost_per_day_before"] == _cents(before)
        assert f["cost_per_day_after"] == "0.00"
        assert f["realized_monthly"] == _cents((before - after) * 730 / 24)
        assert f["realized_to_date"] == _cents((before - after) * 4)
        assert f["method"] == "exact_resource"
        assert f["confidence"] == pytest.approx(0.9 * 4 / 7, abs=1e-3)
        total += Decimal(f["realized_monthly"])
    assert by_res[RUNS]["realized_monthly"] is None and by_res[RUNS]["method"] == "none"
    assert doc["estimated_open_monthly"] == "30.00"
    assert doc["realized_monthly"] == str(total)
    assert doc["realized_this_month"] == str(total)  # as of the last billed hour: November
    assert doc["estimate_error_by_check"]["ec2_ebs_volume_unattached"]["findings"] == 1


def test_as_of_before_the_resolution_shows_nothing_realized(data, capsys):
    assert main(["savings", "report", "--tenant", "acme", "--data-dir", str(data),
                 "--as-of", "2018-11-20T00:00:00Z"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["resolved"] == 0 and doc["realized_monthly"] == "0.00"
    assert doc["estimated_open_monthly"] == "91.50"


def test_lifecycle_states_carry_the_realized_figure_and_one_savings_realized_event(data):
    """The jobs' lifecycle topics (jobs/lifecycle_events.py): the two findings the bill shows
    resolved get one `savings_realized` event each, with the figure of the window's
    realized.json; the one still running gets none."""
    from jobs.correlation.engine import load_rules
    from jobs.db import connect
    from jobs.inputs import findings_table, scans_table
    from jobs.lifecycle_events import diff
    from jobs.tenant import TenantConfig, build_tenant

    con = connect(threads=1)
    for table in (findings_table(data / "findings"), scans_table(data / "scans")):
        table.create(con)
        table.refresh(con)
    snap = build_tenant(con, "acme", TenantConfig(load_rules(), data / "cur_facts", states=True))
    figures = {r["fingerprint"]: r["realized_monthly"]
               for r in json.loads(snap.docs["realized.json"])["findings"] if r["realized_monthly"]}
    changes = diff({}, snap.states, snap.as_of_time)
    realized = {e["fingerprint"]: e for e in changes.events if e["kind"] == "savings_realized"}
    by_resource = {s["resource_id"].rsplit("/", 1)[-1]: s for s in snap.states}
    assert set(realized) == set(figures) == {by_resource[STOPS]["fingerprint"],
                                             by_resource[VOLUME]["fingerprint"]}
    assert all(realized[fp]["realized_monthly_savings"] == figures[fp] for fp in figures)
    assert by_resource[RUNS]["realized_monthly_savings"] is None
    again = diff({s["fingerprint"]: s for s in changes.states}, snap.states, snap.as_of_time)
    assert again.events == []
