"""Cost Optimization Hub's recommendation for a resource, with AWS's savings after discounts."""

from __future__ import annotations

from checks.aws_advice import AwsAdviceCheck
from checks.model import ScanContext, load_meta
from checks.services.aws_advice import AwsAdvice
from checks.services.costoptimizationhub import CostOptimizationHubService


class CostOptimizationHubRecommendation(AwsAdviceCheck):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[AwsAdvice]:
        advice, unnamed = ctx.service(CostOptimizationHubService).recommendations()
        for rtype in sorted(set(unnamed)):
            self.skip(ctx, rtype, f"{unnamed.count(rtype)} Cost Optimization Hub"
                      " recommendation(s) on a resource type finops-stream does not name")
        return advice
