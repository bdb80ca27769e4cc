"""Compute Optimizer EBS recommendations on recorded responses (validated by Stubber)."""

from __future__ import annotations

from decimal import Decimal

from checks.services.computeoptimizer import ComputeOptimizerService
from tests.checks.advice_stub import failing, run_on, stubbed

CHECK = "compute_optimizer_ebs_volume"


def _scan(make_ctx, client):
    return run_on(make_ctx(), ComputeOptimizerService, client, CHECK)


def test_not_optimized_volume_with_savings_before_discounts(make_ctx, contract):
    client, _ = stubbed("compute-optimizer", "aws_advice", "GetEBSVolumeRecommendations")
    result = _scan(make_ctx, client)
    contract(result.findings)
    [f] = result.findings  # the Optimized gp3 volume is not reported
    assert f.resource_id == "arn:aws:ec2:us-east-1:123456789012:volume/vol-0aaaaaaaaaaaaaaa1"
    assert (f.details["current"], f.details["recommended"]) == ("gp2 100 GiB", "gp3 100 GiB")
    assert f.estimated_monthly_savings == Decimal("2.00")
    # no after-discounts figure in the recording: the formula says it is the list-price one
    assert "before discounts (list price) = $2.0/month" in f.savings_formula
    assert f.details["after_discounts"] is False


def test_opt_in_required_is_recorded_for_the_volume_check_too(make_ctx):
    client, _ = failing("compute-optimizer", "GetEBSVolumeRecommendations",
                        "OptInRequiredException", "The account is not opted in.")
    result = _scan(make_ctx, client)
    assert result.findings == []
    assert [e.code for e in result.errors] == ["SourceNotEnabled"]
