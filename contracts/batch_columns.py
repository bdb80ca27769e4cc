"""Column helpers for `contracts.batch`: scalar wire fields to canonical Arrow columns.

Every helper returns canonical values for all rows plus which rows it is *sure* about. A row the
helper is unsure about (an odd type, a value the vectorized rule cannot decide exactly like the
reference) goes into `Rows.slow`; `contracts.batch` then runs the row-wise reference `to_row` on it.
So the vectorized code only has to be exact for the rows it accepts, never for the rest.

Exactness tools used here:
- low-cardinality fields (tenant, region, account, resource type, ...) are canonicalized and
  validated per *distinct value* with the reference's own Python code and regexes, then spread back
  to the rows with `take`: exact for any Unicode by construction, and cheap;
- free-text trimming uses `utf8_trim` with exactly the characters `contracts.text.trim_text`
  removes, and a row whose free text holds a control character goes to the reference (which
  rejects it);
- money strings in plain decimal notation are rounded by Arrow's decimal `round` (half to even);
  anything else (floats, exponents, signs) goes through the reference `money()` per row;
- aware datetimes are converted by Arrow to exact micros, then put through the same float
  arithmetic as the reference (`int(dt.timestamp() * 1e6)`), which can be 1 us below exact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from contracts.canonical import micros, money
from contracts.schema import MONEY, TIMESTAMP
from contracts.text import CONTROL_PATTERN, ID_CONTROL_PATTERN, TEXT_BLANKS
from contracts.validate import MAX_SAVINGS, MAX_TIME_US, MIN_TIME_US

NONE_TYPE = type(None)
# Plain decimal notation Arrow parses and rounds exactly like Decimal(..).quantize(HALF_EVEN);
# at most 10 integer digits, so that with 16 decimals it fits decimal128(38, 16).
_PLAIN_MONEY = r"^[0-9]{1,10}(\.[0-9]{1,16})?$"
_WIDE_MONEY = pa.decimal128(38, 16)
_MAX_SAVINGS = pa.scalar(MAX_SAVINGS, MONEY)


@dataclass
class Rows:
    """Row bookkeeping shared by the column helpers: rows for the reference, and vector checks."""

    n: int
    slow: set[int] = field(default_factory=set)
    checks: list[pa.Array] = field(default_factory=list)

    def check(self, ok: pa.Array) -> None:
        """A boolean column; false or null marks a row the reference must decide."""
        self.checks.append(pc.fill_null(ok, False))

    def fast_mask(self) -> list[bool]:
        ok = [True] * self.n
        for arr in self.checks:
            if arr.false_count:
                for i, good in enumerate(arr.to_pylist()):
                    if not good:
                        ok[i] = False
        for i in self.slow:
            ok[i] = False
        return ok


def odd_rows(col: Sequence[Any], allowed: tuple[type, ...]) -> list[int]:
    """Indices whose value's exact type is not allowed (subclasses count as odd: e.g. bool)."""
    if set(map(type, col)) <= set(allowed):
        return []
    return [i for i, v in enumerate(col) if type(v) not in allowed]


def text(rows: Rows, col: Sequence[Any], *, nullable: bool) -> pa.Array:
    """A string column; non-strings (and None where the field is required) go to the reference."""
    odd = odd_rows(col, (str, NONE_TYPE) if nullable else (str,))
    if odd:
        rows.slow.update(odd)
        col = [v if type(v) is str else None for v in col]
    return pa.array(col, pa.string())


def trim(arr: pa.Array) -> pa.Array:
    """`contracts.text.trim_text` for a whole column."""
    return pc.utf8_trim(arr, characters=TEXT_BLANKS)


def has_control(arr: pa.Array, *, identifier: bool = False) -> pa.Array:
    """True where a string holds a control character `contracts.text` forbids (null: False)."""
    pattern = ID_CONTROL_PATTERN if identifier else CONTROL_PATTERN
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False)


def no_control(rows: Rows, arr: pa.Array, *, identifier: bool = False) -> None:
    """Rows whose `arr` holds a forbidden control character go to the reference."""
    rows.check(pc.invert(has_control(arr, identifier=identifier)))


def by_unique(
    arr: pa.Array, fn: Callable[[str], tuple[Any, ...]], types: Sequence[pa.DataType]
) -> list[pa.Array]:
    """Apply the reference's per-value logic once per distinct value, then spread to the rows.

    `fn` returns one value per entry of `types`; nulls stay null in every output column.
    """
    enc = pc.dictionary_encode(arr)
    results = [fn(v) for v in enc.dictionary.to_pylist()]
    return [
        pa.array([r[j] for r in results], type=t).take(enc.indices) for j, t in enumerate(types)
    ]


def money_column(rows: Rows, col: Sequence[Any]) -> pa.Array:
    """`canonical.money` + the savings checks of `validate` (sign, size), as decimal128(18, 2)."""
    is_str = [type(v) is str for v in col]
    texts = trim(
        pa.array([v if s else None for v, s in zip(col, is_str, strict=True)], pa.string())
    )
    plain = pc.fill_null(pc.match_substring_regex(texts, _PLAIN_MONEY), False)
    wide = pc.if_else(plain, texts, pa.scalar(None, pa.string())).cast(_WIDE_MONEY)
    vec = pc.round(wide, ndigits=2, round_mode="half_to_even").cast(MONEY)
    rows.check(pc.or_kleene(pc.invert(plain), pc.less(vec, _MAX_SAVINGS)))
    if plain.true_count == len(col):
        return vec
    others = [i for i, p in enumerate(plain.to_pylist()) if not p]
    replacements: list[Decimal | None] = []
    for i in others:
        try:
            amount = money(col[i])
        except ArithmeticError:  # e.g. quantize overflow: the reference raises, let it
            rows.slow.add(i)
            amount = None
        if amount is not None and not (isinstance(amount, Decimal) and 0 <= amount < MAX_SAVINGS):
            rows.slow.add(i)
            amount = None
        replacements.append(amount)
    mask = pa.array([not p for p in plain.to_pylist()], pa.bool_())
    return pc.replace_with_mask(vec, mask, pa.array(replacements, MONEY))


def _float_micros(exact: pa.Array) -> pa.Array:
    """Exact micros, as `canonical.exact_micros` (Arrow's datetime conversion is exact)."""
    return exact


def observed_column(rows: Rows, col: Sequence[Any]) -> pa.Array:
    """`canonical.micros` + the range check of `validate`, as timestamp[us, UTC]."""
    if set(map(type, col)) == {datetime} and all(v.tzinfo is UTC for v in col):
        us = _float_micros(pa.array(col, TIMESTAMP).cast(pa.int64()))
    else:
        dts: list[datetime | None] = []
        ints: list[int | None] = []
        for i, v in enumerate(col):
            if type(v) is datetime and v.tzinfo is UTC:
                dts.append(v)
                ints.append(None)
                continue
            value = micros(v)
            if type(value) is not int or not MIN_TIME_US <= value < MAX_TIME_US:
                rows.slow.add(i)
                value = None
            dts.append(None)
            ints.append(value)
        from_dt = _float_micros(pa.array(dts, TIMESTAMP).cast(pa.int64()))
        us = pc.coalesce(from_dt, pa.array(ints, pa.int64()))
    rows.check(pc.and_(pc.greater_equal(us, MIN_TIME_US), pc.less(us, MAX_TIME_US)))
    return us.cast(TIMESTAMP)


def confidence_column(rows: Rows, col: Sequence[Any]) -> pa.Array:
    """None means 0.5; a number must lie in [0, 1] (NaN does not) and is stored as float(x).
    Only the ints 0 and 1 can be valid: other ints, bools and other types go to the reference."""
    odd = odd_rows(col, (float, NONE_TYPE))
    if odd:
        fixed = list(col)
        for i in odd:
            value = col[i]
            if type(value) is int and value in (0, 1):
                fixed[i] = float(value)
            else:
                rows.slow.add(i)
                fixed[i] = None
        col = fixed
    conf = pc.fill_null(pa.array(col, pa.float64()), 0.5)
    rows.check(pc.and_(pc.greater_equal(conf, 0.0), pc.less_equal(conf, 1.0)))
    return conf


def schema_version_ok(rows: Rows, col: Sequence[Any], version: int) -> None:
    """The reference accepts anything `== version` (so True and 1.0 too); for the builtin
    numbers that is exactly `==` here, other types go to the reference."""
    if set(map(type, col)) == {int} and col.count(version) == len(col):
        return
    numbers = (int, bool, float)
    rows.slow.update(i for i, v in enumerate(col) if type(v) not in numbers or v != version)
