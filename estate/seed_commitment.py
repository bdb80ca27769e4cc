"""How the EC2 fleet is bought and scheduled: steady instances are reserved, non-production ones
run office hours. Two look-alike pairs in each account's first region make the exceptions:

- an on-demand m8g.large left without any reservation (waste) beside the same type covered by
  a zonal RI in its own Availability Zone (healthy). m8g is a family nothing else in the estate
  runs or reserves, so which instance is uncovered does not depend on how RI hours are
  allocated: a zonal RI applies only to its own zone, AWS's rule.
- a dev-tagged instance up for weeks (waste) beside the same type tagged prod (healthy).

`settle_fleet` runs last, once every seeder has launched its instances: the healthy
non-production instances get this morning's launch time (a scheduler stops them each evening),
and regional RIs are added per instance type until every running instance but the uncovered
waste one is reserved. The ground truth is what was created, never what a check computes.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

from estate import ages, bill_prices
from estate.context import SeedCell
from estate.reserved import STORE, ReservedInstance
from estate.seed_ec2 import RI_DISCOUNT, Compute, _cpu, _instance

UNCOVERED_TYPE = "m8g.large"
ALWAYS_ON_TYPE = "t4g.medium"
NON_PRODUCTION = ("staging", "dev")  # the estate's own env values (context.ENVS) not prod
SCHEDULED_START_HOURS = 9  # the office-hours schedule started them this morning


def _prod_tags(sc: SeedCell, name: str, env: str) -> dict[str, str]:
    return {**sc.tags(sc.rng(name), name), "env": env}


def seed_commitment_pairs(sc: SeedCell, compute: Compute, image: str) -> None:
    waste, healthy = sc.split("commitment_instance")
    for i in range(healthy + len(waste)):
        uncovered = i < len(waste)
        name = sc.name("on-demand" if uncovered else "reserved", i)
        zone = 1 if uncovered else 0  # subnets[0] is zone a, subnets[1] zone b
        iid = _instance(sc, compute, image, UNCOVERED_TYPE, _prod_tags(sc, name, "prod"),
                        subnet=zone)[0]
        ages.instance_launch(sc.account_id, sc.region, iid, ages.ago(sc.now, 60))
        _cpu(sc, iid, 35, 75, 5e8)
        az = f"{sc.region}{'ab'[zone]}"
        if uncovered:
            sc.waste(waste[i], iid, instance_type=UNCOVERED_TYPE, availability_zone=az,
                     running_days=60)
        else:
            _reserve(sc, UNCOVERED_TYPE, 1, az=az)
    sc.manifest.add("commitment_instance", healthy + len(waste))


def seed_always_on_pairs(sc: SeedCell, compute: Compute, image: str) -> None:
    waste, healthy = sc.split("always_on_instance")
    for i in range(healthy + len(waste)):
        dev = i < len(waste)
        name = sc.name("dev-box" if dev else "prod-box", i)
        iid = _instance(sc, compute, image, ALWAYS_ON_TYPE,
                        _prod_tags(sc, name, "dev" if dev else "prod"))[0]
        ages.instance_launch(sc.account_id, sc.region, iid, ages.ago(sc.now, 40))
        _cpu(sc, iid, 35, 75, 5e8)
        if dev:
            sc.waste(waste[i], iid, instance_type=ALWAYS_ON_TYPE, env="dev", running_days=40)
    sc.manifest.add("always_on_instance", healthy + len(waste))


def settle_fleet(sc: SeedCell) -> None:
    """Schedule the healthy non-production instances and reserve every running instance except
    the uncovered waste (see the module's docstring)."""
    waste = sc.manifest.waste_ids()
    uncovered = {w.resource_id for w in sc.manifest.waste
                 if w.kind == "uncovered_on_demand_instance" and w.account_id == sc.account_id
                 and w.region == sc.region}
    running = [i for page in sc.client("ec2").get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": ["running"]}])
        for r in page["Reservations"] for i in r["Instances"]]
    # the schedule fires on the hour (as EventBridge Scheduler's cron does)
    this_morning = (sc.now - timedelta(hours=SCHEDULED_START_HOURS)).replace(
        minute=0, second=0, microsecond=0)
    for inst in running:
        env = {t["Key"]: t["Value"] for t in inst.get("Tags", [])}.get("env")
        if env in NON_PRODUCTION and inst["InstanceId"] not in waste:
            ages.instance_launch(sc.account_id, sc.region, inst["InstanceId"], this_morning)
    need = Counter(i["InstanceType"] for i in running if i["InstanceId"] not in uncovered)
    have: Counter[str] = Counter()
    for ri in STORE.items(sc.account_id, sc.region):
        if ri.state == "active":
            have[ri.instance_type] += ri.count
    added = 0
    for itype, n in sorted(need.items()):
        if n > have[itype]:
            _reserve(sc, itype, n - have[itype])
            added += 1
    sc.manifest.add("fleet_reserved_instance", added)


def _reserve(sc: SeedCell, itype: str, count: int, az: str | None = None) -> None:
    """A one-year No Upfront RI started 100 days ago at ~40% under the estate's list price."""
    key = f"ec2:{itype}:linux:hour"
    listed = bill_prices.price(sc.region, key) or bill_prices.price("us-east-1", key)
    if listed is None:
        raise ValueError(f"estate has no list price for {key}: add it to estate/bill_prices.py")
    rng = sc.rng(f"ri/{itype}/{az}")
    start = ages.ago(sc.now, 100).replace(microsecond=0)
    STORE.add(sc.account_id, sc.region, ReservedInstance(
        id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        instance_type=itype, count=count, start=start, end=start + timedelta(days=365),
        hourly=round(float(listed) * RI_DISCOUNT, 6), az=az))
