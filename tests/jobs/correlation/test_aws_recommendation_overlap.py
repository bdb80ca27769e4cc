"""AWS's recommendations (the real checks, on recorded responses) beside our own findings on the
same resources, through the whole window: never both counted, and the totals are a DuckDB sum
over the counted rows of the findings document.

The rule (jobs/correlation/rules/aws_recommendation_overlap.sql): ours wins when one of our
findings on the resource is priced exactly; else AWS's figure wins if there is one."""

from __future__ import annotations

import json
from datetime import UTC
from decimal import Decimal

import boto3

from checks.config import TenantConfig as ChecksConfig
from checks.model import ScanContext
from checks.prices.catalog import PriceCatalog
from checks.runner import run_checks
from checks.services.computeoptimizer import ComputeOptimizerService
from checks.services.costoptimizationhub import CostOptimizationHubService
from jobs.db import connect
from jobs.tenant import TenantConfig, build_tenant
from tests.checks.advice_stub import stubbed

ACCOUNT, REGION = "123456789012", "us-east-1"
INSTANCE = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0aaaaaaaaaaaaaaa1"
VOLUME = f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/vol-0aaaaaaaaaaaaaaa1"
LAMBDA = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:resize-images"


def _aws_wires(kit) -> list[dict]:
    """The three AWS checks' findings on the recordings, as the producer puts them on the wire."""
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x",
                            region_name=REGION)
    ctx = ScanContext(session=session, tenant_id="acme", workspace="default",
                      account_id=ACCOUNT, region=REGION, run_id="run-1",
                      now=kit.T0.astimezone(UTC), prices=PriceCatalog.load(),
                      config=ChecksConfig.from_mapping({"checks": {}}))
    ctx.service(CostOptimizationHubService)._client = stubbed(
        "cost-optimization-hub", "aws_advice")[0]
    ctx.service(ComputeOptimizerService)._client = stubbed(
        "compute-optimizer", "aws_advice", "GetEC2InstanceRecommendations")[0]
    result = run_checks(ctx, ["cost_optimization_hub_recommendation",
                              "compute_optimizer_ec2_instance"])
    return [f.to_wire() for f in result.findings]


def _counted(docs: dict) -> list[dict]:
    return [r for r in json.loads(docs["findings.json"]) if r["count_state"] == "counted"]


def test_one_of_ours_and_aws_counts_per_resource(kit, lake, shipped_rules, tmp_path):
    ours = [
        # exact, priced from the catalog: ours wins over COH's Upgrade on the same volume
        kit.finding("ec2_ebs_gp2_to_gp3", "AWS::EC2::Volume", "vol-0aaaaaaaaaaaaaaa1",
                    savings="2.40", alternative_group=f"{VOLUME}#disposition"),
        # only a lower bound: AWS's figures win on the instance (COH 61.32 > CO 48.18)
        kit.finding("ec2_instance_low_utilization", "AWS::EC2::Instance", "i-0aaaaaaaaaaaaaaa1",
                    savings="30.00", alternative_group=f"{INSTANCE}#disposition",
                    details={"savings_bound": "lower"}),
        kit.finding("ec2_instance_graviton_candidate", "AWS::EC2::Instance",
                    "i-0aaaaaaaaaaaaaaa1", savings=None,
                    alternative_group=f"{INSTANCE}#disposition"),
        # a different cost of the same instance (no alternative group): not AWS's business
        kit.finding("ec2_instance_detailed_monitoring", "AWS::EC2::Instance",
                    "i-0aaaaaaaaaaaaaaa1", savings="2.10"),
    ]
    aws = _aws_wires(kit)
    assert sorted((w["check_id"], w["resource_id"]) for w in aws) == [
        ("compute_optimizer_ec2_instance", INSTANCE),
        ("cost_optimization_hub_recommendation", INSTANCE),
        ("cost_optimization_hub_recommendation", VOLUME),
        ("cost_optimization_hub_recommendation", LAMBDA),
    ]
    lake.write_findings(ours + aws)
    con = connect(threads=1)
    kit.load_tables(con, lake)
    snap = build_tenant(con, "acme", TenantConfig(shipped_rules))

    counted = sorted((r["check_id"], r["resource_id"]) for r in _counted(snap.docs))
    assert counted == [
        ("cost_optimization_hub_recommendation", INSTANCE),  # AWS's best of its two
        ("cost_optimization_hub_recommendation", LAMBDA),  # nothing of ours on it
        ("ec2_ebs_gp2_to_gp3", VOLUME),  # ours, exact
        ("ec2_instance_detailed_monitoring", INSTANCE),
    ]
    rows = {(r["check_id"], r["resource_id"]): r for r in json.loads(snap.docs["findings.json"])}
    assert rows[("cost_optimization_hub_recommendation", VOLUME)]["count_state"] == "superseded"
    assert rows[("compute_optimizer_ec2_instance", INSTANCE)]["count_state"] == "superseded"
    assert rows[("ec2_instance_low_utilization", INSTANCE)]["count_state"] == "superseded"

    # the overview's total is the sum of the counted rows, summed by DuckDB from the document
    expected = kit.counted_total(snap.docs, tmp_path)
    assert Decimal(expected) == Decimal("61.32") + Decimal("0.42") + Decimal("2.40") \
        + Decimal("2.10")  # hand sum of the four counted rows

    metas = {m["details"]["winner"]: m
             for m in json.loads(snap.docs["correlated_findings.json"])
             if m["check_id"] == "aws_recommendation_overlap"}
    assert sorted(metas) == ["aws", "ours"]
    assert metas["ours"]["resource_id"] == VOLUME


def test_without_any_aws_figure_ours_stay(kit, lake, shipped_rules):
    """AWS's finding without savings never displaces ours, even our unknown one."""
    lake.write_findings([
        kit.finding("ec2_instance_graviton_candidate", "AWS::EC2::Instance",
                    "i-0aaaaaaaaaaaaaaa9", savings=None,
                    alternative_group=f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/"
                                      "i-0aaaaaaaaaaaaaaa9#disposition"),
        kit.finding("compute_optimizer_ec2_instance", "AWS::EC2::Instance",
                    "i-0aaaaaaaaaaaaaaa9", savings=None,
                    alternative_group=f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/"
                                      "i-0aaaaaaaaaaaaaaa9#aws-recommendation"),
    ])
    con = connect(threads=1)
    kit.load_tables(con, lake)
    snap = build_tenant(con, "acme", TenantConfig(shipped_rules))
    states = {r["check_id"]: r["count_state"] for r in json.loads(snap.docs["findings.json"])}
    assert states == {"ec2_instance_graviton_candidate": "counted",
                      "compute_optimizer_ec2_instance": "superseded"}
