"""The age base: strictly older than the threshold, unjudged when there is no reference time,
the thresholds key a subclass names, one disposition group per resource."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from checks.aged import Old, OldByAgeCheck
from checks.model import load_meta
from checks.pricing import fixed
from checks.rds.rds_snapshot_manual_old import check as manual_old


@dataclass(frozen=True)
class Thing:
    id: str
    at: datetime | None


class Aged(OldByAgeCheck):
    meta = load_meta(manual_old.__file__)  # max_age_days 90

    def candidates(self, models, cfg):
        return models

    def since(self, ctx, r, models):
        return r.at

    def old(self, ctx, cfg, r, age, models):
        return Old(r.id, f"{r.id} {age:.1f}", fixed(Decimal(1), "one"), 0.5, {"age": age})


def test_strictly_older_than_the_threshold_and_none_is_unjudged(make_ctx, evaluate):
    ctx = make_ctx()
    things = [Thing("exactly", ctx.now - timedelta(days=90)),
              Thing("older", ctx.now - timedelta(days=90, seconds=1)),
              Thing("unknown", None), Thing("young", ctx.now - timedelta(days=3))]
    found = evaluate(Aged(), things, ctx)
    assert [f.resource_id for f in found] == ["older"]
    f = found[0]
    assert f.alternative_group == (
        "arn:aws:rds:us-east-1:123456789012:snapshot:older#disposition")
    assert f.details["thresholds"]["max_age_days"] == 90
    assert f.estimated_monthly_savings == Decimal("1.00")


def test_threshold_read_from_tenant_config(make_ctx, evaluate):
    ctx = make_ctx(config={"rds_snapshot_manual_old": {"max_age_days": 2}})
    found = evaluate(Aged(), [Thing("young", ctx.now - timedelta(days=3))], ctx)
    assert [f.resource_id for f in found] == ["young"]
