"""What a resource costs per month, as price terms: shared by every check that prices the same
kind of resource so that, e.g., a gp2 volume costs the same in the "unattached" and the
"gp2 -> gp3" findings."""

from __future__ import annotations

from decimal import Decimal

from checks.pricing import HOURS_PER_MONTH, Term
from checks.services.ec2 import Volume

GP3_FREE_IOPS = 3000
GP3_FREE_THROUGHPUT = 125  # MiB/s
GP2_IOPS_PER_GIB = 3
GP2_MAX_IOPS = 16000
# gp2 throughput (AWS EBS "General Purpose SSD volumes"): <= 170 GiB deliver at most 128 MiB/s;
# 170-333 GiB reach 250 MiB/s only on burst credits; >= 334 GiB deliver 250 MiB/s always.
GP2_FULL_THROUGHPUT_MIN_GIB = 334
GP2_MAX_THROUGHPUT = 250
GP2_SMALL_THROUGHPUT = 128


def volume_terms(v: Volume, sign: int = 1) -> list[Term]:
    """Storage plus provisioned performance of one EBS volume."""
    terms = [Term(Decimal(v.size_gib), f"{v.size_gib} GiB", f"ebs:{v.type}:gb-month", sign)]
    if v.type in ("io1", "io2") and v.iops:
        terms.append(Term(Decimal(v.iops), f"{v.iops} IOPS", f"ebs:{v.type}:iops-month", sign))
    if v.type == "gp3":
        extra_iops = max(0, (v.iops or GP3_FREE_IOPS) - GP3_FREE_IOPS)
        extra_tp = max(0, (v.throughput or GP3_FREE_THROUGHPUT) - GP3_FREE_THROUGHPUT)
        if extra_iops:
            terms.append(Term(Decimal(extra_iops), f"{extra_iops} IOPS above 3000",
                              "ebs:gp3:iops-month", sign))
        if extra_tp:
            terms.append(Term(Decimal(extra_tp), f"{extra_tp} MiB/s above 125",
                              "ebs:gp3:mibps-month", sign))
    return terms


def gp3_terms_for(size_gib: int, iops: int, sign: int = 1,
                  throughput: int = GP3_FREE_THROUGHPUT) -> list[Term]:
    """A gp3 volume of the same size that keeps `iops` and `throughput` MiB/s (the first 3000
    IOPS and 125 MiB/s are included)."""
    terms = [Term(Decimal(size_gib), f"{size_gib} GiB", "ebs:gp3:gb-month", sign)]
    extra = max(0, iops - GP3_FREE_IOPS)
    if extra:
        terms.append(Term(Decimal(extra), f"{extra} IOPS above 3000", "ebs:gp3:iops-month", sign))
    extra_tp = max(0, throughput - GP3_FREE_THROUGHPUT)
    if extra_tp:
        terms.append(Term(Decimal(extra_tp), f"{extra_tp} MiB/s above 125",
                          "ebs:gp3:mibps-month", sign))
    return terms


def gp2_baseline_iops(size_gib: int) -> int:
    return min(GP2_MAX_IOPS, max(100, GP2_IOPS_PER_GIB * size_gib))


def gp2_sustained_throughput(size_gib: int) -> int:
    """MiB/s a gp2 volume delivers without burst credits: what gp3 must match for parity."""
    return GP2_MAX_THROUGHPUT if size_gib >= GP2_FULL_THROUGHPUT_MIN_GIB else GP2_SMALL_THROUGHPUT


def os_key(platform: str) -> str:
    return "windows" if "windows" in platform else "linux"


def instance_key(instance_type: str, platform: str = "linux") -> str:
    return f"ec2:{instance_type}:{os_key(platform)}:hour"


def hours_term(key: str, count: int = 1, what: str = "", sign: int = 1) -> Term:
    label = f"{count} {what} x 730 h" if what else f"{count} x 730 h"
    return Term(Decimal(count) * HOURS_PER_MONTH, label, key, sign)


def rds_key(instance_class: str, engine: str, multi_az: bool = False) -> str:
    """`rds:db.m5.large:mysql:hour` (single-AZ); multi-AZ keys end `:multi-az:hour`."""
    family = rds_engine_family(engine)
    return f"rds:{instance_class}:{family}{':multi-az' if multi_az else ''}:hour"


def rds_engine_family(engine: str) -> str:
    e = engine.lower()
    if e.startswith("aurora-postgresql"):
        return "aurora-postgresql"
    if e.startswith("aurora"):
        return "aurora-mysql"
    if e.startswith("postgres"):
        return "postgresql"
    if e.startswith("oracle"):
        return "oracle"
    if e.startswith("sqlserver"):
        return "sqlserver"
    return e  # mysql, mariadb


def rds_instance_terms(instance_class: str, engine: str, multi_az: bool, storage_gib: int,
                       storage_type: str) -> list[Term]:
    """Instance hours plus allocated storage (doubled for Multi-AZ; Aurora storage is billed
    per cluster and left out)."""
    terms = [hours_term(rds_key(instance_class, engine, multi_az), 1, instance_class)]
    if not engine.startswith("aurora") and storage_gib:
        copies = 2 if multi_az else 1
        terms.append(Term(Decimal(storage_gib * copies), f"{storage_gib * copies} GiB",
                          f"rds:{storage_type}:gb-month"))
    return terms
