"""Cost Optimization Hub: AWS's deduplicated recommendations (one per resource) with savings
after the account's discounts. A global API served from us-east-1; each region's scan asks for
its own region's recommendations of its own account."""

from __future__ import annotations

from typing import Any

from checks.services.aws_advice import AdviceService, AwsAdvice, money, tag_map
from checks.services.base import cached, parse_items

# COH resource types we can name as our checks do (ARN normal form in contracts/arn.py).
RESOURCE_TYPES = {
    "Ec2Instance": "AWS::EC2::Instance",
    "EbsVolume": "AWS::EC2::Volume",
    "LambdaFunction": "AWS::Lambda::Function",
    "RdsDbInstance": "AWS::RDS::DBInstance",
}
# Changes to a resource. Commitment purchases (Savings Plans, RIs) are sized on the usage that
# the resource recommendations would reduce: summing both double-counts, so they are not read.
RESOURCE_ACTIONS = ["Rightsize", "Stop", "Delete", "Upgrade", "MigrateToGraviton", "ScaleIn"]


def _advice(raw: dict[str, Any]) -> AwsAdvice:
    return AwsAdvice(
        source="Cost Optimization Hub",
        recommendation_id=raw["recommendationId"],
        resource_type=RESOURCE_TYPES[raw["currentResourceType"]],
        resource_id=raw.get("resourceArn") or raw["resourceId"],
        action=raw["actionType"],
        current=raw.get("currentResourceSummary") or raw["currentResourceType"],
        recommended=raw.get("recommendedResourceSummary") or raw.get("recommendedResourceType")
        or "",
        monthly_savings=money(raw.get("estimatedMonthlySavings")),
        currency=raw.get("currencyCode") or "USD",
        after_discounts=True,  # COH's default savings estimation mode nets the discounts
        monthly_cost=money(raw.get("estimatedMonthlyCost")),
        savings_percentage=money(raw.get("estimatedSavingsPercentage")),
        lookback_days=raw.get("recommendationLookbackPeriodInDays"),
        effort=raw.get("implementationEffort"),
        restart_needed=raw.get("restartNeeded"),
        rollback_possible=raw.get("rollbackPossible"),
        refreshed_at=str(raw["lastRefreshTimestamp"]) if raw.get("lastRefreshTimestamp") else None,
        tags=tag_map(raw.get("tags")),
    )


class CostOptimizationHubService(AdviceService):
    name = "cost-optimization-hub"
    source = "Cost Optimization Hub"

    def client(self, name: str | None = None, region: str | None = None) -> Any:
        if name is None and region is None:
            if self._client is None:
                self._client = self._make_client(self.name, "us-east-1")
            return self._client
        return super().client(name, region)

    @cached
    def recommendations(self) -> tuple[list[AwsAdvice], list[str]]:
        """(recommendations we can name, COH resource types of those we cannot)."""
        flt = {"accountIds": [self.ctx.account_id], "regions": [self.ctx.region],
               "actionTypes": RESOURCE_ACTIONS}
        raw = self.listing("ListRecommendations", lambda: self.paginate(
            "ListRecommendations", "items", filter=flt, includeAllRecommendations=False))
        known = [r for r in raw if r.get("currentResourceType") in RESOURCE_TYPES]
        other = sorted(str(r.get("currentResourceType")) for r in raw
                       if r.get("currentResourceType") not in RESOURCE_TYPES)
        return (parse_items(self, "ListRecommendations", known, _advice,
                            lambda r: r["recommendationId"]), other)
