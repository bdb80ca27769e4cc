"""Previous-generation families cost as much or more than their successors."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from checks.costs import instance_key
from checks.families import PREVIOUS_GENERATION
from checks.model import ScanContext, load_meta
from checks.modernize import FamilySwitchCheck, Switch
from checks.services.ec2 import EC2Service, Instance


class Ec2InstancePreviousGeneration(FamilySwitchCheck):
    meta = load_meta(__file__)
    mapping = PREVIOUS_GENERATION
    confidence = 0.8
    report_equal_price = True

    def collect(self, ctx: ScanContext) -> list[Instance]:
        return ctx.service(EC2Service).instances()

    def candidates(self, models: list[Instance], ctx: ScanContext) -> Iterable[Switch]:
        for i in models:
            if i.state == "running":
                yield Switch(i.id, i.type, partial(instance_key, platform=i.platform),
                             i.name, i.tags)

    def title(self, s: Switch, target: str) -> str:
        return f"EC2 instance {s.resource_id} runs previous-generation {s.current}: use {target}"
