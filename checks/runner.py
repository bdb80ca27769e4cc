"""Run checks over one (account, region) scan context.

Per check: collect (AWS, cached and shared), then evaluate (pure). A collection failure skips
that check with a recorded error; an exception inside `evaluate` is a bug in the check and is
recorded too (code `CheckCrashed`) so one broken rule cannot sink the scan of the other thirty.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from checks.model import CollectionError, ScanContext
from checks.registry import load_checks
from checks.services.base import CollectionFailed
from contracts.finding import Finding

log = logging.getLogger(__name__)


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[CollectionError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # findings per check id
    resources_seen: dict[str, int] = field(default_factory=dict)  # per check id
    duration_s: float = 0.0
    skipped_checks: list[str] = field(default_factory=list)


def run_checks(ctx: ScanContext, check_ids: Iterable[str] | None = None) -> ScanResult:
    checks = load_checks()
    ctx.config.validate(checks)
    wanted = sorted(checks) if check_ids is None else list(check_ids)
    unknown = [c for c in wanted if c not in checks]
    if unknown:
        raise KeyError(f"unknown check ids: {unknown}")
    started = time.perf_counter()
    result = ScanResult()
    for check_id in wanted:
        check = checks[check_id]
        cfg = ctx.config.for_check(check.meta)
        if not cfg.enabled:
            continue
        try:
            models = check.collect(ctx)
        except CollectionFailed as exc:
            ctx.record(exc.service, exc.operation, exc.code, exc.message, check_id=check_id)
            result.skipped_checks.append(check_id)
            log.warning(
                "check skipped: collection failed",
                extra={"check_id": check_id, "region": ctx.region, "code": exc.code,
                       "operation": exc.operation},
            )
            continue
        try:
            found = list(check.evaluate(models, cfg, ctx))
        except Exception as exc:  # noqa: BLE001 - a buggy rule must not stop the scan
            ctx.record(check.meta.service, "evaluate", "CheckCrashed",
                       f"{type(exc).__name__}: {exc}", check_id=check_id)
            result.skipped_checks.append(check_id)
            log.exception("check crashed", extra={"check_id": check_id, "region": ctx.region})
            continue
        result.findings.extend(found)
        result.counts[check_id] = len(found)
        result.resources_seen[check_id] = _count_resources(models)
    result.errors = list(ctx.errors)
    result.duration_s = time.perf_counter() - started
    return result


def _count_resources(models: object) -> int:
    """How many resources a check looked at: the length of its models' primary collection."""
    primary = getattr(models, "resources", None)
    if primary is None and isinstance(models, list | tuple):
        primary = models
    try:
        return len(primary) if primary is not None else 0  # type: ignore[arg-type]
    except TypeError:
        return 0
