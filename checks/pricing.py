"""Savings arithmetic that shows its work: an `Estimate` is an amount plus the formula (with the
numbers) that produced it and the prices it used, so every figure on the dashboard can be
re-derived by hand."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from checks.prices.catalog import Price, PriceCatalog

HOURS_PER_MONTH = Decimal(730)  # AWS's own convention for monthly estimates
GIB = Decimal(2**30)  # AWS bills storage "GB-Mo" in binary gigabytes (GiB)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Term:
    """`quantity` of something at the price of `key` (looked up) or an explicit `price`."""

    quantity: Decimal
    label: str  # the quantity with its unit, e.g. "500 GiB" or "2 nodes x 730 h"
    key: str
    sign: int = 1
    price: Decimal | None = None  # explicit price (e.g. an RI's effective rate from the API)
    price_source: str = ""


@dataclass(frozen=True)
class Estimate:
    amount: Decimal | None
    formula: str
    prices: tuple[Price, ...] = ()
    missing: tuple[str, ...] = ()
    upper_bound: bool = False  # the amount is a ceiling (e.g. incremental snapshots), not exact
    # (key, quantity, sign) of every catalog-priced term, priced or not: lets the jobs re-price
    # the same quantities at the customer's own rates from the bill (jobs/bill_rates.py)
    terms: tuple[tuple[str, str, int], ...] = ()
    lower_bound: bool = False  # some saving terms have no price: the amount is the priced part

    def evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "prices": {p.key: f"{p.amount} USD/{p.unit}" for p in self.prices},
            "price_source": sorted({p.source for p in self.prices}),
        }
        if self.upper_bound:
            out["savings_bound"] = "upper"  # correlation rules never sum it as exact
        elif self.lower_bound:
            out["savings_bound"] = "lower"  # the unpriced terms (missing_prices) would add more
        if self.terms:
            out["price_terms"] = [list(t) for t in self.terms]
        if self.prices:
            out["price_region"] = self.prices[0].region
        if self.missing:
            out["missing_prices"] = list(self.missing)
        return out

    @property
    def known(self) -> bool:
        return self.amount is not None


def estimate(
    catalog: PriceCatalog, region: str, terms: Sequence[Term], note: str = "",
    upper_bound: bool = False,
) -> Estimate:
    """Sum of quantity x price over the terms (negative terms subtract). A missing price makes
    the amount None, except when only adding terms lack a price and the priced part saves
    something: then the amount is that part, a lower bound (details.savings_bound = "lower",
    the unpriced keys in missing_prices), since an idle cluster whose EC2 part is priced
    saves at least that. `upper_bound` marks the amount as a ceiling (savings_bound "upper")."""
    prices: list[Price] = []
    missing: list[str] = []
    parts: list[str] = []
    priced_terms: list[tuple[str, str, int]] = []
    total = Decimal(0)
    for i, term in enumerate(terms):
        price: Price | None
        if term.price is not None:
            price = Price(term.key, region, term.price, term.price_source or "AWS API")
        else:
            price = catalog.get(region, term.key)
            priced_terms.append((term.key, format(term.quantity.normalize(), "f"), term.sign))
        op = "" if i == 0 and term.sign > 0 else (" - " if term.sign < 0 else " + ")
        if price is None:
            missing.append(term.key)
            parts.append(f"{op}{term.label} x ? ({term.key}, {region}: no price)")
            continue
        prices.append(price)
        parts.append(f"{op}{term.label} x {price.label()}")
        total += term.sign * term.quantity * price.amount
    suffix = f"; {note}" if note else ""
    # explicit prices (an RI's rate from the API) are not re-priced: keep terms only without them
    kept = tuple(priced_terms) if len(priced_terms) == len(terms) else ()
    if missing:
        floor = total.quantize(CENT, rounding=ROUND_HALF_EVEN)
        if (not upper_bound and prices and floor > 0
                and all(t.sign > 0 for t in terms if t.key in missing and t.price is None)):
            return Estimate(floor, "".join(parts) + f" >= ${floor}/month (lower bound: "
                            f"{', '.join(missing)} not priced)" + suffix, tuple(prices),
                            tuple(missing), terms=kept, lower_bound=True)
        return Estimate(None, "".join(parts) + " = unknown" + suffix, tuple(prices), tuple(missing),
                        upper_bound, kept)
    amount = total.quantize(CENT, rounding=ROUND_HALF_EVEN)
    return Estimate(amount, "".join(parts) + f" = ${amount}/month" + suffix, tuple(prices),
                    upper_bound=upper_bound, terms=kept)


def unknown(reason: str, missing: str) -> Estimate:
    """Savings that cannot be computed (a quantity, not a price, is missing): None, with why."""
    return Estimate(None, f"unknown: {reason}", (), (missing,))


def fixed(amount: Decimal, formula: str) -> Estimate:
    """An estimate that needs no catalog price (e.g. a zero with the reason it is zero)."""
    return Estimate(amount.quantize(CENT), formula)


def monthly_cost(catalog: PriceCatalog, region: str, key: str, count: int = 1) -> str | None:
    """What a resource billed by the hour costs per month (for details; None if unpriced)."""
    price = catalog.get(region, key)
    if price is None:
        return None
    return str((price.amount * HOURS_PER_MONTH * count).quantize(CENT, rounding=ROUND_HALF_EVEN))


def monthly_hours(count: int | Decimal = 1, what: str = "") -> tuple[Decimal, str]:
    qty = Decimal(count) * HOURS_PER_MONTH
    label = f"{count} {what} x 730 h" if what else "730 h"
    return qty, label


def gib_of(n_bytes: int | float | Decimal, places: str = "0.001") -> Decimal:
    """Bytes -> GiB (2^30), rounded to `places`: the unit AWS's per-GB-month prices use."""
    return (Decimal(str(n_bytes)) / GIB).quantize(Decimal(places))


def gib(value: float | int | Decimal) -> str:
    d = Decimal(str(value)).quantize(Decimal("0.001")).normalize()
    return format(d, "f")


def total_of(estimates: Iterable[Estimate]) -> Decimal | None:
    amounts = [e.amount for e in estimates]
    if any(a is None for a in amounts):
        return None
    return sum((a for a in amounts if a is not None), Decimal(0))
