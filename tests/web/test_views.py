"""Page data: totals that skip resolved / suppressed / alternative / meta findings, no-CUR nulls."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from web import views
from web.sample import correlate, make_findings, write_set
from web.snapshots import Snapshot, SnapshotStore


def _snap(findings: list[dict[str, Any]], **files: Any) -> Snapshot:
    data = {"findings.json": findings, **files}
    return Snapshot(tenant="acme", version=1, as_of="2026-11-20T10:00:00Z", data=data)


def _f(i: int, savings: str | None, **over: Any) -> dict[str, Any]:
    base = {"tenant_id": "acme", "finding_id": f"f{i}", "fingerprint": f"fp{i}", "service": "ec2",
            "region": "us-east-1", "account_id": "1", "resource_id": f"r{i}", "status": "open",
            "lifecycle_state": "open", "estimated_monthly_savings": savings, "currency": "USD",
            "severity": "high", "source_fingerprints": []}
    base.update(over)
    return base


def test_total_counts_what_the_writer_counts() -> None:
    rows = [
        _f(1, "10.00"),
        _f(2, "5.00", lifecycle_state="resolved"),
        _f(3, "7.00", suppressed=True),
        # the writer superseded the lower alternative (jobs.counting): its flag decides
        _f(4, "3.00", alternative_group="vol-a", resource_id="vol-a", counted=False,
           superseded=True, count_state="superseded"),
        _f(5, "8.00", alternative_group="vol-a", resource_id="vol-a", counted=True),
        _f(6, "100.00", source_fingerprints=["fp1", "fp4"]),  # meta: restates sources
        _f(7, None),
        _f(8, "1.00", tenant_id="globex"),
    ]
    got = views.overview(_snap(rows))
    assert got["estimated_monthly_savings"] == "18.00"
    assert got["findings_total"] == 6 and got["findings_open"] == 3
    assert got["by_service"] == [{"key": "ec2", "count": 3, "estimated_monthly_savings": "18.00",
                                  "unpriced": 1, "lower_bound": 0}]
    assert got["unpriced_findings"] == {"count": 1, "by_reason": {
        "price missing from the catalog": 0, "usage metric missing": 0, "not estimated": 1}}
    assert got["by_status"] == {"counted": 3, "superseded": 1, "suppressed": 1, "resolved": 1}


def test_no_cur_means_null_costs_not_zero() -> None:
    rows = make_findings("acme", 6, cur=False)
    snap = _snap(rows, **{"coverage.json": {"cur_available": False}})
    got = views.overview(snap)
    assert got["has_cur"] is False and got["actual_cost_30d_covered"] is None
    assert views.detail(snap, rows[0]["finding_id"])["actual_cost_30d"] is None


def test_cur_availability_falls_back_to_the_findings() -> None:
    with_cost = make_findings("acme", 3, cur=True)
    assert views.has_cur(_snap(with_cost)) is True
    assert views.has_cur(_snap(make_findings("acme", 3, cur=False))) is False
    more = make_findings("acme", 8, cur=True)  # some resolved / suppressed: not counted
    got = views.overview(_snap(more))
    counted = [f for f in more if f["counted"]]
    exact = [f for f in counted if f["attribution_method"] == "exact_resource"]
    assert 0 < len(exact) < len(counted) < len(more)
    assert got["findings_with_actual_cost"] == len(exact)
    assert Decimal(got["actual_cost_30d_covered"]) == sum(
        Decimal(f["actual_cost_30d"]) for f in exact)


def test_empty_snapshot_and_no_snapshot() -> None:
    assert views.overview(None)["empty"] is True
    assert views.overview(_snap([]))["empty"] is True
    assert views.coverage(None)["methods"][0]["share_of_findings"] is None
    assert views.scans(None) == [] and views.correlations(None) == []


def test_coverage_shares() -> None:
    rows = [_f(1, "30.00", attribution_method="exact_resource"),
            _f(2, "10.00", attribution_method="scoped_rollup"),
            _f(3, "10.00", attribution_method=None), _f(4, "50.00", attribution_method="none")]
    got = {m["method"]: m for m in views.coverage(_snap(rows))["methods"]}
    assert got["exact_resource"]["share_of_savings"] == 0.3
    assert got["none"]["count"] == 2 and got["none"]["share_of_findings"] == 0.5


def test_scans_normalized() -> None:
    snap = _snap([], **{"scans.json": [
        {"account_id": "2", "region": "eu-west-1", "status": "failed", "duration_ms": 2500,
         "errors": [{"service": "ec2", "operation": "DescribeVolumes", "code": "Throttling",
                     "message": "rate exceeded"}], "check_counts": {"a": 1, "b": 0}},
        {"account_id": "1", "region": "us-east-1", "errors": "boom"},
        "junk",
    ]})
    got = views.scans(snap)
    assert [r["account_id"] for r in got] == ["1", "2"]
    assert got[0]["status"] == "error" and got[0]["errors"] == ["boom"]
    assert got[1]["duration_s"] == 2.5 and got[1]["checks"] == 2
    assert got[1]["errors"] == ["ec2 DescribeVolumes Throttling: rate exceeded"]


def test_correlations_resolve_sources(data_dir: Path) -> None:
    rows = make_findings("acme", 5)
    meta = correlate("acme", rows[:2], "stack")
    meta["source_fingerprints"] = [*meta["source_fingerprints"], "gone"]
    write_set(data_dir, "acme", rows, version=1, correlated=[meta])
    snap = SnapshotStore(data_dir).view("acme").snapshot
    (got,) = views.correlations(snap)
    found = {s["fingerprint"]: s for s in got["sources"]}
    assert found["gone"]["found"] is False
    assert found[rows[0]["fingerprint"]]["title"] == rows[0]["title"]
    detail = views.detail(snap, meta["finding_id"])
    assert detail is not None and len(detail["sources"]) == 3


def test_detail_history_price_and_lookup_by_fingerprint() -> None:
    row = _f(1, "4.00", first_seen="2026-11-01T00:00:00Z", last_seen="2026-11-10T00:00:00Z",
             resolved_at="2026-11-12T00:00:00Z", lifecycle_state="resolved",
             details='{"price": "0.08", "price_source": "bundled"}')
    got = views.detail(_snap([row]), "fp1")
    assert got is not None
    assert [h["state"] for h in got["history"]] == ["new", "resolved", "resolved"]
    assert got["price"] == "0.08" and got["price_source"] == "bundled"
    given = dict(row, history=[{"at": "x", "state": "open"}, "junk"])
    assert views.detail(_snap([given]), "f1")["history"] == [{"at": "x", "state": "open"}]
    assert views.detail(_snap([row]), "nope") is None


def test_trend_points_accept_other_key_names() -> None:
    snap = _snap([], **{"trend.json": [{"run_id": "r1", "savings": 5},
                                       {"observed_at": "t2", "total": "7.5"}, 3]})
    assert views.trend_points(snap) == [
        {"label": "r1", "run_id": "r1", "estimated_monthly_savings": "5.00",
         "status": "unverified"},
        {"label": "t2", "run_id": None, "estimated_monthly_savings": "7.50",
         "status": "unverified"},
    ]


def test_writer_counted_flag_wins() -> None:
    rows = [_f(1, "10.00", counted=True), _f(2, "6.00", counted=False),  # superseded
            _f(3, "2.00", counted=True, lifecycle_state="new")]
    got = views.overview(_snap(rows))
    assert got["estimated_monthly_savings"] == "12.00" and got["findings_open"] == 2


def test_coverage_counts_open_findings_only_and_detail_links_parents() -> None:
    rows = [_f(1, "30.00", attribution_method="exact_resource", correlated_in=["m1"]),
            _f(2, "10.00", attribution_method="exact_resource", lifecycle_state="resolved")]
    got = {m["method"]: m for m in views.coverage(_snap(rows))["methods"]}
    assert got["exact_resource"]["count"] == 1
    meta = _f(9, "40.00", fingerprint="m1", finding_id="m1", title="stack",
              source_fingerprints=["fp1"])
    detail = views.detail(_snap(rows, **{"correlated_findings.json": [meta]}), "f1")
    assert detail["correlated_in"] == [{"fingerprint": "m1", "finding_id": "m1", "title": "stack"}]


def test_actual_cost_adds_up_exact_attribution_only() -> None:
    rows = [_f(1, "5.00", attribution_method="exact_resource", actual_cost_30d="40.00"),
            _f(2, "5.00", attribution_method="scoped_rollup", actual_cost_30d="900.00"),
            _f(3, "5.00", attribution_method="scoped_rollup", actual_cost_30d="900.00"),
            _f(4, "5.00", attribution_method="none", actual_cost_30d=None)]
    got = views.overview(_snap(rows, **{"coverage.json": {"cur_available": True}}))
    assert got["actual_cost_30d_covered"] == "40.00"
    assert got["findings_with_actual_cost"] == 1 and got["findings_with_scoped_cost_only"] == 2
    only_scoped = views.overview(_snap(rows[1:], **{"coverage.json": {"cur_available": True}}))
    assert only_scoped["has_cur"] is True and only_scoped["actual_cost_30d_covered"] is None
