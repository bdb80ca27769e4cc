"""Where the project's price data prices a key, and why some keys are priced in only part of
the shipped regions.

A check's metadata declares its price keys (`price_keys`, patterns such as
`ec2:{instance_type}:linux:hour`). Region coverage is a property of the price data, not of a
check, so it is stated once here: a declared key must be priced in every region the catalog
ships, or be listed in PARTIAL with the reason (tests/checks/prices/test_price_keys.py holds
both true, so the list shrinks when the data grows).
"""

from __future__ import annotations

from checks.model import price_key_pattern
from checks.prices.catalog import PriceCatalog

_EBS = ("ec2-shop's ebs.json (2024-07-18), the EBS source, has no rows for ap-southeast-5, "
        "ap-southeast-7 and mx-central-1")
_IO2 = "ec2-shop's ebs.json (2024-07-18) lists io2 in 16 of the 32 regions"
_SIX = ("transcribed in checks/prices/catalog.json for its 6 regions only; `finops prices build` "
        "maps no shared snapshot line to it")
_THREE = "transcribed in checks/prices/catalog.json for us-east-1, us-east-2 and us-west-2 only"

# declared price key -> why it is priced in some shipped regions and not in the others
PARTIAL: dict[str, str] = {
    **dict.fromkeys(("ebs:{volume_type}:gb-month", "ebs:gp2:gb-month", "ebs:gp3:gb-month",
                     "ebs:gp3:iops-month", "ebs:gp3:mibps-month", "ebs:io1:gb-month",
                     "ebs:io1:iops-month", "ebs:snapshot:gb-month",
                     "ebs:snapshot-archive:gb-month"), _EBS),
    **dict.fromkeys(("ebs:io2:gb-month", "ebs:io2:iops-month"), _IO2),
    **dict.fromkeys(("cloudwatch:alarm:month", "cloudwatch:alarm-high-resolution:month",
                     "efs:ia:gb-month", "efs:standard:gb-month", "route53:hosted-zone:month",
                     "vpc:nat-gateway:hour"), _SIX),
    **dict.fromkeys(("ec2:{instance_type}:windows:hour", "rds:extended-support-y1:vcpu-hour",
                     "rds:extended-support-y3:vcpu-hour"), _THREE),
    "sagemaker:{instance_type}:studio-notebook:hour":
        "the shared sagemaker-instances-studionotebook.json (2025-06-18) has no rows for 7 of "
        "the 32 regions",
}


def regions_priced(catalog: PriceCatalog, pattern: str) -> list[str]:
    """The catalog's regions with at least one key matching the pattern."""
    rx = price_key_pattern(pattern)
    return sorted(r for r, keys in catalog.regions.items() if any(rx.fullmatch(k) for k in keys))
