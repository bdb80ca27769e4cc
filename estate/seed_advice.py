"""AWS's own advice on real estate resources (Cost Optimization Hub, Compute Optimizer), served
from `advice.STORE`. One waste resource and one healthy look-alike per kind:

- advised_instance: a previous-generation m4.large that Compute Optimizer finds over-provisioned
  (rank 1: t4g.medium) and that COH advises to rightsize (its top recommendation; a smaller
  MigrateToGraviton one on the same instance is hidden by COH's one-per-resource view), beside
  a busy m7g.large that Compute Optimizer finds Optimized, with a Compute Savings Plans purchase
  from COH in the same account (commitment purchases are not resource advice).
- advised_volume: a busy gp2 volume attached to the advised instance that Compute Optimizer finds
  NotOptimized (rank 1: gp3, before-discount savings only) and COH advises to upgrade, beside a
  busy gp3 volume Compute Optimizer finds Optimized.

So the advised instance carries AWS's two figures and our own previous-generation finding, the
volume AWS's two and our gp2 -> gp3: the case the `#aws-recommendation` group and the rule
`aws_recommendation_overlap` decide. AWS's figures are computed here from the estate's own list
prices (`bill_prices`) and the fleet's RI discount, never by `checks/` code, and written into
the manifest as its ground truth.
"""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from estate import ages, bill_prices
from estate.advice import STORE
from estate.context import SeedCell, tag_spec
from estate.seed_ec2 import DEVICES, RI_DISCOUNT, Compute, _cpu, _instance
from estate.seed_tuning import _ebs

HOURS = Decimal(730)
DISCOUNT = Decimal(str(RI_DISCOUNT))
CENT = Decimal("0.01")
WASTE_TYPE, RIGHT_SIZE, GRAVITON = "m4.large", "t4g.medium", "m7g.large"
HEALTHY_TYPE = "m7g.large"
LOOKBACK_DAYS = 14


def _listed(sc: SeedCell, key: str) -> Decimal:
    """The estate's list price of `key` here (us-east-1's where the region has none)."""
    listed = bill_prices.price(sc.region, key) or bill_prices.price("us-east-1", key)
    if listed is None:
        raise ValueError(f"estate has no list price for {key}: add it to estate/bill_prices.py")
    return listed


def _list_hourly(sc: SeedCell, itype: str) -> Decimal:
    return _listed(sc, f"ec2:{itype}:linux:hour")


def _gb_month(sc: SeedCell, vtype: str) -> Decimal:
    return _listed(sc, f"ebs:{vtype}:gb-month")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _money(value: Decimal) -> dict[str, Any]:
    return {"currency": "USD", "value": float(value)}


def _rec_id(sc: SeedCell, what: str) -> str:
    """COH's id form: base64 of `<account>_<uuid>`."""
    rid = uuid.UUID(int=sc.rng(f"advice/{what}").getrandbits(128), version=4)
    return base64.b64encode(f"{sc.account_id}_{rid}".encode()).decode()


def _aws_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in tags.items()]


def _arn(sc: SeedCell, kind: str, rid: str) -> str:
    return f"arn:aws:ec2:{sc.region}:{sc.account_id}:{kind}/{rid}"


def _coh(sc: SeedCell, what: str, **fields: Any) -> None:
    STORE.add("coh", sc.account_id, sc.region, {
        "recommendationId": _rec_id(sc, what), "accountId": sc.account_id, "region": sc.region,
        "currencyCode": "USD", "lastRefreshTimestamp": sc.now - timedelta(hours=6),
        "recommendationLookbackPeriodInDays": LOOKBACK_DAYS, **fields})


def _compute_optimizer(sc: SeedCell, kind: str, **fields: Any) -> None:
    STORE.add(kind, sc.account_id, sc.region, {
        "accountId": sc.account_id, "lookBackPeriodInDays": float(LOOKBACK_DAYS),
        "lastRefreshTimestamp": sc.now - timedelta(hours=8), **fields})


def _advise_waste_instance(sc: SeedCell, iid: str, tags: dict[str, str]) -> dict[str, Any]:
    """Compute Optimizer's and COH's advice on the over-provisioned m4.large; the figures."""
    current = _list_hourly(sc, WASTE_TYPE)
    targets = (RIGHT_SIZE, GRAVITON)
    before = {t: _cents((current - _list_hourly(sc, t)) * HOURS) for t in targets}
    after = {t: _cents(v * DISCOUNT) for t, v in before.items()}  # the fleet's RIs cover it
    pct = {t: float(_cents(v / (current * HOURS) * 100)) for t, v in before.items()}
    options = [{
        "instanceType": t, "rank": rank, "performanceRisk": float(rank), "migrationEffort": "Low",
        "savingsOpportunity": {"savingsOpportunityPercentage": pct[t],
                               "estimatedMonthlySavings": _money(before[t])},
        "savingsOpportunityAfterDiscounts": {"savingsOpportunityPercentage": pct[t],
                                             "estimatedMonthlySavings": _money(after[t])},
    } for rank, t in enumerate(targets, 1)]
    _compute_optimizer(sc, "instance", instanceArn=_arn(sc, "instance", iid),
                       instanceName=tags["Name"], currentInstanceType=WASTE_TYPE,
                       finding="Overprovisioned",
                       findingReasonCodes=["CPUOverprovisioned", "MemoryOverprovisioned"],
                       recommendationOptions=options, instanceState="running",
                       currentPerformanceRisk="VeryLow", tags=_aws_tags(tags))
    cost = _cents(current * HOURS * DISCOUNT)
    for what, action, target in (("rightsize", "Rightsize", RIGHT_SIZE),
                                 ("graviton", "MigrateToGraviton", GRAVITON)):
        _coh(sc, f"{iid}/{what}", resourceId=iid, resourceArn=_arn(sc, "instance", iid),
             currentResourceType="Ec2Instance", recommendedResourceType="Ec2Instance",
             actionType=action, estimatedMonthlySavings=float(after[target]),
             estimatedSavingsPercentage=float(_cents(after[target] / cost * 100)),
             estimatedMonthlyCost=float(cost), implementationEffort="Medium",
             restartNeeded=True, rollbackPossible=True, currentResourceSummary=WASTE_TYPE,
             recommendedResourceSummary=target, source="ComputeOptimizer",
             tags=_aws_tags(tags))
    return {"co_monthly_savings": str(after[RIGHT_SIZE]),
            "coh_monthly_savings": str(after[RIGHT_SIZE]), "recommended_type": RIGHT_SIZE}


def _advise_healthy_instance(sc: SeedCell, iid: str, tags: dict[str, str]) -> None:
    """Optimized in Compute Optimizer; COH's only advice in its account is a commitment."""
    _compute_optimizer(sc, "instance", instanceArn=_arn(sc, "instance", iid),
                       instanceName=tags["Name"], currentInstanceType=HEALTHY_TYPE,
                       finding="Optimized", recommendationOptions=[{
                           "instanceType": HEALTHY_TYPE, "rank": 1, "performanceRisk": 1.0,
                           "savingsOpportunity": {"savingsOpportunityPercentage": 0.0,
                                                  "estimatedMonthlySavings": _money(Decimal(0))}}],
                       instanceState="running", tags=_aws_tags(tags))
    on_demand = _list_hourly(sc, HEALTHY_TYPE) * HOURS
    _coh(sc, f"{iid}/savings-plan", resourceId=sc.account_id,
         currentResourceType="ComputeSavingsPlans", recommendedResourceType="ComputeSavingsPlans",
         actionType="PurchaseSavingsPlans", estimatedMonthlySavings=float(_cents(on_demand / 10)),
         estimatedMonthlyCost=float(_cents(on_demand)), implementationEffort="VeryLow",
         restartNeeded=False, rollbackPossible=False, currentResourceSummary="On-demand usage",
         recommendedResourceSummary="Compute Savings Plans, 1 year, No Upfront",
         source="CostOptimizationHub")


def _volume(sc: SeedCell, owner: str, vtype: str, size: int, slot: int) -> str:
    ec2 = sc.client("ec2")
    vol = str(ec2.create_volume(Size=size, VolumeType=vtype, AvailabilityZone=f"{sc.region}a",
                                TagSpecifications=tag_spec("volume", sc.tags(sc.rng(owner)))
                                )["VolumeId"])
    ec2.attach_volume(VolumeId=vol, InstanceId=owner, Device=DEVICES[slot])
    ages.volume(sc.account_id, sc.region, vol, ages.ago(sc.now, 90))
    _ebs(sc, vol, 5e4, 1e9)  # busy: no idle-volume check has a case
    return vol


def _advise_volume(sc: SeedCell, vol: str, waste: bool, size: int) -> dict[str, Any]:
    arn = _arn(sc, "volume", vol)
    if not waste:
        _compute_optimizer(sc, "volume", volumeArn=arn, finding="Optimized",
                           currentConfiguration={"volumeType": "gp3", "volumeSize": size,
                                                 "volumeBaselineIOPS": 3000,
                                                 "volumeBaselineThroughput": 125},
                           volumeRecommendationOptions=[])
        return {}
    saving = _cents((_gb_month(sc, "gp2") - _gb_month(sc, "gp3")) * size)
    cost = _cents(_gb_month(sc, "gp2") * size)
    _compute_optimizer(sc, "volume", volumeArn=arn, finding="NotOptimized",
                       currentConfiguration={"volumeType": "gp2", "volumeSize": size,
                                             "volumeBaselineIOPS": 3 * size,
                                             "volumeBurstIOPS": 3000,
                                             "volumeBaselineThroughput": 128,
                                             "volumeBurstThroughput": 128},
                       volumeRecommendationOptions=[{
                           "configuration": {"volumeType": "gp3", "volumeSize": size,
                                             "volumeBaselineIOPS": 3000,
                                             "volumeBaselineThroughput": 125},
                           "performanceRisk": 0.0, "rank": 1,
                           "savingsOpportunity": {
                               "savingsOpportunityPercentage": float(_cents(saving / cost * 100)),
                               "estimatedMonthlySavings": _money(saving)}}],
                       currentPerformanceRisk="VeryLow")
    _coh(sc, f"{vol}/upgrade", resourceId=vol, resourceArn=arn, currentResourceType="EbsVolume",
         recommendedResourceType="EbsVolume", actionType="Upgrade",
         estimatedMonthlySavings=float(saving),
         estimatedSavingsPercentage=float(_cents(saving / cost * 100)),
         estimatedMonthlyCost=float(cost), implementationEffort="VeryLow", restartNeeded=False,
         rollbackPossible=True, currentResourceSummary=f"gp2 {size} GiB",
         recommendedResourceSummary=f"gp3 {size} GiB", source="ComputeOptimizer")
    return {"co_monthly_savings": str(saving), "coh_monthly_savings": str(saving),
            "volume_type": "gp2", "size_gb": size, "recommended_type": "gp3"}


def seed_advised(sc: SeedCell, compute: Compute, image: str) -> None:
    """Both kinds (see the module docstring); each volume attaches to an instance of its own
    side (waste to waste), so AWS advises twice on the waste pair and never on healthy ones."""
    waste, healthy = sc.split("advised_instance")
    owners: dict[bool, list[str]] = {True: [], False: []}
    for i in range(healthy + len(waste)):
        is_waste = i < len(waste)
        name = sc.name("advised" if is_waste else "optimized", i)
        tags = {**sc.tags(sc.rng(name), name), "env": "prod"}  # prod: runs around the clock
        itype = WASTE_TYPE if is_waste else HEALTHY_TYPE
        iid = _instance(sc, compute, image, itype, tags)[0]
        ages.instance_launch(sc.account_id, sc.region, iid, ages.ago(sc.now, 90))
        # the over-provisioned one peaks at 30% (never the <= 10% our idle check looks for)
        low, high = (15, 30) if is_waste else (35, 75)
        _cpu(sc, iid, low, high, 5e8)
        owners[is_waste].append(iid)
        if is_waste:
            figures = _advise_waste_instance(sc, iid, tags)
            sc.waste(waste[i], iid, instance_type=WASTE_TYPE, **figures)
        else:
            _advise_healthy_instance(sc, iid, tags)
    sc.manifest.add("advised_instance", healthy + len(waste))
    vol_waste, vol_healthy = sc.split("advised_volume")
    for i in range(vol_healthy + len(vol_waste)):
        is_waste = i < len(vol_waste)
        side = owners[is_waste]
        owner = side[i % len(side)] if is_waste else side[(i - len(vol_waste)) % len(side)]
        slot = compute.attached.get(owner, 0)
        compute.attached[owner] = slot + 1
        size = 100 if is_waste else 50
        vol = _volume(sc, owner, "gp2" if is_waste else "gp3", size, slot)
        figures = _advise_volume(sc, vol, is_waste, size)
        if is_waste:
            sc.waste(vol_waste[i], vol, attached_to=owner, **figures)
    sc.manifest.add("advised_volume", vol_healthy + len(vol_waste))
