"""Contract validation of a canonical finding: every problem, each with its field name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contracts.arn import ARN_FORMS
from contracts.identity import fingerprint
from contracts.schema import ID_MODES, SCHEMA_VERSION, SEVERITIES, STATUSES
from contracts.text import control_at

# ASCII classes only, anchored at the very end (`$` would also match before a final newline).
_ACCOUNT = re.compile(r"^[0-9]{12}\Z", re.A)
_REGION = re.compile(r"^(global|[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9])\Z", re.A)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}\Z", re.A)
_HEX64 = re.compile(r"^[0-9a-f]{64}\Z", re.A)
_CURRENCY = re.compile(r"^[A-Z]{3}\Z", re.A)
FREE_TEXT = ("title", "resource_name", "savings_formula", "alternative_group", "run_id", "scope")
MIN_TIME_US = 946_684_800_000_000  # 2000-01-01
MAX_TIME_US = 4_102_444_800_000_000  # 2100-01-01
MAX_SAVINGS = Decimal("10000000000")  # $10bn a month is a bug, not a finding


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _required_str(rec: Mapping[str, Any], name: str, problems: list[Problem]) -> str | None:
    value = rec.get(name)
    if not isinstance(value, str) or not value:
        problems.append(Problem(name, "required" if value in (None, "") else f"must be a string, got {type(value).__name__}"))
        return None
    return value


def _control(field: str, value: Any, problems: list[Problem], *, identifier: bool = False) -> None:
    if isinstance(value, str) and (at := control_at(value, identifier=identifier)) >= 0:
        problems.append(Problem(field, f"control character U+{ord(value[at]):04X} at position {at}"))


def validate(rec: Mapping[str, Any]) -> list[Problem]:
    """Problems of a canonical record (see `contracts.canonical.canonicalize_record`)."""
    problems: list[Problem] = []
    for name in ("tenant_id", "workspace", "service", "check_id"):
        value = _required_str(rec, name, problems)
        if value is not None and not _SLUG.match(value):
            problems.append(Problem(name, f"{value!r} is not a lower-case slug"))
    account = _required_str(rec, "account_id", problems)
    if account is not None and not _ACCOUNT.match(account):
        problems.append(Problem("account_id", f"{account!r} is not a 12-digit AWS account id"))
    region = _required_str(rec, "region", problems)
    if region is not None and not _REGION.match(region):
        problems.append(Problem("region", f"{region!r} is not an AWS region"))
    rtype = _required_str(rec, "resource_type", problems)
    if rtype is not None and rtype not in ARN_FORMS:
        problems.append(Problem("resource_type", f"unknown resource type {rtype!r}"))
    rid = _required_str(rec, "resource_id", problems)
    if rid is not None and not rid.startswith("arn:"):
        problems.append(Problem("resource_id", f"{rid!r} has no ARN normal form"))
    _required_str(rec, "title", problems)
    sev = rec.get("severity")
    if sev not in SEVERITIES:
        problems.append(Problem("severity", f"{sev!r} not in {SEVERITIES}"))
    status = rec.get("status")
    if status not in STATUSES:
        problems.append(Problem("status", f"{status!r} not in {STATUSES}"))
    if rec.get("id_mode") not in ID_MODES:
        problems.append(Problem("id_mode", f"{rec.get('id_mode')!r} not in {ID_MODES}"))
    savings = rec.get("estimated_monthly_savings")
    if savings is not None:
        if not isinstance(savings, Decimal):
            problems.append(Problem("estimated_monthly_savings", f"{savings!r} is not a number"))
        elif savings < 0:
            problems.append(Problem("estimated_monthly_savings", f"{savings} is negative"))
        elif savings >= MAX_SAVINGS:
            problems.append(Problem("estimated_monthly_savings", f"{savings} is implausibly large"))
        if not rec.get("savings_formula"):
            problems.append(Problem("savings_formula", "required when savings are given"))
    currency = rec.get("currency")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        problems.append(Problem("currency", f"{currency!r} is not an ISO-4217 code"))
    conf = rec.get("confidence")
    if not isinstance(conf, int | float) or isinstance(conf, bool) or not 0.0 <= float(conf) <= 1.0:
        problems.append(Problem("confidence", f"{conf!r} not in [0, 1]"))
    observed = rec.get("observed_at")
    if not isinstance(observed, int):
        problems.append(Problem("observed_at", f"{observed!r} is not a UTC timestamp"))
    elif not MIN_TIME_US <= observed < MAX_TIME_US:
        problems.append(Problem("observed_at", f"{observed} is outside 2000-2100"))
    for name in FREE_TEXT:
        _control(name, rec.get(name), problems)
    _control("resource_id", rid, problems, identifier=True)
    for name in ("tags", "details"):
        value = rec.get(name)
        if not isinstance(value, Mapping):
            problems.append(Problem(name, "must be a map of strings"))
            continue
        if any(not k for k in value):
            problems.append(Problem(name, "empty key"))
        for k, v in value.items():
            _control(f"{name}[{k!r}]", k, problems)
            _control(f"{name}[{k!r}]", v, problems)
    if rec.get("schema_version") != SCHEMA_VERSION:
        problems.append(Problem("schema_version", f"{rec.get('schema_version')!r} != {SCHEMA_VERSION}"))
    sources = rec.get("source_fingerprints") or []
    if any(not _HEX64.match(s) for s in sources):
        problems.append(Problem("source_fingerprints", "entries must be sha256 hex"))
    if rec.get("id_mode") == "per-run" and not rec.get("run_id"):
        problems.append(Problem("run_id", "required with id_mode per-run"))
    claimed = rec.get("fingerprint")
    if claimed and not problems and claimed != fingerprint(rec):
        problems.append(Problem("fingerprint", "does not match the canonical identity"))
    return problems
