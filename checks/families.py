"""Instance-type facts the rules need: sizes in order, previous-generation successors, Graviton
equivalents. Sources: AWS "Previous generation instances" page and the Graviton getting-started
guide (aws/aws-graviton-getting-started), as of 2025."""

from __future__ import annotations

from dataclasses import dataclass

SIZES = ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge",
         "6xlarge", "8xlarge", "9xlarge", "12xlarge", "16xlarge", "18xlarge", "24xlarge",
         "32xlarge", "48xlarge", "metal")

# previous-generation family -> current-generation successor family (sizes: `successor`)
PREVIOUS_GENERATION: dict[str, str] = {
    "t1": "t3", "t2": "t3", "m1": "m5", "m2": "r5", "m3": "m5", "m4": "m5", "c1": "c5",
    "c3": "c5", "c4": "c5", "r3": "r5", "r4": "r5", "i2": "i3", "d2": "d3", "g2": "g4dn",
    "cc2": "c5", "cr1": "r5", "hs1": "d3", "x1": "x2idn",
}
# x86 family -> Graviton family of the same vCPU/memory ratio
GRAVITON: dict[str, str] = {
    "t3": "t4g", "t3a": "t4g", "m5": "m6g", "m5a": "m6g", "m6i": "m6g", "m6a": "m6g",
    "m7i": "m7g", "c5": "c6g", "c5a": "c6g", "c6i": "c6g", "c6a": "c6g", "c7i": "c7g",
    "r5": "r6g", "r5a": "r6g", "r6i": "r6g", "r6a": "r6g", "r7i": "r7g",
}


def split_type(instance_type: str) -> tuple[str, str, str]:
    """`m5.large` -> ("", "m5", "large"); `db.r5.xlarge` -> ("db.", "r5", "xlarge").
    Raises ValueError for a type that is not prefix.family.size."""
    parts = instance_type.split(".")
    if len(parts) == 3 and parts[0] in ("db", "cache"):
        return parts[0] + ".", parts[1], parts[2]
    if len(parts) == 2 and parts[0] and parts[1]:
        return "", parts[0], parts[1]
    raise ValueError(f"unrecognised instance type {instance_type!r}")


@dataclass(frozen=True)
class Shape:
    vcpu: int
    memory_gib: float


def _vcpu(size: str) -> int:
    """Regular (Nitro-era and most older) sizes: medium 1, large 2, xlarge 4, Nxlarge 4N."""
    if size == "medium":
        return 1
    if size == "large":
        return 2
    if size == "xlarge":
        return 4
    if size.endswith("xlarge") and size[:-6].isdigit():
        return 4 * int(size[:-6])
    raise ValueError(f"size {size!r} has no regular vCPU count")


def _regular(gib_per_vcpu: float, sizes: str) -> dict[str, Shape]:
    return {s: Shape(_vcpu(s), _vcpu(s) * gib_per_vcpu) for s in sizes.split()}


def _listed(*rows: tuple[str, int, float]) -> dict[str, Shape]:
    return {size: Shape(vcpu, mem) for size, vcpu, mem in rows}


_BURST = _listed(("nano", 2, 0.5), ("micro", 2, 1), ("small", 2, 2), ("medium", 2, 4),
                 ("large", 2, 8), ("xlarge", 4, 16), ("2xlarge", 8, 32))
_TO_24 = "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge"
_TO_32 = _TO_24 + " 32xlarge"
_TO_48 = _TO_32 + " 48xlarge"
_GRAVITON = "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"

# vCPU and memory of every size that exists, per family (AWS EC2 "Instance types" specifications
# and the previous-generation page). RDS classes share the EC2 shape of their family.size.
SHAPES: dict[str, dict[str, Shape]] = {
    # previous generation
    "t1": _listed(("micro", 1, 0.613)),
    "t2": _listed(("nano", 1, 0.5), ("micro", 1, 1), ("small", 1, 2), ("medium", 2, 4),
                  ("large", 2, 8), ("xlarge", 4, 16), ("2xlarge", 8, 32)),
    "m1": _listed(("small", 1, 1.7), ("medium", 1, 3.75), ("large", 2, 7.5), ("xlarge", 4, 15)),
    "m2": _listed(("xlarge", 2, 17.1), ("2xlarge", 4, 34.2), ("4xlarge", 8, 68.4)),
    "m3": _regular(3.75, "medium large xlarge 2xlarge"),
    "m4": _regular(4, "large xlarge 2xlarge 4xlarge 10xlarge 16xlarge"),
    "c1": _listed(("medium", 2, 1.7), ("xlarge", 8, 7)),
    "c3": _regular(1.875, "large xlarge 2xlarge 4xlarge 8xlarge"),
    "c4": _listed(("large", 2, 3.75), ("xlarge", 4, 7.5), ("2xlarge", 8, 15), ("4xlarge", 16, 30),
                  ("8xlarge", 36, 60)),
    "r3": _regular(7.625, "large xlarge 2xlarge 4xlarge 8xlarge"),
    "r4": _regular(7.625, "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge"),
    "i2": _regular(7.625, "xlarge 2xlarge 4xlarge 8xlarge"),
    "d2": _listed(("xlarge", 4, 30.5), ("2xlarge", 8, 61), ("4xlarge", 16, 122), ("8xlarge", 36, 244)),
    "g2": _listed(("2xlarge", 8, 15), ("8xlarge", 32, 60)),
    "cc2": _listed(("8xlarge", 32, 60.5)),
    "cr1": _listed(("8xlarge", 32, 244)),
    "hs1": _listed(("8xlarge", 16, 117)),
    "x1": _regular(15.25, "16xlarge 32xlarge"),
    # current generation, x86
    "t3": _BURST, "t3a": _BURST,
    "m5": _regular(4, _TO_24), "m5a": _regular(4, _TO_24),
    "m6i": _regular(4, _TO_32), "m6a": _regular(4, _TO_48), "m7i": _regular(4, _TO_48),
    "c5": _regular(2, "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge"),
    "c5a": _regular(2, _TO_24),
    "c6i": _regular(2, _TO_32), "c6a": _regular(2, _TO_48), "c7i": _regular(2, _TO_48),
    "r5": _regular(8, _TO_24), "r5a": _regular(8, _TO_24),
    "r6i": _regular(8, _TO_32), "r6a": _regular(8, _TO_48), "r7i": _regular(8, _TO_48),
    "i3": _regular(7.625, "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge"),
    "d3": _regular(8, "xlarge 2xlarge 4xlarge 8xlarge"),
    "g4dn": _regular(4, "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"),
    "x2idn": _regular(16, "16xlarge 24xlarge 32xlarge"),
    # Graviton
    "t4g": _BURST,
    "m6g": _regular(4, _GRAVITON), "m7g": _regular(4, _GRAVITON),
    "c6g": _regular(2, _GRAVITON), "c7g": _regular(2, _GRAVITON),
    "r6g": _regular(8, _GRAVITON), "r7g": _regular(8, _GRAVITON),
}


def _offered(prefix: str, family: str, size: str) -> bool:
    """RDS and ElastiCache offer no nano classes and no medium outside the burstable t
    families (db.m5.medium, db.m6g.medium do not exist)."""
    if not prefix:
        return True
    return size != "nano" and (size != "medium" or family.startswith("t"))


def shape(instance_type: str) -> Shape | None:
    prefix, family, size = split_type(instance_type)
    return SHAPES.get(family, {}).get(size)


def successor(instance_type: str, mapping: dict[str, str]) -> str | None:
    """The smallest existing size of the mapped family with at least the vCPUs and memory of
    `instance_type` (m3.medium -> m5.large: m5 has no medium). None if the family is not mapped
    or no size of the successor is large enough; ValueError if the source's shape is unknown."""
    prefix, family, size = split_type(instance_type)
    target = mapping.get(family)
    if target is None:
        return None
    source = SHAPES.get(family, {}).get(size)
    if source is None:
        raise ValueError(f"no vCPU/memory known for {instance_type!r}")
    fits = [(s.vcpu, s.memory_gib, name) for name, s in SHAPES[target].items()
            if s.vcpu >= source.vcpu and s.memory_gib >= source.memory_gib
            and _offered(prefix, target, name)]
    return f"{prefix}{target}.{min(fits)[2]}" if fits else None


def smaller(instance_type: str) -> str | None:
    """The next smaller size in the same family (None at the bottom or for unknown sizes)."""
    prefix, family, size = split_type(instance_type)
    if size not in SIZES:
        return None
    i = SIZES.index(size)
    return f"{prefix}{family}.{SIZES[i - 1]}" if i > 0 else None

# Reserved Instance normalization factors (AWS EC2 docs, "How Reserved Instances are applied"):
# a regional Linux/UNIX RI covers any size of its family, in these units.
NORMALIZATION: dict[str, float] = {
    "nano": 0.25, "micro": 0.5, "small": 1, "medium": 2, "large": 4, "xlarge": 8,
    "2xlarge": 16, "3xlarge": 24, "4xlarge": 32, "6xlarge": 48, "8xlarge": 64, "9xlarge": 72,
    "10xlarge": 80, "12xlarge": 96, "16xlarge": 128, "18xlarge": 144, "24xlarge": 192,
    "32xlarge": 256, "48xlarge": 384,
}


def normalized_units(instance_type: str) -> float | None:
    _, _, size = split_type(instance_type)
    return NORMALIZATION.get(size)
