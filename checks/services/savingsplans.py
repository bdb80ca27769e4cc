"""Savings Plans (a global service; plans apply across regions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items


@dataclass(frozen=True)
class SavingsPlan:
    id: str
    plan_type: str  # Compute, EC2Instance, SageMaker
    state: str
    region: str | None
    instance_family: str | None
    commitment_hourly: str


def _plan(raw: dict[str, Any]) -> SavingsPlan:
    return SavingsPlan(
        id=raw["savingsPlanId"],
        plan_type=raw.get("savingsPlanType", ""),
        state=raw["state"],
        region=raw.get("region") or None,
        instance_family=raw.get("ec2InstanceFamily") or None,
        commitment_hourly=str(raw.get("commitment", "0")),
    )


class SavingsPlansService(ServiceBase):
    name = "savingsplans"

    def client(self, name: str | None = None, region: str | None = None) -> Any:
        """Savings Plans is a global API served from us-east-1, whatever region is scanned."""
        if name is None and region is None:
            if self._client is None:
                self._client = self._make_client("savingsplans", "us-east-1")
            return self._client
        return super().client(name, region)

    @cached
    def active_plans(self) -> list[SavingsPlan]:
        plans: list[Any] = []
        token: str | None = None
        while True:  # DescribeSavingsPlans has no paginator in botocore
            kwargs: dict[str, Any] = {"states": ["active"]}
            if token:
                kwargs["nextToken"] = token
            page = self.call("DescribeSavingsPlans", **kwargs)
            plans.extend(page.get("savingsPlans") or [])
            token = page.get("nextToken")
            if not token:
                break
        return parse_items(self, "DescribeSavingsPlans", plans, _plan,
                           lambda r: r["savingsPlanId"])
