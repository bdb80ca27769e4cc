"""`finops estate bill`: inventory the estate, fold it into the ledger, write the bill."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from estate import meter
from estate.bill import BillSummary, write_bill
from estate.ledger import Ledger, read_remediations
from estate.manifest import Manifest

DAYS_BEFORE = 16  # 14 full days before a fix, for realized savings, plus the partial edges


@dataclass(frozen=True)
class BillPaths:
    manifest: Path
    out_dir: Path

    @property
    def ledger(self) -> Path:
        return self.manifest.with_name("bill-ledger.json")

    @property
    def remediations(self) -> Path:
        return self.manifest.with_name("remediations.json")


def generate_bill(paths: BillPaths, endpoint: str | None = None, now: datetime | None = None,
                  days_before: int = DAYS_BEFORE, project_days: int = 0) -> BillSummary:
    """Bill from `days_before` days before the first inventory up to the current hour, or, with
    `project_days`, to midnight `project_days` days ahead (the estate held as it stands)."""
    manifest = Manifest.read(paths.manifest)
    endpoint = endpoint or manifest.endpoint
    if not endpoint:
        raise ValueError(f"no estate endpoint (none given, none in {paths.manifest})")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    ledger = Ledger.read(paths.ledger)
    meters = meter.inventory(endpoint, manifest.accounts, manifest.regions)
    ris = meter.reservations(endpoint, manifest.accounts, manifest.regions)
    ledger.fold(meters, ris, now, read_remediations(paths.remediations),
                day - timedelta(days=days_before))
    ledger.write(paths.ledger)
    until = day + timedelta(days=project_days) if project_days > 0 else \
        now.replace(minute=0, second=0, microsecond=0)
    return write_bill(ledger, manifest.accounts[0], until, paths.out_dir)
