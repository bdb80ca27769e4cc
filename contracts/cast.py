"""Wire-to-storage cast: a validated canonical record becomes one row of FINDING_SCHEMA.

Identity is recomputed here, never trusted from the wire: the fingerprint from the canonical
identity, the finding_id from the fingerprint and the id mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from contracts.canonical import canonicalize_record, details_json
from contracts.identity import finding_id, fingerprint
from contracts.schema import FINDING_SCHEMA, SCHEMA_VERSION
from contracts.validate import Problem, validate


@dataclass(frozen=True, slots=True)
class Provenance:
    topic: str
    partition: int
    offset: int

    def __str__(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


class ContractError(ValueError):
    """A record that breaks the contract; carries every problem and where it came from."""

    def __init__(self, problems: list[Problem], where: Provenance | None = None) -> None:
        self.problems = problems
        self.where = where
        prefix = f"{where}: " if where else ""
        super().__init__(prefix + "; ".join(str(p) for p in problems))


def to_row(wire: Mapping[str, Any], where: Provenance) -> dict[str, Any]:
    """Canonicalize, validate and cast one wire record; raises ContractError."""
    rec = canonicalize_record(wire)
    problems = validate(rec)
    if problems:
        raise ContractError(problems, where)
    fp = fingerprint(rec)
    return {
        "tenant_id": rec["tenant_id"],
        "workspace": rec["workspace"],
        "account_id": rec["account_id"],
        "region": rec["region"],
        "service": rec["service"],
        "check_id": rec["check_id"],
        "resource_type": rec["resource_type"],
        "resource_id": rec["resource_id"],
        "resource_name": rec.get("resource_name"),
        "scope": rec.get("scope") or "",
        "title": rec["title"],
        "severity": rec["severity"],
        "status": rec["status"],
        "estimated_monthly_savings": rec.get("estimated_monthly_savings"),
        "currency": rec["currency"],
        "savings_formula": rec.get("savings_formula"),
        "confidence": float(rec["confidence"]),
        "alternative_group": rec.get("alternative_group"),
        "tags": list(rec["tags"].items()),
        "details": details_json(rec["details"]),
        "source_fingerprints": list(rec["source_fingerprints"]),
        "observed_at": rec["observed_at"],
        "run_id": rec.get("run_id") or "",
        "fingerprint": fp,
        "finding_id": finding_id(fp, rec["id_mode"], rec.get("run_id") or "", rec["observed_at"]),
        "id_mode": rec["id_mode"],
        "schema_version": SCHEMA_VERSION,
        "source_topic": where.topic,
        "source_partition": where.partition,
        "source_offset": where.offset,
    }


def rows_to_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Rows from `to_row` as a table of exactly FINDING_SCHEMA (the strict storage cast)."""
    rows = list(rows)
    columns = {f.name: [r[f.name] for r in rows] for f in FINDING_SCHEMA}
    arrays = [pa.array(columns[f.name], type=f.type) for f in FINDING_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=FINDING_SCHEMA)
