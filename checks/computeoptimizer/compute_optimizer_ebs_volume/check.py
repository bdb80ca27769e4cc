"""Compute Optimizer's recommendation for a not-optimized EBS volume (its top-ranked option)."""

from __future__ import annotations

from checks.aws_advice import AwsAdviceCheck
from checks.model import ScanContext, load_meta
from checks.services.aws_advice import AwsAdvice
from checks.services.computeoptimizer import ComputeOptimizerService


class ComputeOptimizerEbsVolume(AwsAdviceCheck):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[AwsAdvice]:
        return ctx.service(ComputeOptimizerService).volume_recommendations()
