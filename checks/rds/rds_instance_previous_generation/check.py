"""RDS on previous-generation classes: the successor is cheaper and faster."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from checks.costs import rds_key
from checks.families import PREVIOUS_GENERATION
from checks.model import ScanContext, load_meta
from checks.modernize import FamilySwitchCheck, Switch
from checks.services.rds import DBInstance, RDSService


class RdsInstancePreviousGeneration(FamilySwitchCheck):
    meta = load_meta(__file__)
    mapping = PREVIOUS_GENERATION
    confidence = 0.8
    report_equal_price = True
    current_field, target_field = "instance_class", "recommended_class"

    def collect(self, ctx: ScanContext) -> list[DBInstance]:
        return ctx.service(RDSService).instances()

    def candidates(self, models: list[DBInstance], ctx: ScanContext) -> Iterable[Switch]:
        for db in models:
            if db.status == "available":
                key = partial(rds_key, engine=db.engine, multi_az=db.multi_az)
                yield Switch(db.id, db.instance_class, key, db.id, db.tags,
                             {"engine": db.engine, "multi_az": db.multi_az})

    def title(self, s: Switch, target: str) -> str:
        return f"RDS instance {s.resource_id} runs previous-generation {s.current}: use {target}"
