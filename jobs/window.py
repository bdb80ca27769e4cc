"""The windowed job runner: every window, load what changed, rebuild the touched tenants' sets.

Why a plain timer loop and not a faust timer: the window's work is blocking DuckDB and file I/O
(seconds for large tenants); inside faust it would stall the event loop that heartbeats the
consumer group, or need a thread pool anyway. The jobs also consume nothing from Kafka: their
input is the Parquet the stream already made durable. A separate process with a simple loop
can be scaled, restarted and tested (`--once`) on its own, and a crash loses nothing because
the state is rebuilt from the files.

Incremental where it can be: a window reads only new or rewritten files (by path, size and
mtime) into the in-memory tables and rebuilds only the tenants those files (or their
suppression file) belong to; a change of the cost facts rebuilds every tenant. Because a
tenant's set is a function of all its rows, which the tables always hold in full, the output
equals a one-shot batch run over the same files. Unchanged bytes are not rewritten.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from jobs.correlation.engine import RULES_DIR, Rule, load_rules
from jobs.db import connect
from jobs.inputs import InputError, InputFile, findings_table, list_files, scans_table
from jobs.lifecycle_events import diff
from jobs.tenant import TenantConfig, TenantSnapshot, build_tenant
from sinks.lifecycle_topics import LifecyclePublisher
from sinks.snapshots import Announcer, NullAnnouncer, write_snapshot_set

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobPaths:
    findings_dir: Path
    scans_dir: Path
    snapshots_dir: Path
    facts_dir: Path | None = None
    suppressions_dir: Path | None = None
    rules_dir: Path = RULES_DIR
    iceberg_dir: Path | None = None  # read findings and scans from the Iceberg tables here instead

    @classmethod
    def under(cls, data_dir: Path) -> JobPaths:
        return cls(data_dir / "findings", data_dir / "scans", data_dir / "snapshots",
                   data_dir / "cur_facts", data_dir / "suppressions")


@dataclass(slots=True)
class WindowReport:
    window: int
    tenants_rebuilt: list[str] = field(default_factory=list)
    tenants_written: list[str] = field(default_factory=list)
    files_loaded: int = 0
    stages: dict[str, float] = field(default_factory=dict)
    error: str | None = None


def _signature(files: dict[str, InputFile]) -> tuple:
    return tuple(sorted((f.rel, f.size, f.mtime_ns) for f in files.values()))


class JobRunner:
    """Holds the loaded input between windows; `run_window()` is one window."""

    def __init__(self, paths: JobPaths, *, announcer: Announcer | None = None,
                 rules: list[Rule] | None = None, threads: int | None = None,
                 top_n: int = 50, history: timedelta | None = None,
                 lifecycle: LifecyclePublisher | None = None) -> None:
        self.paths = paths
        self.lifecycle = lifecycle  # publishes lifecycle events + states (None: not at all)
        self.announcer = announcer or NullAnnouncer()
        self.rules = rules if rules is not None else load_rules(paths.rules_dir)
        self.con = connect(threads=threads)
        self.findings = findings_table(paths.findings_dir)
        self.scans = scans_table(paths.scans_dir)
        if paths.iceberg_dir is not None:
            from jobs.iceberg_inputs import iceberg_findings_table, iceberg_scans_table

            self.findings = iceberg_findings_table(paths.iceberg_dir)
            self.scans = iceberg_scans_table(paths.iceberg_dir)
        self.findings.create(self.con)
        self.scans.create(self.con)
        self.windows = 0
        self._facts_sig: tuple | None = None
        self._supp_sig: dict[str, tuple[int, int]] = {}
        self._pending: set[str] = set()  # tenants whose current input has no written set yet
        self.top_n = top_n
        self.history = history

    def _suppression_changes(self) -> set[str]:
        folder = self.paths.suppressions_dir
        now: dict[str, tuple[int, int]] = {}
        if folder is not None and folder.is_dir():
            for p in sorted(folder.glob("*.json")):
                st = p.stat()
                now[p.stem] = (st.st_size, st.st_mtime_ns)
        changed = {t for t in set(now) | set(self._supp_sig) if now.get(t) != self._supp_sig.get(t)}
        self._supp_sig = now
        return changed

    def _facts_changed(self) -> bool:
        facts = self.paths.facts_dir
        sig = _signature(list_files(facts)) if facts is not None else ()
        changed = sig != self._facts_sig
        self._facts_sig = sig
        return changed

    def run_window(self) -> WindowReport:
        """Load changed input and rebuild + write the touched tenants' snapshot sets.

        Touched tenants stay pending until their set is written, so input loaded in a window
        whose other input (or one tenant's build) failed is still published by a later one."""
        self.windows += 1
        report = WindowReport(self.windows)
        t0 = time.perf_counter()
        try:
            for table in (self.findings, self.scans):
                self._pending |= table.refresh(self.con)
                report.files_loaded += table.last_changed
        except InputError as exc:
            report.error = str(exc)
            log.warning("window input not readable; retrying next window",
                        extra={"window": self.windows, "error": str(exc)})
            return report
        report.stages["load"] = time.perf_counter() - t0
        tenants = self._tenants()
        if self._facts_changed() or self.windows == 1:
            self._pending |= set(tenants)
        self._pending |= self._suppression_changes()
        cfg = TenantConfig(self.rules, self.paths.facts_dir, self.paths.suppressions_dir,
                           self.top_n, self.history, states=self.lifecycle is not None)
        errors = []
        for tenant in sorted(self._pending & set(tenants)):
            try:
                snap = build_tenant(self.con, tenant, cfg)
                t1 = time.perf_counter()
                result = write_snapshot_set(
                    self.paths.snapshots_dir, tenant, snap.docs, as_of=snap.as_of,
                    watermark=snap.watermark, version=snap.version, announcer=self.announcer)
                snap.stages["write"] = time.perf_counter() - t1
                self._publish_lifecycle(snap)
            except Exception as exc:  # one tenant's bad input must not starve the others
                log.exception("tenant snapshot failed; retrying next window",
                              extra={"window": self.windows, "tenant": tenant})
                errors.append(f"{tenant}: {exc}")
                continue
            for stage, secs in snap.stages.items():
                report.stages[stage] = report.stages.get(stage, 0.0) + secs
            self._pending.discard(tenant)
            if snap.horizon is not None:
                self._prune(tenant, snap.horizon)
            report.tenants_rebuilt.append(tenant)
            if result.written:
                report.tenants_written.append(tenant)
        self._pending &= set(tenants)  # tenants whose every file vanished have nothing to show
        report.error = "; ".join(errors) or None
        idle = not report.tenants_rebuilt and not report.files_loaded and not errors
        log.log(logging.DEBUG if idle else logging.INFO, "window done", extra={
            "window": self.windows, "rebuilt": len(report.tenants_rebuilt),
            "written": len(report.tenants_written), "files": report.files_loaded,
            **{f"{k}_s": round(v, 3) for k, v in sorted(report.stages.items())}})
        return report

    def _publish_lifecycle(self, snap: TenantSnapshot) -> None:
        """Events + changed states of the tenant, one transaction; raising keeps it pending."""
        if self.lifecycle is None or snap.states is None or snap.as_of_time is None:
            return
        t0 = time.perf_counter()
        changes = diff(self.lifecycle.published, snap.states, snap.as_of_time)
        self.lifecycle.publish(changes.events, changes.states)
        snap.stages["events"] = time.perf_counter() - t0

    def _prune(self, tenant: str, horizon: datetime) -> None:
        """Drop rows that can no longer count: the horizon only moves forward (the as-of time is
        the newest data time), and every query filters on it, so a batch run that still holds
        these rows computes the same sets."""
        self.con.execute("DELETE FROM findings WHERE tenant_id = ? AND observed_at < ?",
                         [tenant, horizon])
        self.con.execute("DELETE FROM scans WHERE tenant_id = ? AND finished_at < ?",
                         [tenant, horizon])

    def _tenants(self) -> list[str]:
        rows = self.con.execute(
            "SELECT DISTINCT tenant_id FROM findings UNION SELECT DISTINCT tenant_id FROM scans"
            " ORDER BY 1").fetchall()
        return [r[0] for r in rows]

    def close(self) -> None:
        self.con.close()


def run_forever(
    runner: JobRunner,
    window_s: float,
    stop: threading.Event | None = None,
    on_window: Callable[[WindowReport], None] | None = None,
) -> int:
    """Run windows every `window_s` seconds (measured start to start) until `stop` is set.
    A failing window is logged and retried at the next tick: the jobs never die on bad input."""
    stop = stop or threading.Event()
    while not stop.is_set():
        started = time.monotonic()
        try:
            report = runner.run_window()
            if on_window:
                on_window(report)
        except Exception:
            log.exception("window failed", extra={"window": runner.windows})
        stop.wait(max(0.0, window_s - (time.monotonic() - started)))
    return 0
