"""Each shipped correlation rule on crafted findings: fires when it should, not otherwise.

Check ids and details keys are the ones the shipped checks emit (checks/*/*/check.py)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

INST = "AWS::EC2::Instance"
V = "AWS::EC2::Volume"
S = "AWS::EC2::Snapshot"
RDS = "AWS::RDS::DBInstance"
RSNAP = "AWS::RDS::DBSnapshot"
STOPPED = "ec2_instance_stopped_long"


def _fps(wires):
    return {w["fingerprint"] for w in wires}


def _run(kit, lake, wires):
    lake.write_findings(wires)
    return kit.metas(kit.correlate(lake))


def test_abandoned_instance_groups_the_instance_and_its_volumes(kit, lake):
    w = [
        kit.finding(STOPPED, INST, "i-0abc", savings="3.60",
                    details={"volumes": ["vol-2"], "elastic_ips": ["1.2.3.4"]}),
        kit.finding("ec2_ebs_volume_on_stopped_instance", V, "vol-1", savings="8.00",
                    details={"instances": ["i-0abc"]}),
        kit.finding("ec2_ebs_volume_on_stopped_instance", V, "vol-2", savings=None,
                    details={"instances": ["i-other"]}),  # tied by the instance's volume list
        kit.finding("ec2_ebs_volume_on_stopped_instance", V, "vol-9", savings="5.00",
                    details={"instances": ["i-other"]}),
    ]
    metas = _run(kit, lake, w)["abandoned_instance"]
    assert len(metas) == 1
    m = metas[0]
    assert set(m["source_fingerprints"]) == _fps(w[:3])
    assert m["estimated_monthly_savings"] == Decimal("11.60")  # unknown vol-2 adds nothing
    assert m["resource_id"].endswith(":instance/i-0abc")
    assert json.loads(m["details"]) == {"volumes": "2", "elastic_ips": "1",
                                        "rule": "abandoned_instance", "sources": "3"}


def test_abandoned_instance_needs_an_attached_volume(kit, lake):
    metas = _run(kit, lake, [kit.finding(STOPPED, INST, "i-0abc")])
    assert "abandoned_instance" not in metas


def test_orphaned_snapshots_group_by_vanished_source(kit, lake):
    w = [
        kit.finding("ec2_ebs_snapshot_old", S, "snap-1", savings="2.00",
                    details={"volume_id": "vol-1", "volume_exists": "false"}),
        kit.finding("ec2_ebs_snapshot_old", S, "snap-2", savings="3.00",
                    details={"volume_id": "vol-1", "volume_exists": False}),
        kit.finding("ec2_ebs_snapshot_old", S, "snap-3", savings="1.00",
                    details={"volume_id": "vol-ffffffff"}),
        kit.finding("ec2_ebs_snapshot_old", S, "snap-4", savings="9.00",
                    details={"volume_id": "vol-2"}),  # its volume may still exist
        kit.finding("rds_snapshot_orphaned", RSNAP, "orders-1", savings="4.00",
                    details={"source_instance": "orders"}),
        kit.finding("rds_snapshot_orphaned", RSNAP, "orders-2", savings="4.00",
                    details={"source_instance": "orders"}),
    ]
    metas = _run(kit, lake, w)["orphaned_snapshots"]
    by_source = {json.loads(m["details"])["source"]: m for m in metas}
    assert sorted(by_source) == ["orders", "vol-1", "vol-ffffffff"]
    assert set(by_source["vol-1"]["source_fingerprints"]) == _fps(w[:2])
    assert by_source["vol-1"]["estimated_monthly_savings"] == Decimal("5.00")
    assert by_source["orders"]["estimated_monthly_savings"] == Decimal("8.00")
    assert by_source["orders"]["resource_type"] == "FinOps::Correlation::Group"


@pytest.mark.parametrize(("nat_details", "fires"), [
    ({"vpc_id": "vpc-1", "vpc_instance_count": 2}, True),
    ({"vpc_id": "vpc-1", "vpc_running_instances": 0}, True),
    ({"vpc_id": "vpc-1", "vpc_instance_count": 3}, False),  # one instance still running
    ({"vpc_id": "vpc-1", "bytes": 0}, False),  # nothing says the VPC is otherwise empty
])
def test_idle_nat_in_dead_vpc(kit, lake, nat_details, fires):
    w = [
        kit.finding("ec2_nat_gateway_idle", "AWS::EC2::NatGateway", "nat-1", savings="32.00",
                    details=nat_details),
        kit.finding(STOPPED, INST, "i-1", savings="1.00", details={"vpc_id": "vpc-1"}),
        kit.finding(STOPPED, INST, "i-2", savings="2.00", details={"vpc_id": "vpc-1"}),
        kit.finding(STOPPED, INST, "i-3", savings="4.00", details={"vpc_id": "vpc-2"}),
    ]
    metas = _run(kit, lake, w).get("idle_nat_dead_vpc", [])
    assert len(metas) == (1 if fires else 0)
    if fires:
        assert metas[0]["estimated_monthly_savings"] == Decimal("35.00")
        assert set(metas[0]["source_fingerprints"]) == _fps(w[:3])


@pytest.mark.parametrize(("details", "fires"), [
    ({"target_instance_ids": ["i-1", "i-2"], "healthy_targets": 0}, True),
    ({"target_instance_ids": "i-1, i-2", "healthy_targets": 0}, True),
    ({"target_instance_ids": ["i-1", "i-2"], "healthy_targets": 1}, False),
    ({"target_instance_ids": ["i-1", "i-7"], "healthy_targets": 0}, False),  # i-7 not stopped
    ({"registered_targets": 2, "healthy_targets": 0}, False),  # targets unknown
])
def test_lb_whose_targets_are_all_stopped(kit, lake, details, fires):
    lb = "AWS::ElasticLoadBalancingV2::LoadBalancer"
    w = [
        kit.finding("elb_load_balancer_no_targets", lb, "app/web/1", savings="16.00",
                    details=details),
        kit.finding(STOPPED, INST, "i-1", savings="1.00"),
        kit.finding(STOPPED, INST, "i-2", savings="2.00"),
    ]
    metas = _run(kit, lake, w).get("lb_dead_targets", [])
    assert len(metas) == (1 if fires else 0)
    if fires:
        assert metas[0]["estimated_monthly_savings"] == Decimal("19.00")


def test_rds_idle_with_its_manual_snapshots(kit, lake):
    w = [
        kit.finding("rds_instance_idle", RDS, "orders-db", savings="120.00"),
        kit.finding("rds_snapshot_manual_old", RSNAP, "orders-2026-01", savings="4.00",
                    details={"source_instance": "Orders-DB"}),
        kit.finding("rds_snapshot_manual_old", RSNAP, "billing-2026-01", savings="4.00",
                    details={"source_instance": "billing-db"}),
    ]
    metas = _run(kit, lake, w)["rds_idle_with_snapshots"]
    assert len(metas) == 1
    assert metas[0]["estimated_monthly_savings"] == Decimal("124.00")
    assert set(metas[0]["source_fingerprints"]) == _fps(w[:2])


@pytest.mark.parametrize(("cost", "expected"), [(100, "44.00"), (None, "30.00")])
def test_graviton_and_rightsize_are_one_move(kit, lake, cost, expected):
    details = {} if cost is None else {"current_monthly_cost": cost}
    w = [
        kit.finding("ec2_instance_low_utilization", INST, "i-1", savings="30.00", details=details),
        kit.finding("ec2_instance_graviton_candidate", INST, "i-1", savings="20.00",
                    details={"recommended_type": "m7g.large"}),
    ]
    metas = _run(kit, lake, w)["graviton_rightsize"]
    assert len(metas) == 1
    # 30 + 20 - 30*20/100: both are fractions of the same bill, never 50
    assert metas[0]["estimated_monthly_savings"] == Decimal(expected)
    assert metas[0]["excluded_fingerprints"] == [w[1]["fingerprint"]]
    assert json.loads(metas[0]["details"])["graviton_target"] == "m7g.large"


def test_exclusive_alternatives_keep_the_highest_as_primary(kit, lake):
    w = [
        kit.finding("ec2_instance_previous_generation", INST, "i-1", savings="10.00",
                    alternative_group="i-1#disposition"),
        kit.finding("ec2_instance_low_utilization", INST, "i-1", savings="30.00",
                    alternative_group="i-1#disposition"),
        kit.finding("ec2_instance_no_commitment_coverage", INST, "i-1", savings="20.00",
                    alternative_group="i-1#disposition"),
        kit.finding("ec2_instance_previous_generation", INST, "i-2", savings="10.00",
                    alternative_group="i-2#disposition"),
    ]
    metas = _run(kit, lake, w)["exclusive_alternatives"]
    assert len(metas) == 1  # a group of one is no choice
    m = metas[0]
    assert m["estimated_monthly_savings"] == Decimal("30.00")
    assert json.loads(m["details"])["primary_check_id"] == "ec2_instance_low_utilization"
    assert m["excluded_fingerprints"] == sorted([w[0]["fingerprint"], w[2]["fingerprint"]])


def test_removal_supersedes_tuning_even_against_a_larger_estimate(kit, lake):
    group = "vol-1#disposition"
    w = [
        kit.finding("ec2_ebs_volume_unattached", V, "vol-1", savings="10.00",
                    alternative_group=group),
        kit.finding("ec2_ebs_gp2_to_gp3", V, "vol-1", savings="12.00", alternative_group=group),
        kit.finding("ec2_ebs_gp2_to_gp3", V, "vol-2", savings="2.00"),
    ]
    metas = _run(kit, lake, w)
    (dom,) = metas["delete_dominates_tuning"]
    assert dom["estimated_monthly_savings"] == Decimal("10.00")
    assert dom["excluded_fingerprints"] == [w[1]["fingerprint"]]
    # exclusive_alternatives would keep the larger gp3 estimate; removal decided first
    (alt,) = metas["exclusive_alternatives"]
    assert alt["excluded_fingerprints"] == [] and alt["overruled_by"] == ["delete_dominates_tuning"]


def test_unused_volume_with_its_old_snapshots(kit, lake):
    w = [
        kit.finding("ec2_ebs_volume_unattached", V, "vol-1", savings="10.00"),
        kit.finding("ec2_ebs_snapshot_old", S, "snap-1", savings="1.50",
                    details={"volume_id": "vol-1"}),
        kit.finding("ec2_ebs_snapshot_old", S, "snap-2", savings="1.50",
                    details={"volume_id": "vol-2"}),
    ]
    metas = _run(kit, lake, w)["unused_volume_snapshots"]
    assert len(metas) == 1
    assert metas[0]["estimated_monthly_savings"] == Decimal("11.50")
    assert set(metas[0]["source_fingerprints"]) == _fps(w[:2])


def test_meta_fingerprint_is_rule_resource_and_sorted_sources(kit, lake):
    from contracts.identity import fingerprint

    w = [
        kit.finding("ec2_ebs_volume_unattached", V, "vol-1", savings="10.00"),
        kit.finding("ec2_ebs_snapshot_old", S, "snap-1", savings="1.50",
                    details={"volume_id": "vol-1"}),
    ]
    m = _run(kit, lake, w)["unused_volume_snapshots"][0]
    expected = fingerprint({"check_id": "unused_volume_snapshots", "tenant_id": "acme",
                            "account_id": kit.ACCOUNT, "region": kit.REGION,
                            "resource_id": m["resource_id"], "scope": "",
                            "source_fingerprints": list(reversed(m["source_fingerprints"]))})
    assert m["fingerprint"] == expected
    assert m["source_fingerprints"] == sorted(m["source_fingerprints"])


def test_resolved_and_suppressed_findings_do_not_correlate(kit, lake, shipped_rules):
    from datetime import timedelta

    from jobs.db import connect
    from jobs.tenant import TenantConfig, build_tenant

    w = [
        kit.finding("ec2_ebs_volume_unattached", V, "vol-1", savings="10.00"),
        kit.finding("ec2_ebs_snapshot_old", S, "snap-1", savings="1.50",
                    details={"volume_id": "vol-1"}),
        kit.finding("ec2_ebs_volume_unattached", V, "vol-2", savings="10.00", tags={"keep": "1"}),
        kit.finding("ec2_ebs_snapshot_old", S, "snap-2", savings="1.50",
                    details={"volume_id": "vol-2"}),
    ]
    lake.write_findings(w)

    def correlated():
        con = connect(threads=1)
        kit.load_tables(con, lake)
        snap = build_tenant(con, "acme", TenantConfig(shipped_rules, None, lake.root / "supp"))
        return {m["resource_id"].rsplit("/", 1)[1] for m in json.loads(snap.docs["correlated_findings.json"])}

    assert correlated() == {"vol-1", "vol-2"}
    (lake.root / "supp").mkdir()
    (lake.root / "supp" / "acme.json").write_text(json.dumps(
        {"suppressions": [{"tag": "keep", "reason": "r", "author": "a"}]}))
    lake.write_scans([kit.scan("run-2", started=kit.T0 + timedelta(hours=1),
                               checks={"ec2_ebs_snapshot_old": 0})])  # snap-1 resolved
    assert correlated() == set()


def test_snapshot_upper_bounds_are_never_summed_as_exact(kit, lake):
    up = {"savings_bound": "upper"}
    w = [
        kit.finding("ec2_ebs_snapshot_old", S, "snap-1", savings="2.00",
                    details={"volume_id": "vol-1", "volume_exists": "false"}),
        kit.finding("ec2_ebs_snapshot_old", S, "snap-2", savings="3.00",
                    details={"volume_id": "vol-1", "volume_exists": "false", **up}),
        kit.finding("ec2_ebs_snapshot_old", S, "snap-3", savings="4.00",
                    details={"volume_id": "vol-2", "volume_exists": "false", **up}),
        kit.finding("ec2_ebs_volume_unattached", V, "vol-9", savings="10.00"),
        kit.finding("ec2_ebs_snapshot_old", S, "snap-9", savings="1.50",
                    details={"volume_id": "vol-9", **up}),
        kit.finding("rds_instance_idle", RDS, "orders-db", savings="120.00"),
        kit.finding("rds_snapshot_manual_old", RSNAP, "orders-2026-01", savings="4.00",
                    details={"source_instance": "orders-db", **up}),
    ]
    metas = _run(kit, lake, w)
    orphans = {json.loads(m["details"])["source"]: m for m in metas["orphaned_snapshots"]}
    # vol-1: the exact 2.00 only; the 3.00 ceiling goes to details (2 + 3 = 5 at most)
    assert orphans["vol-1"]["estimated_monthly_savings"] == Decimal("2.00")
    one = json.loads(orphans["vol-1"]["details"])
    assert int(one["upper_bound_parts"]) == 1 and Decimal(str(one["upper_bound"])) == Decimal("5")
    assert orphans["vol-2"]["estimated_monthly_savings"] is None  # only a ceiling is known
    vol = metas["unused_volume_snapshots"][0]
    assert vol["estimated_monthly_savings"] == Decimal("10.00")
    assert Decimal(str(json.loads(vol["details"])["upper_bound"])) == Decimal("11.50")
    rds = metas["rds_idle_with_snapshots"][0]
    assert rds["estimated_monthly_savings"] == Decimal("120.00")
    assert Decimal(str(json.loads(rds["details"])["upper_bound"])) == Decimal("124.00")
