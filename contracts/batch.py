"""Wire records to one FINDING_SCHEMA table per consumed batch: the stream's fast contract path.

`contracts.cast.to_row` + `rows_to_table` is the reference: canonicalize, validate, fingerprint and
cast one record at a time. Its cost is Python per-record overhead, several times the Avro decode
itself. `to_table_batch` does the same work column-wise (Arrow kernels, per-distinct-value
reference logic, one sha256 per row) for the records it can decide exactly, and hands every other
record (odd types, anything it would reject, anything it is unsure about) to the reference `to_row`.
So invalid records get the reference's own problems, and the valid ones give the same table,
byte for byte in Parquet, as the reference (tests/contracts/test_batch_equivalence.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from contracts.batch_columns import (
    Rows,
    by_unique,
    confidence_column,
    money_column,
    no_control,
    observed_column,
    schema_version_ok,
    text,
    trim,
)
from contracts.batch_maps import details_column, sources_column, tags_column
from contracts.batch_values import (
    ACCOUNT,
    CURRENCY,
    REGION,
    RESOURCE_TYPE,
    SLUG,
    account_fn,
    currency_fn,
    enum_fn,
    region_fn,
    resource_ids,
    resource_type_fn,
    slug_fn,
)
from contracts.cast import ContractError, Provenance, rows_to_table, to_row
from contracts.identity import _FP_DOMAIN, _SEP
from contracts.schema import (
    FINDING_SCHEMA,
    ID_MODES,
    SCHEMA_VERSION,
    SEVERITIES,
    STATUSES,
    WIRE_FIELDS,
)
from contracts.validate import FREE_TEXT, Problem

# What the reference processor turns into a "cast" dead letter rather than a crash.
CAST_ERRORS = (ValueError, TypeError, KeyError, OverflowError)
# Anything the column path may raise on input it cannot handle: the whole batch goes row-wise.
_COLUMN_ERRORS = (pa.ArrowException, ValueError, TypeError, OverflowError, ArithmeticError)
_NULL_STR = pa.scalar(None, pa.string())
# The wire fields the contract reads (the reference reads each with `.get`).
WIRE_NAMES = tuple(f.name for f in WIRE_FIELDS if f.name != "finding_id")


@dataclass
class BatchResult:
    """Valid rows as one table (input order); contract-invalid and cast-failed records by index."""

    table: pa.Table
    invalid: list[tuple[int, list[Problem]]]
    failed: list[tuple[int, Exception]]
    reference_rows: int  # records decided by the row-wise reference (for tests and stats)


def to_table_batch(
    records: Sequence[dict[str, Any]], topic: str, partition: int, offsets: Sequence[int]
) -> tuple[pa.Table, list[tuple[int, list[Problem]]]]:
    """Valid records as one FINDING_SCHEMA table, and each invalid record's index and problems.

    A record the reference `to_row` fails on with a cast error (not a contract problem) is listed
    as invalid too, with one problem named "cast"; `convert_batch` keeps the two apart.
    """
    result = convert_batch(records, topic, partition, offsets)
    invalid = list(result.invalid)
    invalid += [(i, [Problem("cast", f"{type(e).__name__}: {e}")]) for i, e in result.failed]
    return result.table, sorted(invalid, key=lambda item: item[0])


def convert_batch(
    records: Sequence[dict[str, Any]], topic: str, partition: int, offsets: Sequence[int]
) -> BatchResult:
    """The column path for the records it can decide, the reference `to_row` for the rest."""
    if len(offsets) != len(records):
        raise ValueError(f"{len(records)} records but {len(offsets)} offsets")
    n = len(records)
    if n == 0:
        return BatchResult(FINDING_SCHEMA.empty_table(), [], [], 0)
    try:
        fast, table = _column_path(records, topic, partition, offsets)
    except _COLUMN_ERRORS:
        fast, table = [False] * n, FINDING_SCHEMA.empty_table()
    positions = [i for i in range(n) if fast[i]]
    invalid: list[tuple[int, list[Problem]]] = []
    failed: list[tuple[int, Exception]] = []
    slow_rows: list[dict[str, Any]] = []
    slow_positions: list[int] = []
    for i in range(n):
        if fast[i]:
            continue
        try:
            slow_rows.append(to_row(records[i], Provenance(topic, partition, offsets[i])))
            slow_positions.append(i)
        except ContractError as exc:
            invalid.append((i, exc.problems))
        except Exception as exc:  # noqa: BLE001 - one bad record never fails the batch
            failed.append((i, exc))
    if slow_rows:
        table = pa.concat_tables([table, rows_to_table(slow_rows)])
        order = positions + slow_positions
        table = table.take(sorted(range(len(order)), key=order.__getitem__))
    return BatchResult(table.combine_chunks(), invalid, failed, n - len(positions))


def _column_path(
    records: Sequence[dict[str, Any]], topic: str, partition: int, offsets: Sequence[int]
) -> tuple[list[bool], pa.Table]:
    """Which records the columns decided (valid, exact), and their rows as a table."""
    rows = Rows(len(records))
    cols, claimed, sources_joined = _canonical_columns(rows, records)
    fast = rows.fast_mask()
    mask = pa.array(fast, pa.bool_())
    cols = {name: arr.filter(mask) for name, arr in cols.items()}
    claimed, sources_joined = claimed.filter(mask), sources_joined.filter(mask)
    fps = _fingerprints(cols, sources_joined)
    fp_arr = pa.array(fps, pa.string())
    wrong = pc.fill_null(pc.and_(pc.not_equal(claimed, ""), pc.not_equal(claimed, fp_arr)), False)
    if wrong.true_count:  # a claimed fingerprint that does not match: the reference reports it
        kept = [i for i, f in enumerate(fast) if f]
        for i, bad in zip(kept, wrong.to_pylist(), strict=True):
            if bad:
                fast[i] = False
        keep = pc.invert(wrong)
        cols = {name: arr.filter(keep) for name, arr in cols.items()}
        fps = [f for f, bad in zip(fps, wrong.to_pylist(), strict=True) if not bad]
        fp_arr = pa.array(fps, pa.string())
    m = len(fps)
    cols["fingerprint"] = fp_arr
    cols["finding_id"] = _finding_ids(cols, fps)
    cols["schema_version"] = pa.array([SCHEMA_VERSION] * m, pa.int32())
    cols["source_topic"] = pa.array([topic] * m, pa.string())
    cols["source_partition"] = pa.array([partition] * m, pa.int32())
    cols["source_offset"] = pa.array(
        [o for o, f in zip(offsets, fast, strict=True) if f], pa.int64()
    )
    arrays = [cols[f.name] for f in FINDING_SCHEMA]
    return fast, pa.Table.from_arrays(arrays, schema=FINDING_SCHEMA)


def _canonical_columns(
    rows: Rows, records: Sequence[dict[str, Any]]
) -> tuple[dict[str, pa.Array], pa.Array, pa.Array]:
    """Canonical storage columns (all rows), the claimed fingerprints, the joined sources."""

    table = _transpose(records)

    def col(name: str) -> Sequence[Any]:
        return table[name]

    def unique(name: str, fn: Any, types: Sequence[pa.DataType]) -> list[pa.Array]:
        arrays = by_unique(text(rows, col(name), nullable=False), fn, types)
        rows.check(arrays[1])
        return arrays

    out: dict[str, pa.Array] = {}
    for name in ("tenant_id", "workspace", "service", "check_id"):
        out[name] = unique(name, slug_fn, SLUG)[0]
    out["region"], _, partition = unique("region", region_fn, REGION)
    out["account_id"] = unique("account_id", account_fn, ACCOUNT)[0]
    rtype = unique("resource_type", resource_type_fn, RESOURCE_TYPE)
    out["resource_type"] = rtype[0]
    for name, allowed in (("severity", SEVERITIES), ("status", STATUSES), ("id_mode", ID_MODES)):
        out[name] = unique(name, enum_fn(name, allowed), SLUG)[0]
    currency, currency_ok = by_unique(
        text(rows, col("currency"), nullable=True), currency_fn, CURRENCY
    )
    out["currency"] = pc.fill_null(currency, "USD")
    rows.check(pc.fill_null(currency_ok, True))
    out["title"] = trim(text(rows, col("title"), nullable=False))
    rows.check(pc.not_equal(out["title"], ""))
    for name in ("resource_name", "alternative_group"):
        value = trim(text(rows, col(name), nullable=True))
        out[name] = pc.if_else(pc.equal(value, ""), _NULL_STR, value)
    out["savings_formula"] = trim(text(rows, col("savings_formula"), nullable=True))
    for name in ("run_id", "scope"):
        out[name] = pc.fill_null(trim(text(rows, col(name), nullable=True)), "")
    out["resource_id"] = resource_ids(
        rows, text(rows, col("resource_id"), nullable=False), rtype, out, partition
    )
    no_control(rows, out["resource_id"], identifier=True)
    for name in FREE_TEXT:
        no_control(rows, out[name])
    out["estimated_monthly_savings"] = money_column(rows, col("estimated_monthly_savings"))
    given = pc.is_valid(out["estimated_monthly_savings"])
    rows.check(pc.or_kleene(pc.invert(given), pc.not_equal(out["savings_formula"], "")))
    out["confidence"] = confidence_column(rows, col("confidence"))
    out["observed_at"] = observed_column(rows, col("observed_at"))
    out["tags"] = tags_column(rows, col("tags"))
    out["details"] = details_column(rows, col("details"))
    out["source_fingerprints"], sources_joined = sources_column(rows, col("source_fingerprints"))
    schema_version_ok(rows, col("schema_version"), SCHEMA_VERSION)
    rows.check(
        pc.or_kleene(pc.not_equal(out["id_mode"], "per-run"), pc.not_equal(out["run_id"], ""))
    )
    claimed = text(rows, col("fingerprint"), nullable=True)
    return out, claimed, sources_joined


def _transpose(records: Sequence[dict[str, Any]]) -> dict[str, Sequence[Any]]:
    """Wire fields as columns. itemgetter + zip transpose in C, several times faster than one
    `.get` comprehension per field; a record missing a field (the reference reads it as None)
    makes the whole batch use `.get`."""
    try:
        return dict(
            zip(WIRE_NAMES, zip(*map(itemgetter(*WIRE_NAMES), records), strict=True), strict=True)
        )
    except KeyError:
        return {name: [r.get(name) for r in records] for name in WIRE_NAMES}


def _fingerprints(cols: dict[str, pa.Array], sources_joined: pa.Array) -> list[str]:
    """`identity.fingerprint`: the identity joined by kernels, then one sha256 per row."""
    joined = pc.binary_join_element_wise(
        _FP_DOMAIN,
        cols["check_id"],
        cols["tenant_id"],
        cols["account_id"],
        cols["region"],
        cols["resource_id"],
        cols["scope"],
        sources_joined,
        _SEP,
        null_handling="skip",
    )
    sha = hashlib.sha256
    return [sha(b).hexdigest() for b in joined.cast(pa.binary()).to_pylist()]


def _finding_ids(cols: dict[str, pa.Array], fps: list[str]) -> pa.Array:
    """`identity.finding_id`: the fingerprint, or a hash of it with the run id or the UTC day."""
    modes = cols["id_mode"]
    stable = pc.equal(modes, "stable")
    if stable.true_count == len(fps):
        return pa.array(fps, pa.string())
    day = cols["observed_at"].cast(pa.date32()).cast(pa.string())
    salt = pc.if_else(pc.equal(modes, "per-run"), cols["run_id"], day)
    joined = pc.binary_join_element_wise(pa.array(fps, pa.string()), modes, salt, _SEP)
    sha = hashlib.sha256
    ids = [
        fp if keep else sha(b).hexdigest()
        for fp, keep, b in zip(
            fps, stable.to_pylist(), joined.cast(pa.binary()).to_pylist(), strict=True
        )
    ]
    return pa.array(ids, pa.string())


Converter = Callable[[Sequence[dict[str, Any]], str, int, Sequence[int]], BatchResult]


def rowwise(
    to_row_fn: Callable[[dict[str, Any], Provenance], dict[str, Any]],
    to_table_fn: Callable[[list[dict[str, Any]]], pa.Table],
) -> Converter:
    """A converter of the `convert_batch` shape over any row-wise contract (scan summaries, or the
    findings' reference itself, which the equivalence tests compare against)."""

    def convert(
        records: Sequence[dict[str, Any]], topic: str, partition: int, offsets: Sequence[int]
    ) -> BatchResult:
        rows: list[dict[str, Any]] = []
        invalid: list[tuple[int, list[Problem]]] = []
        failed: list[tuple[int, Exception]] = []
        for i, (record, offset) in enumerate(zip(records, offsets, strict=True)):
            try:
                rows.append(to_row_fn(record, Provenance(topic, partition, offset)))
            except ContractError as exc:
                invalid.append((i, exc.problems))
            except Exception as exc:  # noqa: BLE001 - one bad record never fails the batch
                failed.append((i, exc))
        return BatchResult(to_table_fn(rows), invalid, failed, len(records))

    return convert
