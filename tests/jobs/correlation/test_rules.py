"""Each shipped correlation rule on crafted findings: fires when it should, not otherwise."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

INST = "AWS::EC2::Instance"
V = "AWS::EC2::Volume"
E = "AWS::EC2::EIP"
S = "AWS::EC2::Snapshot"


def _fps(kit, lake, wires):
    """fingerprints of wires, in order (computed by the same cast the lake uses)."""
    return [w["fingerprint"] for w in wires]


def _run(kit, lake, wires):
    lake.write_findings(wires)
    return kit.metas(kit.correlate(lake))


def test_abandoned_instance_groups_instance_volumes_and_addresses(kit, lake):
    w = [
        kit.finding("ec2_instance_stopped", INST, "i-0abc", savings="30.00"),
        kit.finding("ebs_volume_stopped_instance", V, "vol-1", savings="8.00",
                    details={"instance_id": "i-0abc"}),
        kit.finding("ebs_volume_stopped_instance", V, "vol-2", savings=None,
                    details={"instance_id": "i-0abc"}),
        kit.finding("ec2_eip_idle", E, "eipalloc-1", savings="3.60",
                    details={"instance_id": "I-0ABC"}),
        kit.finding("ebs_volume_stopped_instance", V, "vol-9", savings="5.00",
                    details={"instance_id": "i-other"}),
    ]
    metas = _run(kit, lake, w)["abandoned_instance"]
    assert len(metas) == 1
    m = metas[0]
    assert set(m["source_fingerprints"]) == set(_fps(kit, lake, w[:4]))
    assert m["estimated_monthly_savings"] == Decimal("41.60")  # unknown vol-2 adds nothing
    assert m["resource_id"].endswith(":instance/i-0abc")
    assert json.loads(m["details"])["volumes"] == "2"


def test_abandoned_instance_needs_an_attached_resource(kit, lake):
    metas = _run(kit, lake, [kit.finding("ec2_instance_stopped", INST, "i-0abc")])
    assert "abandoned_instance" not in metas


def test_orphaned_snapshots_need_volume_and_image_gone(kit, lake):
    gone = {"volume_id": "vol-1", "volume_exists": "false", "image_id": "ami-1",
            "image_exists": "false"}
    w = [
        kit.finding("ebs_snapshot_old", S, "snap-1", savings="2.00", details=gone),
        kit.finding("ebs_snapshot_orphaned", S, "snap-2", savings="3.00",
                    details={"volume_id": "vol-1", "volume_exists": "false"}),
        kit.finding("ebs_snapshot_old", S, "snap-3", savings="9.00",
                    details={**gone, "image_exists": "true"}),  # AMI still there
        kit.finding("ebs_snapshot_old", S, "snap-4", savings="9.00",
                    details={"volume_id": "vol-2", "volume_exists": "true"}),
    ]
    metas = _run(kit, lake, w)["orphaned_snapshots"]
    assert len(metas) == 1
    assert set(metas[0]["source_fingerprints"]) == set(_fps(kit, lake, w[:2]))
    assert metas[0]["estimated_monthly_savings"] == Decimal("5.00")
    assert metas[0]["resource_type"] == "FinOps::Correlation::Group"


@pytest.mark.parametrize(("nat_details", "fires"), [
    ({"vpc_id": "vpc-1", "vpc_instance_count": "2"}, True),
    ({"vpc_id": "vpc-1", "vpc_running_instances": "0"}, True),
    ({"vpc_id": "vpc-1", "vpc_instance_count": "3"}, False),  # one instance still running
    ({"vpc_id": "vpc-1"}, False),  # nothing says the VPC is otherwise empty
])
def test_idle_nat_in_dead_vpc(kit, lake, nat_details, fires):
    w = [
        kit.finding("nat_gateway_idle", "AWS::EC2::NatGateway", "nat-1", savings="32.00",
                    details=nat_details),
        kit.finding("ec2_instance_stopped", INST, "i-1", savings="1.00", details={"vpc_id": "vpc-1"}),
        kit.finding("ec2_instance_stopped", INST, "i-2", savings="2.00", details={"vpc_id": "vpc-1"}),
        kit.finding("ec2_instance_stopped", INST, "i-3", savings="4.00", details={"vpc_id": "vpc-2"}),
    ]
    metas = _run(kit, lake, w).get("idle_nat_dead_vpc", [])
    assert len(metas) == (1 if fires else 0)
    if fires:
        assert metas[0]["estimated_monthly_savings"] == Decimal("35.00")
        assert set(metas[0]["source_fingerprints"]) == set(_fps(kit, lake, w[:3]))


@pytest.mark.parametrize(("targets", "fires"), [
    ('["i-1","i-2"]', True), ("i-1, i-2", True), ('["i-1","i-7"]', False), ("", False)])
def test_lb_with_only_stopped_targets(kit, lake, targets, fires):
    lb = "AWS::ElasticLoadBalancingV2::LoadBalancer"
    w = [
        kit.finding("elb_no_healthy_targets", lb, "app/web/1", savings="16.00",
                    details={"target_instance_ids": targets}),
        kit.finding("ec2_instance_stopped", INST, "i-1", savings="1.00"),
        kit.finding("ec2_instance_stopped", INST, "i-2", savings="2.00"),
    ]
    metas = _run(kit, lake, w).get("lb_dead_targets", [])
    assert len(metas) == (1 if fires else 0)
    if fires:
        assert metas[0]["estimated_monthly_savings"] == Decimal("19.00")


def test_rds_idle_with_its_manual_snapshots(kit, lake):
    w = [
        kit.finding("rds_instance_idle", "AWS::RDS::DBInstance", "orders-db", savings="120.00"),
        kit.finding("rds_snapshot_manual", "AWS::RDS::DBSnapshot", "orders-2026-01",
                    savings="4.00", details={"db_instance_id": "Orders-DB"}),
        kit.finding("rds_snapshot_manual", "AWS::RDS::DBSnapshot", "billing-2026-01",
                    savings="4.00", details={"db_instance_id": "billing-db"}),
    ]
    metas = _run(kit, lake, w)["rds_idle_with_snapshots"]
    assert len(metas) == 1
    assert metas[0]["estimated_monthly_savings"] == Decimal("124.00")
    assert set(metas[0]["source_fingerprints"]) == set(_fps(kit, lake, w[:2]))


@pytest.mark.parametrize(("cost", "expected"), [("100", "44.00"), (None, "30.00")])
def test_graviton_and_rightsize_are_one_move(kit, lake, cost, expected):
    details = {} if cost is None else {"current_monthly_cost": cost}
    w = [
        kit.finding("ec2_instance_low_utilization", INST, "i-1", savings="30.00", details=details),
        kit.finding("ec2_graviton_candidate", INST, "i-1", savings="20.00"),
    ]
    metas = _run(kit, lake, w)["graviton_rightsize"]
    assert len(metas) == 1
    # 30 + 20 - 30*20/100: both are fractions of the same bill, never 50
    assert metas[0]["estimated_monthly_savings"] == Decimal(expected)
    assert metas[0]["excluded_fingerprints"] == [w[1]["fingerprint"]]


def test_exclusive_alternatives_keep_the_highest_as_primary(kit, lake):
    w = [
        kit.finding("ec2_reserved_instance", INST, "i-1", savings="10.00", alternative_group="g1"),
        kit.finding("ec2_savings_plan", INST, "i-1", savings="30.00", alternative_group="g1"),
        kit.finding("ec2_spot_candidate", INST, "i-1", savings="20.00", alternative_group="g1"),
        kit.finding("ec2_reserved_instance", INST, "i-2", savings="10.00", alternative_group="g2"),
    ]
    metas = _run(kit, lake, w)["exclusive_alternatives"]
    assert len(metas) == 1  # a group of one is no choice
    m = metas[0]
    assert m["estimated_monthly_savings"] == Decimal("30.00")
    assert json.loads(m["details"])["primary_check_id"] == "ec2_savings_plan"
    assert sorted(m["excluded_fingerprints"]) == sorted([w[0]["fingerprint"], w[2]["fingerprint"]])


def test_removal_supersedes_tuning_of_the_same_resource(kit, lake):
    w = [
        kit.finding("ebs_volume_unattached", V, "vol-1", savings="10.00"),
        kit.finding("ebs_volume_gp2_to_gp3", V, "vol-1", savings="2.00"),
        kit.finding("ebs_volume_gp2_to_gp3", V, "vol-2", savings="2.00"),
    ]
    metas = _run(kit, lake, w)["delete_dominates_tuning"]
    assert len(metas) == 1
    assert metas[0]["estimated_monthly_savings"] == Decimal("10.00")
    assert metas[0]["excluded_fingerprints"] == [w[1]["fingerprint"]]


def test_unused_volume_with_its_old_snapshots(kit, lake):
    w = [
        kit.finding("ebs_volume_unattached", V, "vol-1", savings="10.00"),
        kit.finding("ebs_snapshot_old", S, "snap-1", savings="1.50", details={"volume_id": "vol-1"}),
        kit.finding("ebs_snapshot_old", S, "snap-2", savings="1.50", details={"volume_id": "vol-2"}),
    ]
    metas = _run(kit, lake, w)["unused_volume_snapshots"]
    assert len(metas) == 1
    assert metas[0]["estimated_monthly_savings"] == Decimal("11.50")


def test_meta_fingerprint_is_rule_resource_and_sorted_sources(kit, lake):
    from contracts.identity import fingerprint

    w = [
        kit.finding("ebs_volume_unattached", V, "vol-1", savings="10.00"),
        kit.finding("ebs_snapshot_old", S, "snap-1", savings="1.50", details={"volume_id": "vol-1"}),
    ]
    m = _run(kit, lake, w)["unused_volume_snapshots"][0]
    expected = fingerprint({"check_id": "unused_volume_snapshots", "tenant_id": "acme",
                            "account_id": kit.ACCOUNT, "region": kit.REGION,
                            "resource_id": m["resource_id"], "scope": "",
                            "source_fingerprints": list(reversed(m["source_fingerprints"]))})
    assert m["fingerprint"] == expected
    assert m["source_fingerprints"] == sorted(m["source_fingerprints"])
