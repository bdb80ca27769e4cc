"""Fixtures over the real billing files in ../shared/data (read-only; copied where a test needs a
folder of its own)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pytest

from contracts.cast import Provenance, rows_to_table, to_row
from contracts.finding import Finding

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
WAL = SHARED / "aws-well-architected-labs"
OCT = WAL / "Oct2018-WorkshopCUR-00001.snappy.parquet"
NOV = WAL / "Nov2018-WorkshopCUR-00001.snappy.parquet"
BEFORE = WAL / "BeforeCUR.gz"
RI_RECS = WAL / "7_day_EC2_RI_Rec.csv"
FOCUS = SHARED / "focus-sample-data" / "focus_sample.csv"
MANIFEST = SHARED / "netflix-ice-jimroth-fork" / "manifest-2019-12.json"


def copy_into(folder: Path, *files: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copyfile(f, folder / f.name)
    return folder


@pytest.fixture(scope="session")
def real_facts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The four real CUR/FOCUS files (plus the RI recommendations export, not a bill) normalized
    once for the session: (facts_dir, report)."""
    from jobs.cur.normalize import normalize

    raw = copy_into(tmp_path_factory.mktemp("raw"), OCT, NOV, BEFORE, FOCUS, RI_RECS)
    out = tmp_path_factory.mktemp("facts")
    report = normalize(raw, out, "acme")
    return out, report


@pytest.fixture(scope="session")
def raw() -> SimpleNamespace:
    """Paths of the shared real files."""
    return SimpleNamespace(
        OCT=OCT, NOV=NOV, BEFORE=BEFORE, RI_RECS=RI_RECS, FOCUS=FOCUS, MANIFEST=MANIFEST
    )


@pytest.fixture(scope="session")
def copy_files():
    return copy_into


@pytest.fixture(scope="session")
def finding_rows():
    """Factory: a list of (resource_type, resource_id, account, region, service[, savings])
    -> a FINDING_SCHEMA table built through the real contract cast."""

    def build(specs: list[tuple], tenant: str = "acme") -> pa.Table:
        return rows_to_table(
            [make_finding(i, *spec, tenant=tenant) for i, spec in enumerate(specs)]
        )

    return build


def make_finding(
    i: int,
    resource_type: str,
    resource_id: str,
    account_id: str,
    region: str,
    service: str,
    savings: float | None = 10.0,
    tenant: str = "acme",
) -> dict:
    finding = Finding(
        tenant_id=tenant,
        account_id=account_id,
        region=region,
        service=service,
        check_id="test_check",
        resource_type=resource_type,
        resource_id=resource_id,
        title="test finding",
        observed_at=datetime(2018, 11, 20, tzinfo=UTC),
        estimated_monthly_savings=savings,
        savings_formula=None if savings is None else "test",
    )
    return to_row(finding.to_wire(), Provenance("finops.findings.raw.v1", 0, i))
