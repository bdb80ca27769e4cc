"""Notification rules: which lifecycle events go to which webhook, digested how.

File (YAML or JSON): `{"rules": [{"name", "webhook": {"url", "format": "slack" | "json",
"headers"?: {..}}, "tenants"?, "checks"?, "severities"?, "kinds"?, "min_monthly_savings"?,
"digest"?: {"max_events": N, "interval": "60s"}}]}`. Every matcher given must match (a list
matches any of its values); an event with no savings figure never passes `min_monthly_savings`.
Without `digest` every event is its own message; with it, one message per `max_events` events
or per `interval` (default 60s; whichever comes first) per rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

KINDS = ("new", "resolved", "reopened", "suppressed", "unsuppressed", "savings_realized")
FORMATS = ("slack", "json")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)$")


class RuleError(ValueError):
    """A rule file that cannot be used; names the file and the rule."""


@dataclass(frozen=True, slots=True)
class Webhook:
    url: str
    format: str = "json"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    webhook: Webhook
    tenants: frozenset[str] = frozenset()
    checks: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    min_monthly_savings: Decimal | None = None
    max_events: int = 1
    interval_s: float = 0.0

    def matches(self, event: dict[str, Any]) -> bool:
        if self.tenants and event["tenant_id"] not in self.tenants:
            return False
        if self.checks and event["check_id"] not in self.checks:
            return False
        if self.severities and event["severity"] not in self.severities:
            return False
        if self.kinds and event["kind"] not in self.kinds:
            return False
        if self.min_monthly_savings is not None:
            amount = event.get("estimated_monthly_savings")
            if amount is None or Decimal(amount) < self.min_monthly_savings:
                return False
        return True


def seconds(text: str, where: str) -> float:
    m = _DURATION.match(str(text).strip())
    if not m:
        raise RuleError(f"{where}: {text!r} is not a duration like 500ms, 30s, 5m, 1h")
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m[2]]
    return float(m[1]) * scale


def _set(raw: dict, key: str, where: str, allowed: tuple[str, ...] | None = None) -> frozenset:
    value = raw.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise RuleError(f"{where}: {key} must be a list")
    out = frozenset(str(v).strip().lower() if key != "tenants" else str(v) for v in value)
    if allowed is not None and out - set(allowed):
        raise RuleError(f"{where}: unknown {key} {sorted(out - set(allowed))}; known {allowed}")
    return out


def parse(doc: object, source: str = "<memory>") -> list[Rule]:
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list) or not doc["rules"]:
        raise RuleError(f"{source}: expected {{'rules': [ ... ]}} with at least one rule")
    rules = []
    for i, raw in enumerate(doc["rules"]):
        where = f"{source}[{i}]"
        if not isinstance(raw, dict):
            raise RuleError(f"{where}: not an object")
        unknown = set(raw) - {"name", "webhook", "tenants", "checks", "severities", "kinds",
                              "min_monthly_savings", "digest"}
        if unknown:
            raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
        hook = raw.get("webhook")
        if not isinstance(hook, dict) or not str(hook.get("url") or "").startswith(("http://",
                                                                                    "https://")):
            raise RuleError(f"{where}: webhook.url (http:// or https://) is required")
        fmt = str(hook.get("format") or "json")
        if fmt not in FORMATS:
            raise RuleError(f"{where}: webhook.format {fmt!r}; known {FORMATS}")
        headers = tuple(sorted((str(k), str(v)) for k, v in (hook.get("headers") or {}).items()))
        floor = raw.get("min_monthly_savings")
        try:
            minimum = None if floor is None else Decimal(str(floor))
        except InvalidOperation as exc:
            raise RuleError(f"{where}: min_monthly_savings {floor!r} is not a number") from exc
        digest = raw.get("digest") or {}
        if not isinstance(digest, dict):
            raise RuleError(f"{where}: digest must be an object")
        max_events = int(digest.get("max_events", 1 if not digest else 50))
        if max_events < 1:
            raise RuleError(f"{where}: digest.max_events must be >= 1")
        interval = (seconds(digest["interval"], f"{where}.digest") if "interval" in digest
                    else 60.0 if digest else 0.0)
        rules.append(Rule(
            name=str(raw.get("name") or f"rule-{i}"),
            webhook=Webhook(str(hook["url"]), fmt, headers),
            tenants=_set(raw, "tenants", where),
            checks=_set(raw, "checks", where),
            severities=_set(raw, "severities", where),
            kinds=_set(raw, "kinds", where, KINDS),
            min_monthly_savings=minimum,
            max_events=max_events,
            interval_s=interval,
        ))
    return rules


def load(path: Path) -> list[Rule]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: {exc}") from exc
    return parse(doc, str(path))
