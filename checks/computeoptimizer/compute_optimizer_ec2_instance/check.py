"""Compute Optimizer's rightsizing of an over-provisioned EC2 instance (its top-ranked option)."""

from __future__ import annotations

from checks.aws_advice import AwsAdviceCheck
from checks.model import ScanContext, load_meta
from checks.services.aws_advice import AwsAdvice
from checks.services.computeoptimizer import ComputeOptimizerService


class ComputeOptimizerEc2Instance(AwsAdviceCheck):
    meta = load_meta(__file__)

    def collect(self, ctx: ScanContext) -> list[AwsAdvice]:
        return ctx.service(ComputeOptimizerService).instance_recommendations()
