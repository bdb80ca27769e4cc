"""The snapshot store: validation against the manifest, last good set, tenant safety."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from web.sample import make_findings, write_set
from web.snapshots import SnapshotError, SnapshotStore, load_set, valid_tenant


def test_loads_a_complete_set(data_dir: Path) -> None:
    write_set(data_dir, "acme", make_findings("acme", 5), version=3, as_of="2026-11-20T10:00:00Z")
    view = SnapshotStore(data_dir).view("acme")
    assert view.error is None
    assert view.snapshot is not None
    assert view.snapshot.version == 3
    assert view.snapshot.as_of == "2026-11-20T10:00:00Z"
    assert len(view.snapshot.get("findings.json")) == 5


def test_no_snapshot_is_an_empty_view_not_an_error(data_dir: Path) -> None:
    view = SnapshotStore(data_dir).view("acme")
    assert view.snapshot is None and view.error is None


def test_corrupt_file_keeps_last_good_set_and_reports(data_dir: Path) -> None:
    store = SnapshotStore(data_dir)
    directory = write_set(data_dir, "acme", make_findings("acme", 4), version=1)
    assert store.view("acme").snapshot.version == 1
    write_set(data_dir, "acme", make_findings("acme", 6), version=2)
    (directory / "findings.json").write_text("[{broken json")
    view = store.view("acme")
    assert view.snapshot is not None and view.snapshot.version == 1
    assert "findings.json" in (view.error or "")
    # A later good set clears the error.
    write_set(data_dir, "acme", make_findings("acme", 7), version=3)
    view = store.view("acme")
    assert view.error is None and view.snapshot.version == 3
    assert len(view.snapshot.get("findings.json")) == 7


def test_sha_mismatch_is_rejected(data_dir: Path) -> None:
    directory = write_set(data_dir, "acme", make_findings("acme", 3), version=1)
    (directory / "scans.json").write_text("[]")
    with pytest.raises(SnapshotError, match="scans.json: sha256"):
        load_set(directory, "acme")


def test_manifest_of_another_tenant_is_rejected(data_dir: Path) -> None:
    directory = write_set(data_dir, "acme", make_findings("acme", 3), version=1)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["tenant_id"] = "globex"
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match="belongs to tenant 'globex'"):
        load_set(directory, "acme")


def test_wrong_json_type_and_unsafe_names_are_rejected(data_dir: Path) -> None:
    directory = write_set(data_dir, "acme", make_findings("acme", 3), version=1)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"]["../../etc/passwd"] = ""
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match="unsafe file"):
        load_set(directory, "acme")
    manifest["files"].pop("../../etc/passwd")
    manifest["files"].pop("coverage.json")
    (directory / "manifest.json").write_text(json.dumps(manifest))
    (directory / "coverage.json").write_text("[1, 2]")
    with pytest.raises(SnapshotError, match="coverage.json: expected a JSON dict"):
        load_set(directory, "acme")


def test_missing_optional_files_read_as_empty(data_dir: Path) -> None:
    directory = data_dir / "snapshots" / "acme"
    directory.mkdir(parents=True)
    (directory / "findings.json").write_text(json.dumps({"items": [{"tenant_id": "acme"}]}))
    (directory / "manifest.json").write_text(json.dumps({"tenant_id": "acme", "version": 9}))
    snap = load_set(directory, "acme")
    assert snap.get("findings.json") == [{"tenant_id": "acme"}]
    assert snap.get("scans.json") == [] and snap.get("coverage.json") == {}
    assert snap.as_of is None and snap.version == 9


@pytest.mark.parametrize("name", ["acme", "tenant-1", "a.b_c"])
def test_valid_tenant_names(name: str) -> None:
    assert valid_tenant(name)


@pytest.mark.parametrize("name", ["", "..", "../x", "a/b", ".hidden", "a..b", "x" * 65, "a b"])
def test_invalid_tenant_names(name: str, data_dir: Path) -> None:
    assert not valid_tenant(name)
    with pytest.raises(SnapshotError, match="invalid tenant"):
        SnapshotStore(data_dir).view(name)


def test_tenants_on_disk(data_dir: Path) -> None:
    write_set(data_dir, "acme", make_findings("acme", 1), version=1)
    write_set(data_dir, "globex", make_findings("globex", 1), version=1)
    (data_dir / "snapshots" / "not a tenant").mkdir()
    assert SnapshotStore(data_dir).tenants_on_disk() == ["acme", "globex"]


def test_reads_sets_written_by_the_jobs_snapshot_writer(data_dir: Path) -> None:
    """Compatibility with sinks.snapshots (the real writer): same layout, same hashes."""
    from sinks.snapshots import Watermark, write_snapshot_set
    from web import views

    findings = make_findings("acme", 6)
    docs = {
        "findings.json": findings, "summary.json": {"tenant_id": "acme"},
        "top_savings.json": findings[:2], "correlated_findings.json": [],
        "coverage.json": {"tenant_id": "acme", "cur_available": True},
        "scans.json": {"tenant_id": "acme", "scans": [{"account_id": "1", "region": "r",
                                                        "status": "ok", "errors": []}]},
        "trend.json": {"tenant_id": "acme", "points": [
            {"run_id": "r1", "at": "2026-11-20T10:00:00Z", "estimated_monthly_savings": "3.00"}]},
    }
    write_snapshot_set(data_dir / "snapshots", "acme", docs, as_of="2026-11-20T10:00:00Z",
                       watermark=Watermark(files=("a.parquet",), offsets={"t:0": 5}), version=4)
    view = SnapshotStore(data_dir).view("acme")
    assert view.error is None and view.snapshot is not None and view.snapshot.version == 4
    assert views.scans(view.snapshot)[0]["status"] == "ok"
    assert views.trend_points(view.snapshot)[0]["label"] == "2026-11-20T10:00:00Z"
    assert views.overview(view.snapshot)["findings_total"] == 6
    assert views.overview(view.snapshot)["realized"]["available"] is False  # none in this set


def test_overview_shows_realized_beside_estimated(data_dir: Path) -> None:
    """realized.json (the jobs' realized-savings view) reaches the overview as written."""
    from sinks.snapshots import Watermark, write_snapshot_set
    from web import views

    findings = make_findings("acme", 3)
    realized = {"tenant_id": "acme", "realized_monthly": "112.37", "realized_to_date": "14.78",
                "realized_this_month": "112.37", "estimated_open_monthly": "30.00",
                "resolved": 2, "resolved_measured": 2, "as_of": "2018-12-01T00:00:00+00:00",
                "bill_generated_for_demo": True, "findings": []}
    docs = {"findings.json": findings, "summary.json": {"tenant_id": "acme"},
            "top_savings.json": [], "correlated_findings.json": [],
            "coverage.json": {"tenant_id": "acme"}, "scans.json": [], "trend.json": [],
            "realized.json": realized}
    write_snapshot_set(data_dir / "snapshots", "acme", docs, as_of="2026-11-20T10:00:00Z",
                       watermark=Watermark(files=("a.parquet",), offsets={"t:0": 5}), version=1)
    view = SnapshotStore(data_dir).view("acme")
    got = views.overview(view.snapshot)["realized"]
    assert got["available"] is True and got["realized_monthly"] == "112.37"
    assert got["realized_to_date"] == "14.78" and got["resolved_measured"] == 2
    assert got["bill_generated_for_demo"] is True  # the overview says the bill is the demo's
    fp = findings[0]["fingerprint"]
    realized["findings"] = [{"fingerprint": fp, "realized_monthly": "56.18"}]
    docs["realized.json"] = realized
    write_snapshot_set(data_dir / "snapshots", "acme", docs, as_of="2026-11-20T10:00:00Z",
                       watermark=Watermark(files=("a.parquet",), offsets={"t:0": 6}), version=2)
    snap = SnapshotStore(data_dir).view("acme").snapshot
    assert views.detail(snap, fp)["realized"]["realized_monthly"] == "56.18"
    assert views.detail(snap, findings[1]["fingerprint"])["realized"] is None
