"""AWS's own recommendations (Cost Optimization Hub, Compute Optimizer) as one typed model.

Both services price their advice themselves, after the account's discounts where they can; the
checks that read them report AWS's figure as AWS's (never re-priced from our catalog), so the
correlation rule `aws_recommendation_overlap` can weigh it against our own explained estimate.
An account that never enrolled (or opted in) is told apart from an access failure: the code
`SourceNotEnabled` in the scan's errors says the source is off, not that the scan failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from checks.services.base import CollectionFailed, ServiceBase

NOT_ENABLED = "SourceNotEnabled"
_NOT_ENABLED_CODES = frozenset({"OptInRequiredException"})
_NOT_ENABLED_WORDS = ("not enrolled", "enroll", "opt in", "opt-in", "opted in", "not registered")


@dataclass(frozen=True)
class AwsAdvice:
    """One recommendation of AWS for one resource."""

    source: str  # "Cost Optimization Hub" or "Compute Optimizer"
    recommendation_id: str
    resource_type: str  # CloudFormation name (AWS::EC2::Instance)
    resource_id: str  # the ARN or id the service gave
    action: str  # Rightsize, Stop, Delete, Upgrade, MigrateToGraviton, ...
    current: str
    recommended: str
    monthly_savings: Decimal | None  # AWS's estimate, after discounts where `after_discounts`
    currency: str
    after_discounts: bool
    monthly_cost: Decimal | None = None
    savings_percentage: Decimal | None = None
    lookback_days: int | None = None
    effort: str | None = None
    restart_needed: bool | None = None
    rollback_possible: bool | None = None
    refreshed_at: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


def money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def tag_map(raw: list[dict[str, Any]] | None) -> dict[str, str]:
    return {t["key"]: t.get("value", "") for t in raw or [] if "key" in t}


def not_enabled(exc: CollectionFailed) -> bool:
    """Whether a failure means the account never enrolled/opted in (a source that is off)."""
    text = exc.message.lower()
    return exc.code in _NOT_ENABLED_CODES or (
        exc.code in {"AccessDeniedException", "ValidationException"}
        and any(w in text for w in _NOT_ENABLED_WORDS))


class AdviceService(ServiceBase):
    """A service module whose whole listing fails as `SourceNotEnabled` when the account has not
    turned the source on."""

    source = ""

    def listing(self, operation: str, fn: Callable[[], list[Any]]) -> list[Any]:
        try:
            return fn()
        except CollectionFailed as exc:
            if not_enabled(exc):
                raise CollectionFailed(
                    self.name, operation, NOT_ENABLED,
                    f"{self.source} is not enabled for account {self.ctx.account_id}: "
                    f"source skipped ({exc.code}: {exc.message[:200]})") from exc
            raise

    def token_pages(self, operation: str, result_key: str, **kwargs: Any) -> list[Any]:
        """Every item of an operation paged by nextToken (some have no botocore paginator)."""
        items: list[Any] = []
        token: str | None = None
        while True:
            page = self.call(operation, **kwargs, **({"nextToken": token} if token else {}))
            items.extend(page.get(result_key) or [])
            token = page.get("nextToken")
            if not token:
                return items
