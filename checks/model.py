"""The types a scan is made of: check metadata, the scan context, collection errors, the
base class every check derives from.

A check is two things: `collect(ctx)` asks the service modules (AWS calls, cached per scan) for
the typed models it needs, and `evaluate(models, cfg, ctx)` is a pure function of those models
and the check's thresholds. Keeping them apart is what lets tests drive `evaluate` with models
built by hand (ages moto cannot fake) and lets five EC2 checks share one DescribeVolumes.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from contracts.arn import canonical_arn
from contracts.finding import Finding

if TYPE_CHECKING:
    import boto3

    from checks.config import CheckConfig, TenantConfig
    from checks.prices.catalog import PriceCatalog
    from checks.pricing import Estimate

SAVINGS_CATEGORIES = ("delete", "rightsize", "modernize", "commit", "schedule", "retention", "none")
SEVERITIES = ("info", "low", "medium", "high", "critical")
AWS_ADVICE = "aws-advice"  # price_keys of checks priced by AWS's own estimated savings
OPTIONAL = frozenset({"price_gaps"})
PRICE_KEY = re.compile(r"[a-z0-9-]+(:[a-z0-9._{}-]+){2,}")  # service:what:unit, at least
UNKNOWN_PRICE_CONFIDENCE = 0.3  # a finding whose price is unknown never claims more than this


@dataclass(frozen=True)
class CheckMeta:
    """What a check is, read from its `metadata.json` (the single source for docs, the IAM
    policy and the tenant-config validation)."""

    id: str
    title: str
    severity: str
    service: str
    resource_type: str
    savings_category: str
    thresholds: Mapping[str, Any]
    permissions: tuple[str, ...]
    remediation: str
    remediation_cli: str
    description: str
    # catalog keys the savings read (`service:what:unit`, `{name}` = one varying part), or
    # AWS_ADVICE for checks that carry AWS's own estimated savings and read no price
    price_keys: tuple[str, ...] | str = ()
    # declared keys the project's price data does not have yet -> why (savings unknown / lower
    # bound until it does); tests/checks/prices hold both lists true against the data
    price_gaps: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path) -> CheckMeta:
        try:
            raw = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise MetadataError(f"{path}: unreadable metadata: {exc}") from exc
        missing = [f for f in cls.__dataclass_fields__ if f not in raw and f not in OPTIONAL]
        if missing:
            raise MetadataError(f"{path}: metadata lacks {missing}")
        unknown = sorted(set(raw) - set(cls.__dataclass_fields__))
        if unknown:
            raise MetadataError(f"{path}: unknown metadata keys {unknown}")
        if raw["severity"] not in SEVERITIES:
            raise MetadataError(f"{path}: severity {raw['severity']!r} not in {SEVERITIES}")
        if raw["savings_category"] not in SAVINGS_CATEGORIES:
            raise MetadataError(f"{path}: savings_category {raw['savings_category']!r} unknown")
        if not isinstance(raw["thresholds"], dict):
            raise MetadataError(f"{path}: thresholds must be an object")
        perms = raw["permissions"]
        if not perms or not all(isinstance(p, str) and ":" in p for p in perms):
            raise MetadataError(f"{path}: permissions must be a non-empty list of IAM actions")
        keys, gaps = price_keys(raw["price_keys"], raw.get("price_gaps", {}), path)
        return cls(
            id=raw["id"],
            title=raw["title"],
            severity=raw["severity"],
            service=raw["service"],
            resource_type=raw["resource_type"],
            savings_category=raw["savings_category"],
            thresholds=dict(raw["thresholds"]),
            permissions=tuple(raw["permissions"]),
            remediation=raw["remediation"],
            remediation_cli=raw["remediation_cli"],
            description=raw["description"],
            price_keys=keys,
            price_gaps=gaps,
        )

    @property
    def aws_advice(self) -> bool:
        """Priced by AWS's own estimate (Cost Optimization Hub / Compute Optimizer)."""
        return self.price_keys == AWS_ADVICE

    def declares(self, key: str) -> bool:
        """Whether a concrete catalog key is one of the declared price keys."""
        return not self.aws_advice and any(price_key_pattern(p).fullmatch(key)
                                           for p in self.price_keys)


def price_keys(keys: Any, gaps: Any, path: Path) -> tuple[tuple[str, ...] | str, dict[str, str]]:
    """The metadata's `price_keys` (a non-empty list of key patterns, or AWS_ADVICE) and
    `price_gaps` (declared patterns -> why the price data lacks them), checked."""
    if keys == AWS_ADVICE:
        if gaps:
            raise MetadataError(f"{path}: price_gaps make no sense with {AWS_ADVICE!r}")
        return AWS_ADVICE, {}
    if not isinstance(keys, list) or not keys:
        raise MetadataError(f"{path}: price_keys must be a non-empty list or {AWS_ADVICE!r}")
    for key in keys:
        if not isinstance(key, str) or not PRICE_KEY.fullmatch(key):
            raise MetadataError(f"{path}: price key {key!r} is not service:what:unit")
    if len(set(keys)) != len(keys):
        raise MetadataError(f"{path}: price_keys repeat a key")
    if not isinstance(gaps, dict) or not all(isinstance(v, str) and v for v in gaps.values()):
        raise MetadataError(f"{path}: price_gaps must map price keys to a reason")
    undeclared = sorted(set(gaps) - set(keys))
    if undeclared:
        raise MetadataError(f"{path}: price_gaps {undeclared} are not in price_keys")
    return tuple(keys), dict(gaps)


@functools.cache
def price_key_pattern(pattern: str) -> re.Pattern[str]:
    """`ec2:{instance_type}:{os}:hour` -> a regex where each `{name}` is one run of characters
    without a colon (keys are colon-separated; the unit is the last segment)."""
    parts = re.split(r"\{[a-z_]+\}", pattern)
    return re.compile("[^:]+".join(re.escape(p) for p in parts))


class MetadataError(ValueError):
    """A check folder whose metadata (or id/folder/class naming) is inconsistent."""


@dataclass
class CollectionError:
    """Something a scan could not see: recorded, counted and shipped with the scan result, so a
    partial scan is never mistaken for a clean one."""

    account_id: str
    region: str
    service: str
    operation: str
    check_id: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "region": self.region,
            "service": self.service,
            "operation": self.operation,
            "check_id": self.check_id,
            "code": self.code,
            "message": self.message,
        }


S = TypeVar("S")


@dataclass
class ScanContext:
    """One (account, region) scan. `now` is injected so that a check never reads the clock and
    a replayed scan judges ages identically."""

    session: boto3.Session
    tenant_id: str
    workspace: str
    account_id: str
    region: str
    run_id: str
    now: datetime
    prices: PriceCatalog
    config: TenantConfig
    errors: list[CollectionError] = field(default_factory=list)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("ScanContext.now must be timezone-aware (UTC)")

    def service(self, cls: type[S]) -> S:
        """The scan's one instance of a service module (so its caches are shared by checks)."""
        if cls not in self.cache:
            self.cache[cls] = cls(self)  # type: ignore[call-arg]
        return self.cache[cls]  # type: ignore[no-any-return]

    def record(
        self,
        service: str,
        operation: str,
        code: str,
        message: str,
        check_id: str | None = None,
    ) -> CollectionError:
        err = CollectionError(
            self.account_id, self.region, service, operation, check_id, code, message
        )
        self.errors.append(err)
        return err

    def arn(self, resource_type: str, resource_id: str) -> str:
        return canonical_arn(resource_type, resource_id, self.account_id, self.region)


class Check:
    """Base class: subclasses set `meta = load_meta(__file__)` and implement collect/evaluate."""

    meta: ClassVar[CheckMeta]

    def collect(self, ctx: ScanContext) -> Any:
        """Fetch the models `evaluate` needs via `ctx.service(...)` (raises CollectionFailed)."""
        raise NotImplementedError

    def evaluate(self, models: Any, cfg: CheckConfig, ctx: ScanContext) -> Iterable[Finding]:
        raise NotImplementedError

    # -- helpers shared by every check -------------------------------------------------------

    def finding(
        self,
        ctx: ScanContext,
        cfg: CheckConfig,
        *,
        resource_id: str,
        title: str,
        estimate: Estimate,
        confidence: float,
        details: Mapping[str, Any] | None = None,
        group: str | None = None,
        resource_name: str | None = None,
        tags: Mapping[str, str] | None = None,
        resource_type: str | None = None,
        severity: str | None = None,
    ) -> Finding:
        """A finding with the price evidence and the thresholds used written into `details`;
        an unknown price caps confidence at UNKNOWN_PRICE_CONFIDENCE."""
        rtype = resource_type or self.meta.resource_type
        info: dict[str, Any] = dict(details or {})
        info.update(estimate.evidence())
        info["thresholds"] = cfg.values()
        if estimate.amount is None:
            confidence = min(confidence, UNKNOWN_PRICE_CONFIDENCE)
        return Finding(
            tenant_id=ctx.tenant_id,
            workspace=ctx.workspace,
            account_id=ctx.account_id,
            region=ctx.region,
            service=self.meta.service,
            check_id=self.meta.id,
            resource_type=rtype,
            resource_id=resource_id,
            resource_name=resource_name,
            title=title,
            severity=severity or self.meta.severity,
            estimated_monthly_savings=estimate.amount,
            savings_formula=estimate.formula,
            confidence=round(max(0.0, min(1.0, confidence)), 3),
            alternative_group=group,
            tags=dict(tags or {}),
            details=info,
            observed_at=ctx.now,
            run_id=ctx.run_id,
        )

    def skip(self, ctx: ScanContext, resource: str, reason: str) -> None:
        """Record that a resource could not be judged (odd state, unknown type, missing field)."""
        ctx.record(self.meta.service, "evaluate", "SkippedResource", f"{resource}: {reason}",
                   check_id=self.meta.id)

    def disposition(self, ctx: ScanContext, resource_type: str, resource_id: str) -> str:
        """The alternative group of mutually exclusive recommendations on one resource
        (delete vs rightsize vs change type): totals count only one of them."""
        return f"{ctx.arn(resource_type, resource_id)}#disposition"


def load_meta(check_file: str) -> CheckMeta:
    """The metadata.json beside a check's module."""
    return CheckMeta.from_file(Path(check_file).with_name("metadata.json"))


def days_between(earlier: datetime, later: datetime) -> float:
    return (later - earlier).total_seconds() / 86_400


def dec(value: Any) -> Decimal:
    return Decimal(str(value))
