"""The Arrow schema of a stored scan summary, and the wire-to-storage cast for it.

A scan summary says which checks RAN for one account/region and what failed. The lifecycle job
needs it to tell "no longer reported" (resolved) from "not looked at" (unknown): a finding is
only resolved by a completed scan whose `check_counts` names its check and whose `errors` do not
touch its scope. The wire schema is `schemas/scan.v1.avsc`; like findings, the wire is permissive
and this cast is strict (maps sorted by key, times as UTC micros, errors sorted) so replays
write byte-identical Parquet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from contracts.canonical import micros
from contracts.cast import ContractError, Provenance
from contracts.schema import PROVENANCE_FIELDS, TIMESTAMP
from contracts.text import ascii_lower, control_at, id_text
from contracts.validate import _ACCOUNT, _REGION, _SLUG, Problem

SCAN_SCHEMA_VERSION = 1
SCAN_STATUSES = ("ok", "partial", "failed")

ERROR_FIELDS = ("account_id", "region", "service", "operation", "check_id", "code", "message")
ERROR_TYPE = pa.struct([pa.field(name, pa.string(), nullable=True) for name in ERROR_FIELDS])
COUNT_MAP = pa.map_(pa.string(), pa.int64(), keys_sorted=True)

SCAN_FIELDS: list[pa.Field] = [
    pa.field("tenant_id", pa.string(), nullable=False),
    pa.field("workspace", pa.string(), nullable=False),
    pa.field("account_id", pa.string(), nullable=False),
    pa.field("region", pa.string(), nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("started_at", TIMESTAMP, nullable=False),
    pa.field("finished_at", TIMESTAMP, nullable=False),
    pa.field("status", pa.string(), nullable=False),
    pa.field("check_counts", COUNT_MAP, nullable=False),
    pa.field("resources_seen", COUNT_MAP, nullable=False),
    pa.field("errors", pa.list_(ERROR_TYPE), nullable=False),
    pa.field("duration_s", pa.float64(), nullable=False),
]

SCAN_SCHEMA = pa.schema(
    SCAN_FIELDS + PROVENANCE_FIELDS,
    metadata={"finops.schema": "scan", "finops.schema_version": str(SCAN_SCHEMA_VERSION)},
)


_IDENTIFIERS = (
    ("tenant_id", _SLUG, "a lower-case slug"),
    ("workspace", _SLUG, "a lower-case slug"),
    ("account_id", _ACCOUNT, "a 12-digit AWS account id"),
    ("region", _REGION, "an AWS region"),
)


def _no_control(field: str, value: str | None, problems: list[Problem]) -> None:
    """Free text holds no NUL / C0 (but TAB, LF, CR) / DEL / C1 control: the findings' rule."""
    if value is not None and (at := control_at(value)) >= 0:
        problems.append(Problem(field, f"control character U+{ord(value[at]):04X} at position {at}"))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = id_text(str(value))
    return text or None


def _counts(name: str, value: Any, problems: list[Problem]) -> list[tuple[str, int]]:
    if value is None:
        return []
    if not isinstance(value, Mapping):
        problems.append(Problem(name, f"must be a map of counts, got {type(value).__name__}"))
        return []
    out: dict[str, int] = {}
    for key, count in value.items():
        k = ascii_lower(id_text(str(key)))
        if not k:
            problems.append(Problem(name, "empty key"))
            continue
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            problems.append(Problem(name, f"{k}: {count!r} is not a count"))
            continue
        out[k] = out.get(k, 0) + count
    return sorted(out.items())


def _errors(value: Any, problems: list[Problem]) -> list[dict[str, str | None]]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        problems.append(Problem("errors", f"must be a list, got {type(value).__name__}"))
        return []
    out = []
    for i, err in enumerate(value):
        if not isinstance(err, Mapping):
            problems.append(Problem(f"errors[{i}]", "must be a record"))
            continue
        row = {name: _text(err.get(name)) for name in ERROR_FIELDS}
        for name in ("region", "service", "check_id"):
            if row[name] is not None:
                row[name] = ascii_lower(row[name])  # type: ignore[arg-type]
        if row["account_id"] is not None:
            row["account_id"] = row["account_id"].replace("-", "")  # type: ignore[union-attr]
        out.append(row)
    # Stable order: the wire order of errors is the scanner's thread interleaving, not meaning.
    return sorted(out, key=lambda r: tuple(r[n] or "" for n in ERROR_FIELDS))


def _time(name: str, value: Any, problems: list[Problem]) -> int | None:
    us = micros(value)
    if not isinstance(us, int):
        problems.append(Problem(name, f"{value!r} is not a UTC timestamp"))
        return None
    return us


def scan_wire_to_row(wire: Mapping[str, Any], where: Provenance) -> dict[str, Any]:
    """Canonicalize, validate and cast one wire scan summary; raises ContractError with every
    problem and the record's provenance (so the stream can dead-letter it)."""
    problems: list[Problem] = []
    row: dict[str, Any] = {}
    for name in ("tenant_id", "account_id", "region", "run_id"):
        value = _text(wire.get(name))
        if value is None:
            problems.append(Problem(name, "required"))
        row[name] = value
    if row["tenant_id"]:
        row["tenant_id"] = ascii_lower(row["tenant_id"])
    if row["region"]:
        row["region"] = ascii_lower(row["region"])
    if row["account_id"]:
        row["account_id"] = row["account_id"].replace("-", "")
    row["workspace"] = ascii_lower(_text(wire.get("workspace")) or "default")
    # the same ASCII identifier patterns as findings (tenant and workspace name directories)
    for name, pattern, what in _IDENTIFIERS:
        if row[name] and not pattern.match(row[name]):
            problems.append(Problem(name, f"{row[name]!r} is not {what}"))
    _no_control("run_id", row["run_id"], problems)
    row["started_at"] = _time("started_at", wire.get("started_at"), problems)
    row["finished_at"] = _time("finished_at", wire.get("finished_at"), problems)
    if row["started_at"] is not None and row["finished_at"] is not None:
        if row["finished_at"] < row["started_at"]:
            problems.append(Problem("finished_at", "before started_at"))
    status = ascii_lower(_text(wire.get("status")) or "")
    if status not in SCAN_STATUSES:
        problems.append(Problem("status", f"{status!r} not in {SCAN_STATUSES}"))
    row["status"] = status
    row["check_counts"] = _counts("check_counts", wire.get("check_counts"), problems)
    row["resources_seen"] = _counts("resources_seen", wire.get("resources_seen"), problems)
    row["errors"] = _errors(wire.get("errors"), problems)
    for i, err in enumerate(row["errors"]):
        for name in ERROR_FIELDS:
            _no_control(f"errors[{i}].{name}", err[name], problems)
    duration = wire.get("duration_s")
    if duration is None and row["started_at"] is not None and row["finished_at"] is not None:
        duration = (row["finished_at"] - row["started_at"]) / 1_000_000
    if isinstance(duration, bool) or not isinstance(duration, int | float) or duration < 0:
        problems.append(Problem("duration_s", f"{duration!r} is not a duration"))
        duration = 0.0
    row["duration_s"] = float(duration)
    if problems:
        raise ContractError(problems, where)
    row["source_topic"] = where.topic
    row["source_partition"] = where.partition
    row["source_offset"] = where.offset
    return row


def scan_rows_to_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Rows from `scan_wire_to_row` as a table of exactly SCAN_SCHEMA."""
    rows = list(rows)
    arrays = [pa.array([r[f.name] for r in rows], type=f.type) for f in SCAN_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=SCAN_SCHEMA)
