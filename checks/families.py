"""Instance-type facts the rules need: sizes in order, previous-generation successors, Graviton
equivalents. Sources: AWS "Previous generation instances" page and the Graviton getting-started
guide (aws/aws-graviton-getting-started), as of 2025."""

from __future__ import annotations

SIZES = ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge",
         "6xlarge", "8xlarge", "9xlarge", "12xlarge", "16xlarge", "18xlarge", "24xlarge",
         "32xlarge", "48xlarge", "metal")

# previous-generation family -> current-generation successor of the same shape
PREVIOUS_GENERATION: dict[str, str] = {
    "t1": "t3", "t2": "t3", "m1": "m5", "m2": "r5", "m3": "m5", "m4": "m5", "c1": "c5",
    "c3": "c5", "c4": "c5", "r3": "r5", "r4": "r5", "i2": "i3", "d2": "d3", "g2": "g4dn",
    "cc2": "c5", "cr1": "r5", "hs1": "d3", "x1": "x2idn",
}
# x86 family -> Graviton family with the same vCPU/memory shape
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


def successor(instance_type: str, mapping: dict[str, str]) -> str | None:
    prefix, family, size = split_type(instance_type)
    target = mapping.get(family)
    return f"{prefix}{target}.{size}" if target else None


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
