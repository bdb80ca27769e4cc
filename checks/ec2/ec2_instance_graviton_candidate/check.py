"""x86 Linux instances with a Graviton twin of the same shape, ~20% cheaper."""

from __future__ import annotations

from collections.abc import Iterable

from checks.costs import instance_key
from checks.families import GRAVITON
from checks.model import ScanContext, load_meta
from checks.modernize import FamilySwitchCheck, Switch
from checks.services.ec2 import EC2Service, Instance


class Ec2InstanceGravitonCandidate(FamilySwitchCheck):
    meta = load_meta(__file__)
    mapping = GRAVITON
    confidence = 0.5
    with_current_cost = True

    def collect(self, ctx: ScanContext) -> list[Instance]:
        return ctx.service(EC2Service).instances()

    def candidates(self, models: list[Instance], ctx: ScanContext) -> Iterable[Switch]:
        for i in models:
            if i.state == "running" and not i.is_windows and i.architecture == "x86_64":
                yield Switch(i.id, i.type, instance_key, i.name, i.tags,
                             {"platform": i.platform})

    def title(self, s: Switch, target: str) -> str:
        return f"EC2 instance {s.resource_id} ({s.current}) could run on Graviton {target}"
