"""Lifecycle: new -> open -> resolved, and the scans that may (not) resolve a finding."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jobs.db import connect
from jobs.lifecycle import build_state

H = timedelta(hours=1)
CHECK = "ec2_ebs_volume_unattached"


def _state(kit, lake):
    con = connect(threads=1)
    kit.load_tables(con, lake)
    clock = build_state(con, "acme")
    rows = con.sql("SELECT resource_id, lifecycle_state, first_seen, last_seen, resolved_at"
                   " FROM fstate ORDER BY resource_id").fetchall()
    return {r[0].rsplit("/", 1)[1]: r[1:] for r in rows}, clock.as_of


def _vol(kit, rid, at, run):
    return kit.finding(CHECK, "AWS::EC2::Volume", rid, at=at, run=run)


def _two_runs(kit, lake):
    t0 = kit.T0
    lake.write_findings([_vol(kit, "vol-1", t0, "r1"), _vol(kit, "vol-2", t0, "r1")])
    lake.write_scans([kit.scan("r1", started=t0 - timedelta(minutes=1), checks={CHECK: 2})])
    lake.write_findings([_vol(kit, "vol-1", t0 + H, "r2")])
    return t0


def test_new_then_open(kit, lake):
    t0 = kit.T0
    lake.write_findings([_vol(kit, "vol-1", t0, "r1")])
    assert _state(kit, lake)[0]["vol-1"][0] == "new"
    lake.write_findings([_vol(kit, "vol-1", t0 + H, "r2")])
    state, as_of = _state(kit, lake)
    assert state["vol-1"][:3] == ("open", t0, t0 + H)
    assert as_of == t0 + H  # data time, not the wall clock


def test_completed_scan_that_no_longer_reports_resolves(kit, lake):
    t0 = _two_runs(kit, lake)
    lake.write_scans([kit.scan("r2", started=t0 + H - timedelta(minutes=1), checks={CHECK: 1})])
    state, _ = _state(kit, lake)
    assert state["vol-1"][0] == "open"
    assert state["vol-2"][0] == "resolved"
    assert state["vol-2"][3] == t0 + H  # finished_at of run r2 (started 1 min before, 1 min long)
    assert state["vol-2"][2] == t0  # last_seen kept


@pytest.mark.parametrize("scan_kw", [
    {"status": "failed"},
    {"status": "partial", "errors": [{"service": "ebs", "operation": "DescribeVolumes",
                                      "code": "Throttling", "message": "x"}]},
    {"status": "partial", "errors": [{"check_id": CHECK, "code": "AccessDenied",
                                      "message": "x", "region": "us-east-1"}]},
    {"status": "partial", "errors": [{"code": "Timeout", "message": "scope-wide"}]},
    {"checks": {"ec2_instance_stopped_long": 0}},  # our check did not run
])
def test_scans_that_prove_nothing_never_resolve(kit, lake, scan_kw):
    t0 = _two_runs(kit, lake)
    kw = {"checks": {CHECK: 1}, **scan_kw}
    lake.write_scans([kit.scan("r2", started=t0 + H - timedelta(minutes=1), **kw)])
    assert _state(kit, lake)[0]["vol-2"][0] == "new"


def test_errors_elsewhere_do_not_block_resolution(kit, lake):
    t0 = _two_runs(kit, lake)
    errors = [{"service": "rds", "code": "AccessDenied", "message": "x"},
              {"check_id": CHECK, "region": "eu-west-1", "code": "x", "message": "other region"}]
    lake.write_scans([kit.scan("r2", started=t0 + H - timedelta(minutes=1), status="partial",
                               checks={CHECK: 1}, errors=errors)])
    assert _state(kit, lake)[0]["vol-2"][0] == "resolved"


def test_scan_of_another_region_does_not_resolve(kit, lake):
    t0 = _two_runs(kit, lake)
    lake.write_scans([kit.scan("r2", started=t0 + H, checks={CHECK: 0}, region="eu-west-1")])
    assert _state(kit, lake)[0]["vol-2"][0] == "new"


def test_a_resolved_finding_that_comes_back_is_open_again(kit, lake):
    t0 = _two_runs(kit, lake)
    lake.write_scans([kit.scan("r2", started=t0 + H - timedelta(minutes=1), checks={CHECK: 1})])
    lake.write_findings([_vol(kit, "vol-2", t0 + 2 * H, "r3")])
    state, _ = _state(kit, lake)
    assert state["vol-2"][0] == "open" and state["vol-2"][3] is None


def test_sightings_without_a_run_id_count_by_time(kit, lake):
    t0 = kit.T0
    lake.write_findings([_vol(kit, "vol-1", t0, ""), _vol(kit, "vol-2", t0, "")])
    lake.write_findings([_vol(kit, "vol-1", t0 + H, "")])
    state, _ = _state(kit, lake)
    assert state["vol-1"][0] == "open" and state["vol-2"][0] == "new"


def test_latest_report_wins_ties_by_provenance(kit, lake):
    t0 = kit.T0
    lake.write_findings([kit.finding(CHECK, "AWS::EC2::Volume", "vol-1", at=t0, savings="1.00"),
                         kit.finding(CHECK, "AWS::EC2::Volume", "vol-1", at=t0, savings="2.00")])
    lake.write_findings([kit.finding(CHECK, "AWS::EC2::Volume", "vol-1", at=t0 - H,
                                     savings="3.00")], partition=5)
    con = connect(threads=1)
    kit.load_tables(con, lake)
    build_state(con, "acme")
    rows = con.sql("SELECT estimated_monthly_savings, source_offset, first_seen FROM fstate"
                   ).fetchall()
    assert [(str(s), o) for s, o, _ in rows] == [("2.00", 1)]  # newest time, then offset
    assert rows[0][2] == t0 - H
