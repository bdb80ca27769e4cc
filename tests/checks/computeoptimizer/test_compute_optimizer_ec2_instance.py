"""Compute Optimizer EC2 recommendations on recorded responses (validated by Stubber)."""

from __future__ import annotations

from decimal import Decimal

from checks.services.computeoptimizer import ComputeOptimizerService
from tests.checks.advice_stub import failing, run_on, stubbed

CHECK = "compute_optimizer_ec2_instance"


def _scan(make_ctx, client):
    return run_on(make_ctx(), ComputeOptimizerService, client, CHECK)


def test_rank_one_option_after_discounts(make_ctx, contract):
    client, _ = stubbed("compute-optimizer", "aws_advice", "GetEC2InstanceRecommendations")
    result = _scan(make_ctx, client)
    contract(result.findings)
    [f] = result.findings  # the Optimized instance is not reported
    assert f.resource_id == "arn:aws:ec2:us-east-1:123456789012:instance/i-0aaaaaaaaaaaaaaa1"
    assert f.details["recommended"] == "m5.large"  # rank 1, though listed second
    assert f.estimated_monthly_savings == Decimal("48.18")  # after discounts, not 70.08
    assert f.savings_formula.startswith(
        "AWS's figure: Compute Optimizer estimated monthly savings after discounts = $48.18")
    assert f.details["after_discounts"] is True and f.details["implementation_effort"] == "VeryLow"
    assert f.alternative_group.endswith(":instance/i-0aaaaaaaaaaaaaaa1#aws-recommendation")
    assert result.errors == []


def test_not_opted_in_is_source_not_enabled_not_a_crash(make_ctx):
    client, _ = failing("compute-optimizer", "GetEC2InstanceRecommendations",
                        "OptInRequiredException", "The account is not opted in.")
    result = _scan(make_ctx, client)
    assert result.findings == [] and result.skipped_checks == [CHECK]
    assert [(e.code, e.operation) for e in result.errors] == [
        ("SourceNotEnabled", "GetEC2InstanceRecommendations")]
