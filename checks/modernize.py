"""Shared rule for "same size, other family" recommendations (previous generation -> current,
x86 -> Graviton) on EC2 and RDS: the saving is the hourly price difference."""

from __future__ import annotations

from collections.abc import Callable

from checks.costs import hours_term
from checks.model import ScanContext
from checks.pricing import Estimate, estimate


def switch_estimate(ctx: ScanContext, current: str, target: str, key: Callable[[str], str],
                    count: int = 1) -> Estimate:
    """(price(current) - price(target)) x 730 h; unknown if either price is missing."""
    return estimate(ctx.prices, ctx.region, [
        hours_term(key(current), count, current),
        hours_term(key(target), count, target, sign=-1),
    ])
