"""One shape for "AWS's own recommendation as a finding" (Cost Optimization Hub, Compute
Optimizer): the resource, AWS's action and AWS's estimated monthly savings, stated as AWS's
figure (not re-priced from our catalog, not re-priceable from the bill: no price terms).

Every such finding goes to the resource's `#aws-recommendation` alternative group, so two AWS
sources on one instance (COH repeats Compute Optimizer) count once (`exclusive_alternatives`),
and the rule `aws_recommendation_overlap` decides between AWS's advice and our own findings on
the same resource, so the two are never both counted."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from checks.config import CheckConfig
from checks.model import Check, ScanContext
from checks.pricing import Estimate, fixed, unknown
from checks.services.aws_advice import AwsAdvice
from contracts.finding import Finding

AWS_GROUP = "#aws-recommendation"
CONFIDENCE = 0.7  # AWS's figure: its model and look-back, not a formula we can show term by term


def aws_estimate(a: AwsAdvice) -> Estimate:
    """AWS's figure as the estimate, with a formula that says whose figure it is."""
    basis = "after discounts" if a.after_discounts else "before discounts (list price)"
    if a.monthly_savings is None:
        return unknown(f"{a.source} gave no estimated monthly savings", f"aws:{a.source}")
    if a.currency != "USD":
        return unknown(f"{a.source} estimated {a.monthly_savings} {a.currency}/month; totals are"
                       f" USD and no exchange rate is applied", f"fx:{a.currency}")
    cost = f", of an estimated ${a.monthly_cost}/month" if a.monthly_cost is not None else ""
    look = f" over a {a.lookback_days}-day look-back" if a.lookback_days else ""
    return fixed(a.monthly_savings,
                 f"AWS's figure: {a.source} estimated monthly savings {basis}"
                 f" = ${a.monthly_savings}/month{cost}{look} (not re-priced by finops-stream)")


class AwsAdviceCheck(Check):
    """Subclasses implement `collect` (the AwsAdvice list of their source)."""

    def evaluate(self, models: list[AwsAdvice], cfg: CheckConfig,
                 ctx: ScanContext) -> Iterable[Finding]:
        floor = Decimal(str(cfg.get("min_monthly_savings")))
        for a in models:
            if a.monthly_savings is not None and a.monthly_savings < floor:
                continue
            arn = ctx.arn(a.resource_type, a.resource_id)
            yield self.finding(
                ctx, cfg,
                resource_id=a.resource_id,
                resource_type=a.resource_type,
                resource_name=a.tags.get("Name"),
                title=f"{a.source}: {a.action} {arn.rsplit(':', 1)[-1]}"
                      f" ({a.current} -> {a.recommended})",
                estimate=aws_estimate(a),
                confidence=CONFIDENCE,
                details={
                    "aws_source": a.source, "recommendation_id": a.recommendation_id,
                    "action": a.action, "current": a.current, "recommended": a.recommended,
                    "aws_monthly_savings": None if a.monthly_savings is None
                    else str(a.monthly_savings),
                    "aws_currency": a.currency, "after_discounts": a.after_discounts,
                    "aws_monthly_cost": None if a.monthly_cost is None else str(a.monthly_cost),
                    "savings_percentage": None if a.savings_percentage is None
                    else str(a.savings_percentage),
                    "lookback_days": a.lookback_days, "implementation_effort": a.effort,
                    "restart_needed": a.restart_needed, "rollback_possible": a.rollback_possible,
                    "refreshed_at": a.refreshed_at,
                },
                group=arn + AWS_GROUP,
                tags=a.tags,
            )
