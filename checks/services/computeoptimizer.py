"""Compute Optimizer: rightsizing for EC2 instances and EBS volumes, in the scanned region, for
accounts that opted in. The top-ranked option is AWS's recommendation; its savings are taken
after discounts (`savingsOpportunityAfterDiscounts`) when AWS gives them, else before."""

from __future__ import annotations

from typing import Any

from checks.services.aws_advice import AdviceService, AwsAdvice, money, tag_map
from checks.services.base import cached, parse_items

NOT_ACTIONABLE = frozenset({"Optimized", "Underprovisioned"})  # no saving to report


def _best(options: list[dict[str, Any]]) -> dict[str, Any] | None:
    ranked = sorted(options or [], key=lambda o: o.get("rank", 1_000_000))
    return ranked[0] if ranked else None


def _savings(option: dict[str, Any]) -> tuple[Any, str, bool]:
    """(value, currency, after discounts?) of an option's estimated monthly savings."""
    for key, after in (("savingsOpportunityAfterDiscounts", True), ("savingsOpportunity", False)):
        est = (option.get(key) or {}).get("estimatedMonthlySavings")
        if est and est.get("value") is not None:
            return est["value"], est.get("currency") or "USD", after
    return None, "USD", False


def _advice(raw: dict[str, Any], arn_key: str, rtype: str, current: str,
            recommended: str, option: dict[str, Any]) -> AwsAdvice:
    value, currency, after = _savings(option)
    pct = (option.get("savingsOpportunityAfterDiscounts" if after else "savingsOpportunity")
           or {}).get("savingsOpportunityPercentage")
    lookback = raw.get("lookBackPeriodInDays")
    return AwsAdvice(
        source="Compute Optimizer",
        recommendation_id=raw[arn_key],
        resource_type=rtype,
        resource_id=raw[arn_key],
        action="Rightsize",
        current=current,
        recommended=recommended,
        monthly_savings=money(value),
        currency=currency,
        after_discounts=after,
        savings_percentage=money(pct),
        lookback_days=None if lookback is None else int(lookback),
        effort=option.get("migrationEffort"),
        refreshed_at=str(raw["lastRefreshTimestamp"]) if raw.get("lastRefreshTimestamp") else None,
        tags=tag_map(raw.get("tags")),
    )


def _instance(raw: dict[str, Any]) -> AwsAdvice | None:
    option = _best(raw.get("recommendationOptions") or [])
    if raw["finding"] in NOT_ACTIONABLE or option is None:
        return None
    return _advice(raw, "instanceArn", "AWS::EC2::Instance", raw["currentInstanceType"],
                   option["instanceType"], option)


def _vol_text(cfg: dict[str, Any]) -> str:
    return f"{cfg['volumeType']} {cfg['volumeSize']} GiB"


def _volume(raw: dict[str, Any]) -> AwsAdvice | None:
    option = _best(raw.get("volumeRecommendationOptions") or [])
    if raw["finding"] != "NotOptimized" or option is None:
        return None
    return _advice(raw, "volumeArn", "AWS::EC2::Volume", _vol_text(raw["currentConfiguration"]),
                   _vol_text(option["configuration"]), option)


class ComputeOptimizerService(AdviceService):
    name = "compute-optimizer"
    source = "Compute Optimizer"

    def _read(self, operation: str, key: str, arn_key: str, build: Any) -> list[AwsAdvice]:
        raw = self.listing(operation, lambda: self.token_pages(
            operation, key, accountIds=[self.ctx.account_id]))
        built = parse_items(self, operation, raw, build, lambda r: r[arn_key])
        return [a for a in built if a is not None]

    @cached
    def instance_recommendations(self) -> list[AwsAdvice]:
        return self._read("GetEC2InstanceRecommendations", "instanceRecommendations",
                          "instanceArn", _instance)

    @cached
    def volume_recommendations(self) -> list[AwsAdvice]:
        return self._read("GetEBSVolumeRecommendations", "volumeRecommendations", "volumeArn",
                          _volume)
