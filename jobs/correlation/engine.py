"""Correlation rules: DuckDB SQL over a tenant's active findings, emitting meta-findings.

A rule is one `rules/<id>.sql` file: a SQL-comment header (id, title, severity, reads, window,
savings) and one SELECT over the view `src`. The engine, not the rule, decides what `src`
holds: the tenant's active (not resolved, not suppressed) findings, one row per fingerprint,
last seen within the rule's window before the data's as-of time, and only of the check ids the
rule declares in `reads` (`*` = all). That prefilter keeps rules cheap and makes a rule's
inputs explicit. Each output row is cast through the same contract as producer findings
(`contracts.cast.to_row`), so a meta-finding's fingerprint is built from the rule id (as
check_id), its primary resource and the sorted source fingerprints.

Rules are validated at load: header complete, one SELECT statement, every referenced column
bound against an empty `src` (DuckDB's binder), the required output columns present, and check
ids compared in the SQL declared in `reads` (a rule filtering on an undeclared id is dead).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from contracts.cast import ContractError, Provenance, rows_to_table, to_row
from contracts.schema import FINDING_SCHEMA, SEVERITIES
from jobs.db import connect

RULES_DIR = Path(__file__).resolve().parent / "rules"
META_TOPIC = "finops.correlation"

# What a rule can read: the stored finding plus its lifecycle.
INPUT_EXTRA = [
    pa.field("first_seen", pa.timestamp("us", tz="UTC")),
    pa.field("last_seen", pa.timestamp("us", tz="UTC")),
    pa.field("lifecycle_state", pa.string()),
]
INPUT_COLUMNS = [f.name for f in FINDING_SCHEMA] + [f.name for f in INPUT_EXTRA]

REQUIRED_OUTPUT = (
    "account_id", "region", "resource_type", "resource_id", "source_fingerprints",
    "estimated_monthly_savings",
)
OPTIONAL_OUTPUT = {
    "service": "VARCHAR", "resource_name": "VARCHAR", "title": "VARCHAR", "severity": "VARCHAR",
    "details": "VARCHAR", "savings_formula": "VARCHAR", "confidence": "DOUBLE",
    "alternative_group": "VARCHAR", "excluded_fingerprints": "VARCHAR[]",
}
_HEADER = re.compile(r"^--\s*([a-z_]+)\s*:\s*(.*)$")
_WINDOW = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,62}$")
_CHECK_EQ = re.compile(r"check_id\s*=\s*'([^']*)'", re.I)
_CHECK_IN = re.compile(r"check_id\s+IN\s*\(([^)]*)\)", re.I)


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    severity: str
    reads: tuple[str, ...]  # () = every check id
    window: timedelta
    savings: str  # the savings formula, in words
    sql: str
    path: str
    priority: int = 100  # lower decides first which sources leave the totals
    outputs: tuple[str, ...] = field(default=())


def parse_window(text: str, where: str = "") -> timedelta:
    match = _WINDOW.match(text.strip())
    if not match:
        raise RuleError(f"{where}: window {text!r} is not like 30s, 15m, 6h, 14d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def parse_rule(path: Path) -> Rule:
    """Header and SQL of one rule file (no validation against the schema yet)."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    body: list[str] = []
    last_key = ""
    in_header = True
    for line in text.splitlines():
        match = _HEADER.match(line.strip()) if in_header else None
        if match:
            last_key = match.group(1)
            header[last_key] = match.group(2).strip()
        elif in_header and line.strip().startswith("--") and last_key:
            header[last_key] += " " + line.strip()[2:].strip()  # continuation line
        elif in_header and not line.strip():
            continue
        else:
            in_header = False
            body.append(line)
    where = str(path)
    missing = [k for k in ("id", "title", "severity", "reads", "window", "savings") if k not in header]
    if missing:
        raise RuleError(f"{where}: header lacks {missing}")
    rid = header["id"]
    if not _ID.match(rid) or rid != path.stem:
        raise RuleError(f"{where}: id {rid!r} must be a slug equal to the file name")
    if header["severity"] not in SEVERITIES:
        raise RuleError(f"{where}: severity {header['severity']!r} not in {SEVERITIES}")
    reads_text = header["reads"].strip()
    reads = () if reads_text == "*" else tuple(
        sorted({r.strip().lower() for r in reads_text.split(",") if r.strip()})
    )
    if reads_text != "*" and not reads:
        raise RuleError(f"{where}: reads lists no check id")
    sql = "\n".join(body).strip().rstrip(";")
    if not sql:
        raise RuleError(f"{where}: no SQL")
    try:
        priority = int(header.get("priority", "100"))
    except ValueError as exc:
        raise RuleError(f"{where}: priority {header['priority']!r} is not an integer") from exc
    return Rule(rid, header["title"], header["severity"], reads,
                parse_window(header["window"], where), header["savings"], sql, where, priority)


def _empty_input() -> pa.Table:
    schema = pa.schema(list(FINDING_SCHEMA) + INPUT_EXTRA)
    return schema.empty_table()


def validate_rule(rule: Rule, con: duckdb.DuckDBPyConnection | None = None) -> Rule:
    """Bind the rule against an empty `src`; returns the rule with its output columns."""
    own = con is None
    con = con or connect(threads=1)
    try:
        statements = duckdb.extract_statements(rule.sql)
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            raise RuleError(f"{rule.path}: must be exactly one SELECT statement")
        con.register("src", _empty_input())
        try:
            described = con.execute(f"DESCRIBE {rule.sql}").fetchall()
        except duckdb.Error as exc:
            raise RuleError(f"{rule.path}: {exc}") from exc
        finally:
            con.unregister("src")
        types = {row[0]: row[1] for row in described}
        missing = [c for c in REQUIRED_OUTPUT if c not in types]
        if missing:
            raise RuleError(f"{rule.path}: output lacks required columns {missing}")
        if not types["source_fingerprints"].endswith("[]"):
            raise RuleError(f"{rule.path}: source_fingerprints must be a list, got "
                            f"{types['source_fingerprints']}")
        undeclared = sorted(_compared_check_ids(rule.sql) - set(rule.reads)) if rule.reads else []
        if undeclared:
            raise RuleError(f"{rule.path}: compares check ids not declared in reads: {undeclared}")
        known = set(REQUIRED_OUTPUT) | set(OPTIONAL_OUTPUT)
        outputs = tuple(c for c in types if c in known)
        return Rule(rule.id, rule.title, rule.severity, rule.reads, rule.window, rule.savings,
                    rule.sql, rule.path, rule.priority, outputs)
    finally:
        if own:
            con.close()


def _compared_check_ids(sql: str) -> set[str]:
    ids = {m.group(1).lower() for m in _CHECK_EQ.finditer(sql)}
    for m in _CHECK_IN.finditer(sql):
        ids |= {x.strip().strip("'").lower() for x in m.group(1).split(",") if "'" in x}
    return ids


def load_rules(folder: Path = RULES_DIR) -> list[Rule]:
    """Every `*.sql` rule in folder, parsed and validated, in id order."""
    paths = sorted(folder.glob("*.sql"))
    if not paths:
        raise RuleError(f"{folder}: no rule files")
    con = connect(threads=1)
    try:
        rules = [validate_rule(parse_rule(p), con) for p in paths]
    finally:
        con.close()
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RuleError(f"{folder}: duplicate rule ids")
    return rules


@dataclass(frozen=True, slots=True)
class Correlated:
    """Meta-findings of one tenant: FINDING_SCHEMA rows + their rule and lifecycle."""

    table: pa.Table  # FINDING_SCHEMA
    extra: list[dict[str, Any]]  # per row: rule_id, first_seen, last_seen, lifecycle_state,
    # excluded_fingerprints (sources that leave the totals: the meta-finding supersedes them),
    # overruled_by (rules whose earlier decision kept this one from excluding anything)


def _wrap(rule: Rule) -> str:
    cols = [c for c in REQUIRED_OUTPUT]
    cols += [c if c in rule.outputs else f"NULL::{t} AS {c}" for c, t in OPTIONAL_OUTPUT.items()]
    return f"SELECT {', '.join(cols)} FROM ({rule.sql}) WHERE len(source_fingerprints) > 0"


def run_rules(
    con: duckdb.DuckDBPyConnection,
    active: str,
    tenant: str,
    as_of: datetime | None,
    rules: list[Rule],
) -> Correlated:
    """Run every rule over the `active` table (one row per fingerprint, INPUT_COLUMNS)."""
    raw: list[tuple[Rule, dict[str, Any]]] = []
    if as_of is not None:
        projection = ", ".join(f'"{c}"' for c in INPUT_COLUMNS)
        for rule in rules:
            checks = "" if not rule.reads else (
                " AND check_id IN (" + ", ".join(f"'{c}'" for c in rule.reads) + ")")
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW src AS SELECT {projection} FROM {active}"
                f" WHERE last_seen >= TIMESTAMPTZ '{(as_of - rule.window).isoformat()}'{checks}"
            )
            try:
                rows = con.sql(_wrap(rule)).to_arrow_table().to_pylist()
            except duckdb.Error as exc:
                raise RuntimeError(f"rule {rule.id} ({rule.path}), tenant {tenant!r}: {exc}") from exc
            raw += [(rule, r) for r in rows]
        con.execute("DROP VIEW IF EXISTS src")
    return _to_findings(con, active, tenant, raw)


def _source_facts(con: duckdb.DuckDBPyConnection, active: str, fps: set[str]) -> dict[str, tuple]:
    if not fps:
        return {}
    con.register("_meta_fps", pa.table({"fp": pa.array(sorted(fps), pa.string())}))
    try:
        rows = con.execute(
            f"SELECT a.fingerprint, a.workspace, a.service, a.observed_at, a.first_seen,"
            f" a.last_seen, a.lifecycle_state FROM {active} a"
            f" JOIN _meta_fps m ON m.fp = a.fingerprint"
        ).fetchall()
    finally:
        con.unregister("_meta_fps")
    return {r[0]: r[1:] for r in rows}


def _micros(ts: datetime) -> int:
    return (ts - datetime(1970, 1, 1, tzinfo=ts.tzinfo)) // timedelta(microseconds=1)


def _settle_exclusions(extras: list[dict[str, Any]]) -> None:
    """Decide which sources leave the totals, once, in (priority, rule, fingerprint) order.

    Rules may disagree (removal beats tuning; the highest saving beats the rest). A meta-finding's
    exclusions apply only if none of the sources it keeps was already excluded by an earlier
    decision, so two rules can never exclude every alternative of one resource between them.
    Overruled meta-findings stay reported, with `overruled_by` naming the rule that decided.
    """
    excluded_by: dict[str, str] = {}
    order = sorted(range(len(extras)), key=lambda i: (extras[i]["_priority"], extras[i]["rule_id"],
                                                      extras[i]["_fingerprint"]))
    for i in order:
        extra = extras[i]
        wanted = extra["excluded_fingerprints"]
        kept = [fp for fp in extra["_sources"] if fp not in wanted]
        clash = sorted({excluded_by[fp] for fp in kept if fp in excluded_by})
        if wanted and clash:
            extra["excluded_fingerprints"] = []
            extra["overruled_by"] = clash
            continue
        for fp in wanted:
            excluded_by.setdefault(fp, extra["rule_id"])
    for extra in extras:
        extra.setdefault("overruled_by", [])
        for key in ("_priority", "_sources", "_fingerprint"):
            extra.pop(key)


def _to_findings(
    con: duckdb.DuckDBPyConnection, active: str, tenant: str, raw: list[tuple[Rule, dict]]
) -> Correlated:
    facts = _source_facts(con, active, {fp for _, r in raw for fp in r["source_fingerprints"]})
    built: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    order = sorted(raw, key=lambda x: (x[0].id, sorted(set(x[1]["source_fingerprints"])),
                                       x[1]["resource_id"]))
    for i, (rule, r) in enumerate(order):
        sources = sorted(set(r["source_fingerprints"]))
        known = [facts[fp] for fp in sources if fp in facts]
        if len(known) != len(sources):
            raise RuntimeError(f"rule {rule.id}: source fingerprints not in its input")
        primary = min(known, key=lambda k: (k[0], k[1]))  # (workspace, service): stable choice
        details = json.loads(r["details"]) if r["details"] else {}
        details.update({"rule": rule.id, "sources": len(sources)})
        savings = r["estimated_monthly_savings"]
        wire = {
            "tenant_id": tenant,
            "workspace": primary[0],
            "account_id": r["account_id"],
            "region": r["region"],
            "service": r["service"] or primary[1],
            "check_id": rule.id,
            "resource_type": r["resource_type"],
            "resource_id": r["resource_id"],
            "resource_name": r["resource_name"],
            "scope": "",
            "title": r["title"] or rule.title,
            "severity": r["severity"] or rule.severity,
            "status": "open",
            "estimated_monthly_savings": None if savings is None else str(Decimal(savings)),
            "currency": "USD",
            "savings_formula": r["savings_formula"] or rule.savings,
            "confidence": 0.8 if r["confidence"] is None else r["confidence"],
            "alternative_group": r["alternative_group"],
            "tags": {},
            "details": details,
            "source_fingerprints": sources,
            "observed_at": _micros(max(k[2] for k in known)),
            "run_id": "",
            "id_mode": "stable",
            "schema_version": 1,
        }
        try:
            row = to_row(wire, Provenance(META_TOPIC, 0, i))
        except ContractError as exc:
            raise RuntimeError(f"rule {rule.id} ({rule.path}) emitted an invalid finding: {exc}") from exc
        extra = {
            "rule_id": rule.id,
            "first_seen": max(k[3] for k in known),
            "last_seen": max(k[4] for k in known),
            "lifecycle_state": "new" if any(k[5] == "new" for k in known) else "open",
            "excluded_fingerprints": sorted(set(r["excluded_fingerprints"] or []) & set(sources)),
            "_priority": rule.priority,
            "_sources": sources,
            "_fingerprint": row["fingerprint"],
        }
        built.setdefault(row["fingerprint"], (row, extra))
    items = [built[fp] for fp in sorted(built)]
    _settle_exclusions([extra for _, extra in items])
    # Offsets renumbered in fingerprint order: ids and provenance independent of rule order.
    for n, (row, _) in enumerate(items):
        row["source_offset"] = n
    return Correlated(rows_to_table([row for row, _ in items]), [extra for _, extra in items])
