"""The region-scoped scanner: one thread per region, each scanning its accounts one at a time.

boto3 is blocking, and what a scan waits on is AWS (or moto), so threads give the concurrency:
regions proceed in parallel while each region sees at most one scan in flight (an API's
per-region throttling budget is shared by everything scanning that region). A round scans every
(account, region) once under one run id; `--interval` repeats rounds until asked to stop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from checks.config import TenantConfig
from checks.model import CollectionError, ScanContext
from checks.prices.catalog import PriceCatalog
from checks.registry import load_checks
from checks.runner import run_checks
from producers.accounts import AccountDirectory, AccountError
from producers.scan_sinks import ScanSink
from producers.scan_summary import ScanSummary, make_run_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanRequest:
    tenant_id: str
    workspace: str
    regions: tuple[str, ...]
    accounts: tuple[str, ...] = ()
    org: bool = False
    check_ids: tuple[str, ...] | None = None


class Scanner:
    def __init__(
        self,
        directory: AccountDirectory,
        request: ScanRequest,
        sink: ScanSink,
        *,
        prices: PriceCatalog | None = None,
        config: TenantConfig | None = None,
        stop: threading.Event | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        concurrent: bool = True,
    ) -> None:
        if not request.regions:
            raise ValueError("a scan needs at least one region")
        if request.check_ids is not None:  # fail before any AWS call, not inside a thread
            unknown = sorted(set(request.check_ids) - set(load_checks()))
            if unknown:
                raise KeyError(f"unknown check ids: {unknown}")
        self.directory = directory
        self.request = request
        self.sink = sink
        self.prices = prices or PriceCatalog.load()
        self.config = config or TenantConfig()
        self.stop = stop or threading.Event()
        self.clock = clock
        self.concurrent = concurrent

    def scan_round(self) -> list[ScanSummary]:
        """Scan every (account, region) once; returns the summaries (also sent to the sink)."""
        req = self.request
        accounts = self.directory.resolve(list(req.accounts), req.org)
        now = self.clock()
        run_id = make_run_id(now, req.tenant_id, req.workspace, *req.regions, *accounts)
        log.info("scan started", extra={"run_id": run_id, "regions": ",".join(req.regions),
                                        "accounts": len(accounts)})
        if self.concurrent:
            with ThreadPoolExecutor(len(req.regions), thread_name_prefix="scan") as pool:
                futures = [pool.submit(self._scan_region, r, accounts, run_id, now)
                           for r in req.regions]
                per_region = [f.result() for f in futures]
        else:
            per_region = [self._scan_region(r, accounts, run_id, now) for r in req.regions]
        summaries = [s for region in per_region for s in region]
        self.sink.flush()
        return summaries

    def run(self, interval_s: float | None) -> list[ScanSummary]:
        """One round, or rounds every `interval_s` until `stop` is set; returns the last
        round's summaries. The sink is flushed after each round, so a stop loses nothing
        already found. In interval mode a round that cannot even list its accounts (STS or
        Organizations unavailable) is logged and retried at the next tick."""
        last: list[ScanSummary] = []
        while True:
            started = time.monotonic()
            try:
                last = self.scan_round()
            except AccountError as exc:
                if interval_s is None:
                    raise
                log.error("scan round failed", extra={"error": str(exc)})
            if interval_s is None or self.stop.is_set():
                return last
            wait = max(0.0, interval_s - (time.monotonic() - started))
            log.info("next scan", extra={"in_s": round(wait, 1)})
            if self.stop.wait(wait):
                return last

    def _scan_region(self, region: str, accounts: list[str], run_id: str,
                     now: datetime) -> list[ScanSummary]:
        out = []
        for account in accounts:
            if self.stop.is_set():  # finish the scan in flight, start no new one
                log.info("scan abandoned", extra={"region": region, "account": account})
                break
            out.append(self.scan_one(account, region, run_id, now))
        return out

    def scan_one(self, account: str, region: str, run_id: str, now: datetime) -> ScanSummary:
        req = self.request
        started = datetime.now(UTC)
        t0 = time.perf_counter()
        try:
            session = self.directory.session(account, region)
        except AccountError as exc:
            err = CollectionError(account, region, "sts", "AssumeRole", None, "AccountError",
                                  str(exc)[:500])
            summary = ScanSummary(req.tenant_id, req.workspace, account, region, run_id, started,
                                  datetime.now(UTC), {}, {}, [err], 0)
        else:
            ctx = ScanContext(session, req.tenant_id, req.workspace, account, region, run_id,
                              now, self.prices, self.config)
            try:
                result = run_checks(ctx, req.check_ids)
            except Exception as exc:  # noqa: BLE001 - one bad scan must not stop the others
                log.exception("scan crashed", extra={"region": region, "account": account})
                err = CollectionError(account, region, "scanner", "run_checks", None,
                                      type(exc).__name__, str(exc)[:500])
                summary = ScanSummary(req.tenant_id, req.workspace, account, region, run_id,
                                      started, datetime.now(UTC), {}, {}, [*ctx.errors, err], 0)
            else:
                for finding in result.findings:
                    self.sink.finding(finding)
                summary = ScanSummary(req.tenant_id, req.workspace, account, region, run_id,
                                      started, datetime.now(UTC), dict(result.counts),
                                      dict(result.resources_seen), list(result.errors),
                                      len(result.counts))
        self.sink.summary(summary)
        log.info("scanned", extra={"region": region, "account": account,
                                   "findings": summary.findings, "errors": len(summary.errors),
                                   "status": summary.status,
                                   "seconds": round(time.perf_counter() - t0, 2)})
        return summary


def parse_interval(text: str) -> float:
    """`15m`, `30s`, `1h`, or plain seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    t = text.strip().lower()
    try:
        value = float(t[:-1]) * units[t[-1]] if t and t[-1] in units else float(t)
    except ValueError as exc:
        raise ValueError(f"interval {text!r}: use e.g. 30s, 15m, 1h") from exc
    if value <= 0:
        raise ValueError(f"interval {text!r} must be positive")
    return value
