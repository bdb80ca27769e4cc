"""RDS open-source engines on x86 classes with a Graviton equivalent."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from checks.costs import rds_engine_family, rds_key
from checks.families import GRAVITON
from checks.model import ScanContext, load_meta
from checks.modernize import FamilySwitchCheck, Switch
from checks.services.rds import DBInstance, RDSService

GRAVITON_ENGINES = frozenset({"mysql", "mariadb", "postgresql", "aurora-mysql",
                              "aurora-postgresql"})


class RdsInstanceGravitonCandidate(FamilySwitchCheck):
    meta = load_meta(__file__)
    mapping = GRAVITON
    confidence = 0.7
    with_current_cost = True
    current_field, target_field = "instance_class", "recommended_class"

    def collect(self, ctx: ScanContext) -> list[DBInstance]:
        return ctx.service(RDSService).instances()

    def candidates(self, models: list[DBInstance], ctx: ScanContext) -> Iterable[Switch]:
        for db in models:
            if db.status == "available" and rds_engine_family(db.engine) in GRAVITON_ENGINES:
                key = partial(rds_key, engine=db.engine, multi_az=db.multi_az)
                yield Switch(db.id, db.instance_class, key, db.id, db.tags, {"engine": db.engine})

    def title(self, s: Switch, target: str) -> str:
        return f"RDS instance {s.resource_id} ({s.current}) could run on Graviton {target}"
