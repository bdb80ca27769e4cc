"""Cost Optimization Hub on recorded responses (shapes validated by botocore's Stubber)."""

from __future__ import annotations

from decimal import Decimal

from checks.services.costoptimizationhub import RESOURCE_ACTIONS, CostOptimizationHubService
from tests.checks.advice_stub import failing, run_on, stubbed

CHECK = "cost_optimization_hub_recommendation"


def _scan(make_ctx, client, **cfg):
    ctx = make_ctx(config={CHECK: cfg} if cfg else None)
    return run_on(ctx, CostOptimizationHubService, client, CHECK)


def test_recommendations_become_findings_with_aws_savings(make_ctx, contract):
    client, stub = stubbed("cost-optimization-hub", "aws_advice")
    result = _scan(make_ctx, client)
    stub.assert_no_pending_responses()  # both pages read
    contract(result.findings)
    by_id = {f.resource_id: f for f in result.findings}
    assert sorted(by_id) == [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-0aaaaaaaaaaaaaaa1",
        "arn:aws:ec2:us-east-1:123456789012:volume/vol-0aaaaaaaaaaaaaaa1",
        "arn:aws:lambda:us-east-1:123456789012:function:resize-images",
    ]
    inst = by_id["arn:aws:ec2:us-east-1:123456789012:instance/i-0aaaaaaaaaaaaaaa1"]
    assert inst.estimated_monthly_savings == Decimal("61.32")
    assert inst.resource_type == "AWS::EC2::Instance"
    assert inst.savings_formula.startswith("AWS's figure: Cost Optimization Hub estimated"
                                           " monthly savings after discounts = $61.32/month")
    assert "of an estimated $122.64/month over a 14-day look-back" in inst.savings_formula
    assert inst.details["action"] == "Rightsize"
    assert (inst.details["current"], inst.details["recommended"]) == ("m5.xlarge", "m5.large")
    assert inst.alternative_group == inst.resource_id + "#aws-recommendation"
    assert inst.resource_name == "batch-1"
    vol = by_id["arn:aws:ec2:us-east-1:123456789012:volume/vol-0aaaaaaaaaaaaaaa1"]
    assert (vol.details["action"], vol.estimated_monthly_savings) == ("Upgrade", Decimal("2.00"))
    # the Auto Scaling group is a type we do not name: skipped, and the skip is recorded
    assert [(e.code, e.message) for e in result.errors] == [
        ("SkippedResource", "Ec2AutoScalingGroup: 1 Cost Optimization Hub recommendation(s) on"
                            " a resource type finops-stream does not name")]


def test_the_request_asks_for_this_account_region_and_resource_actions_only(make_ctx):
    client, stub = stubbed("cost-optimization-hub", "aws_advice")
    seen = []
    client.meta.events.register("provide-client-params.cost-optimization-hub.*",
                                lambda params, **kw: seen.append(params))
    _scan(make_ctx, client)
    assert seen[0]["filter"] == {"accountIds": ["123456789012"], "regions": ["us-east-1"],
                                 "actionTypes": RESOURCE_ACTIONS}
    assert "PurchaseSavingsPlans" not in RESOURCE_ACTIONS
    assert seen[0]["includeAllRecommendations"] is False


def test_min_monthly_savings_drops_small_recommendations(make_ctx):
    client, _ = stubbed("cost-optimization-hub", "aws_advice")
    result = _scan(make_ctx, client, min_monthly_savings=5)
    assert [f.details["action"] for f in result.findings] == ["Rightsize"]


def test_an_account_not_enrolled_is_a_recorded_source_not_enabled(make_ctx):
    client, _ = failing("cost-optimization-hub", "ListRecommendations", "AccessDeniedException",
                        "Account 123456789012 is not enrolled in Cost Optimization Hub.")
    result = _scan(make_ctx, client)
    assert result.findings == [] and result.skipped_checks == [CHECK]
    [err] = result.errors
    assert (err.code, err.check_id, err.service) == ("SourceNotEnabled", CHECK,
                                                     "cost-optimization-hub")
    assert err.message.startswith("Cost Optimization Hub is not enabled for account 123456789012")


def test_plain_access_denied_stays_access_denied(make_ctx):
    client, _ = failing("cost-optimization-hub", "ListRecommendations", "AccessDeniedException",
                        "User is not authorized to perform cost-optimization-hub:"
                        "ListRecommendations")
    [err] = _scan(make_ctx, client).errors
    assert err.code == "AccessDeniedException"


def test_the_client_is_the_us_east_1_endpoint_whatever_the_scanned_region(make_ctx):
    ctx = make_ctx(region="eu-west-1")
    client = ctx.service(CostOptimizationHubService).client()
    assert client.meta.region_name == "us-east-1"
