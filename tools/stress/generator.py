"""Synthetic findings, realistic enough to exercise every path, with a chosen share of bad input.

Deterministic for a seed: the same call gives the same messages in the same order. Each message
says whether it is valid and, if not, which dead-letter reason the stream must give it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from contracts.finding import Finding
from schemas.registry import latest
from schemas.wire import MAGIC, encode

TENANTS = ("acme", "globex", "initech")
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")

# check id -> (service, resource type, id prefix, title, (low, high) monthly savings, unit price text)
CHECKS = {
    "ebs_unattached": ("ec2", "AWS::EC2::Volume", "vol-", "Unattached EBS volume", (0.8, 400.0), "$0.08/GiB-month gp2"),
    "ebs_gp2_to_gp3": ("ec2", "AWS::EC2::Volume", "vol-", "gp2 volume can move to gp3", (0.2, 80.0), "$0.02/GiB-month delta"),
    "ec2_stopped_long": ("ec2", "AWS::EC2::Instance", "i-", "Instance stopped for more than 30 days", (2.0, 300.0), "EBS attached"),
    "ec2_low_utilization": ("ec2", "AWS::EC2::Instance", "i-", "Instance CPU under 10% for 14 days", (10.0, 2000.0), "on-demand hourly"),
    "ebs_snapshot_old": ("ec2", "AWS::EC2::Snapshot", "snap-", "Snapshot older than 90 days", (0.1, 120.0), "$0.05/GB-month"),
    "eip_unassociated": ("ec2", "AWS::EC2::EIP", "eipalloc-", "Unassociated Elastic IP", (3.6, 3.65), "$0.005/hour"),
    "nat_gateway_idle": ("ec2", "AWS::EC2::NatGateway", "nat-", "NAT gateway with no traffic for 14 days", (32.0, 33.0), "$0.045/hour"),
    "rds_idle": ("rds", "AWS::RDS::DBInstance", "db-", "RDS instance without connections for 14 days", (15.0, 3000.0), "on-demand hourly"),
    "logs_no_retention": ("logs", "AWS::Logs::LogGroup", "/aws/lambda/fn-", "Log group without retention", (0.01, 250.0), "$0.03/GB-month"),
    "s3_no_lifecycle": ("s3", "AWS::S3::Bucket", "bucket-", "S3 bucket without lifecycle rules", (0.5, 900.0), "$0.023/GB-month"),
}
TEAMS = ("payments", "search", "data", "platform", "ml", "web")
BAD_KINDS = ("truncated", "bad_marker", "unknown_schema", "bad_body", "contract")


@dataclass(frozen=True, slots=True)
class Message:
    key: str
    value: bytes
    valid: bool
    reason: str | None = None  # dead-letter reason expected for an invalid message
    headers: tuple[tuple[str, str], ...] = ()


def make_finding(rng: random.Random, i: int, *, base: datetime, run_id: str) -> Finding:
    tenant = TENANTS[i % len(TENANTS)]
    account = f"{100000000000 + (i * 7919) % 40 + TENANTS.index(tenant) * 1000:012d}"
    region = REGIONS[rng.randrange(len(REGIONS))]
    check_id = rng.choice(sorted(CHECKS))
    service, rtype, prefix, title, (lo, hi), price = CHECKS[check_id]
    rid = f"{prefix}{i:017x}" if not prefix.startswith("/") else f"{prefix}{i}"
    if rtype == "AWS::S3::Bucket":
        rid = f"bucket-{tenant}-{i}"
    savings: Decimal | None = Decimal(str(round(rng.uniform(lo, hi), 4)))
    if rng.random() < 0.03:
        savings = None  # no price known: savings unknown
    return Finding(
        tenant_id=tenant,
        workspace="prod" if i % 5 else "staging",
        account_id=account,
        region=region,
        service=service,
        check_id=check_id,
        resource_type=rtype,
        resource_id=rid,
        resource_name=f"{rng.choice(TEAMS)}-{i % 997}",
        title=title,
        severity=rng.choice(("low", "medium", "medium", "high")),
        estimated_monthly_savings=savings,
        savings_formula=None if savings is None else f"{savings} USD/month from {price}",
        confidence=0.9 if savings is not None else 0.2,
        tags={"team": rng.choice(TEAMS), "env": rng.choice(("prod", "dev", "staging")), "cost-center": f"cc-{i % 13}"},
        details={"price": price, "region": region, "generator": "stress"},
        observed_at=base + timedelta(seconds=i * 3),
        run_id=run_id,
    )


def generate(
    n: int,
    *,
    seed: int = 7,
    invalid_share: float = 0.02,
    base: datetime = datetime(2026, 11, 1, tzinfo=UTC),
    run_id: str = "stress-run",
) -> Iterator[Message]:
    rng = random.Random(seed)
    schema = latest("finding")
    for i in range(n):
        finding = make_finding(rng, i, base=base, run_id=run_id)
        wire = finding.to_wire()
        value = encode(wire, schema)
        key = str(wire["fingerprint"])
        hdrs = (("tenant", finding.tenant_id), ("region", finding.region))
        if rng.random() >= invalid_share:
            yield Message(key, value, True, None, hdrs)
            continue
        kind = BAD_KINDS[rng.randrange(len(BAD_KINDS))]
        if kind == "truncated":
            value = value[: rng.randrange(0, 10)]
        elif kind == "bad_marker":
            value = b"\x00\x01" + value[2:]
        elif kind == "unknown_schema":
            value = MAGIC + bytes(8) + value[10:]
        elif kind == "bad_body":
            value = value[:10] + b"\xff" * 6
        else:
            wire = dict(wire)
            wire["account_id"] = "12345"  # not an AWS account id
            wire["estimated_monthly_savings"] = "-5"
            value = encode(wire, schema)
        yield Message(key, value, False, kind, hdrs)
