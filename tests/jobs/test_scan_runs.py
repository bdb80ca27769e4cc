"""Whole scan runs: a summary stored before its findings resolves nothing, and a run's state
(complete / in progress / incomplete / unverified) follows what is stored."""

from __future__ import annotations

from datetime import timedelta

from jobs.db import connect
from jobs.lifecycle import build_state
from jobs.scan_runs import run_states

H = timedelta(hours=1)
M = timedelta(minutes=1)
CHECK = "ec2_ebs_volume_unattached"
EU = "eu-west-1"


def _vol(kit, rid, at, run, region="us-east-1"):
    return kit.finding(CHECK, "AWS::EC2::Volume", rid, at=at, run=run, region=region)


def _con(kit, lake):
    con = connect(threads=1)
    kit.load_tables(con, lake)
    return con


def _states(kit, lake):
    con = _con(kit, lake)
    build_state(con, "acme")
    rows = con.sql("SELECT resource_id, lifecycle_state FROM fstate").fetchall()
    runs = {r.run_id: r for r in run_states(con, "findings", "scans")}
    return {r[0].rsplit("/", 1)[1]: r[1] for r in rows}, runs


def _run1(kit, lake):
    t0 = kit.T0
    lake.write_findings([_vol(kit, "vol-1", t0, "r1"), _vol(kit, "vol-2", t0, "r1"),
                         _vol(kit, "vol-3", t0, "r1", EU)])
    lake.write_scans([kit.scan("r1", started=t0 - M, checks={CHECK: 2}),
                      kit.scan("r1", started=t0 - M, checks={CHECK: 1}, region=EU)])
    return t0 + H


def test_a_summary_stored_before_its_findings_resolves_nothing(kit, lake):
    t1 = _run1(kit, lake)
    # run 2's summary says the check found 2 (vol-1, vol-2 again); one is stored so far
    lake.write_scans([kit.scan("r2", started=t1 - M, checks={CHECK: 2})])
    lake.write_findings([_vol(kit, "vol-1", t1, "r2")])
    states, runs = _states(kit, lake)
    assert states["vol-2"] == "new"  # not resolved: its run-2 sighting is not stored yet
    assert runs["r2"].status == "in_progress"
    assert (runs["r2"].findings_reported, runs["r2"].findings_stored) == (2, 1)
    assert runs["r1"].status == "complete"
    lake.write_findings([_vol(kit, "vol-2", t1, "r2")])
    lake.write_scans([kit.scan("r2", started=t1 - M, checks={CHECK: 0}, region=EU)])
    states, runs = _states(kit, lake)
    assert states == {"vol-1": "open", "vol-2": "open", "vol-3": "resolved"}
    assert runs["r2"].status == "complete" and runs["r2"].scopes_complete == 2


def test_a_complete_scope_resolves_what_it_no_longer_reports(kit, lake):
    t1 = _run1(kit, lake)
    lake.write_findings([_vol(kit, "vol-1", t1, "r2")])
    lake.write_scans([kit.scan("r2", started=t1 - M, checks={CHECK: 1})])
    states, runs = _states(kit, lake)
    assert states["vol-2"] == "resolved"
    # the eu-west-1 scope of run 2 has not reported: the run is in progress, vol-3 stands
    assert states["vol-3"] == "new"
    assert runs["r2"].status == "in_progress"
    assert (runs["r2"].scopes, runs["r2"].scopes_reported) == (2, 1)


def test_findings_without_a_summary_yet_are_a_run_in_progress(kit, lake):
    t1 = _run1(kit, lake)
    lake.write_findings([_vol(kit, "vol-1", t1, "r2")])
    _, runs = _states(kit, lake)
    assert runs["r2"].status == "in_progress" and runs["r2"].scopes_reported == 0


def test_a_run_overtaken_by_a_later_complete_one_is_incomplete(kit, lake):
    t1 = _run1(kit, lake)
    lake.write_findings([_vol(kit, "vol-1", t1, "r2")])
    lake.write_scans([kit.scan("r2", started=t1 - M, checks={CHECK: 1})])  # eu never reported
    t2 = t1 + H
    lake.write_findings([_vol(kit, "vol-1", t2, "r3"), _vol(kit, "vol-3", t2, "r3", EU)])
    lake.write_scans([kit.scan("r3", started=t2 - M, checks={CHECK: 1}),
                      kit.scan("r3", started=t2 - M, checks={CHECK: 1}, region=EU)])
    _, runs = _states(kit, lake)
    assert [runs[r].status for r in ("r1", "r2", "r3")] == ["complete", "incomplete", "complete"]


def test_a_tenant_without_summaries_is_unverified(kit, lake):
    lake.write_findings([_vol(kit, "vol-1", kit.T0, "r1")])
    lake.write_findings([_vol(kit, "vol-1", kit.T0 + H, "r2")])
    _, runs = _states(kit, lake)
    assert {r.status for r in runs.values()} == {"unverified"}
