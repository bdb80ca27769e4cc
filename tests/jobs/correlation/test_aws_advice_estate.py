"""On the simulated estate, every check's findings through one jobs window: AWS's advice (Cost
Optimization Hub, Compute Optimizer; estate/seed_advice.py) and our own finding on the same
resource are never both counted, and COH repeating Compute Optimizer counts once. Which
resources AWS advises on, and at what figure, is the estate's manifest; the totals are a DuckDB
sum over the counted rows of the written findings document."""

from __future__ import annotations

import json
from decimal import Decimal

import boto3
import pytest

from contracts.finding import Finding
from estate import start_estate
from jobs.db import connect
from jobs.tenant import TenantConfig, build_tenant
from producers.accounts import AccountDirectory
from producers.scan_summary import ScanSummary
from producers.scanner import Scanner, ScanRequest

AWS_CHECKS = ("cost_optimization_hub_recommendation", "compute_optimizer_ec2_instance",
              "compute_optimizer_ebs_volume")
ADVISED = ("aws_advised_instance", "aws_advised_volume")
REGIONS = ("us-east-1",)


class _Collect:
    def __init__(self) -> None:
        self.wires: list[dict] = []

    def finding(self, finding: Finding) -> None:
        self.wires.append(finding.to_wire())

    def summary(self, summary: ScanSummary) -> None:
        assert summary.status == "ok" and not summary.errors, summary

    def flush(self) -> None:
        pass


@pytest.fixture(scope="module")
def scanned():
    """(every check's wire findings, {advised resource id: its manifest item})."""
    with start_estate(seed=7, resources=40, regions=REGIONS, accounts=2) as estate:
        base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        sink = _Collect()
        Scanner(AccountDirectory(base, endpoint_url=estate.endpoint),
                ScanRequest("acme", "prod", REGIONS, org=True), sink).scan_round()
        advised = {w.resource_id: w for w in estate.manifest.waste if w.kind in ADVISED}
    assert len(advised) == 2 * len(estate.accounts)
    return sink.wires, advised


def _window(lake, kit, shipped_rules, wires: list[dict], tmp_path) -> tuple[list[dict], dict]:
    lake.write_findings(wires)
    con = connect(threads=1)
    kit.load_tables(con, lake)
    snap = build_tenant(con, "acme", TenantConfig(shipped_rules))
    kit.counted_total(snap.docs, tmp_path)
    return json.loads(snap.docs["findings.json"]), snap.docs


def _on(rows: list[dict], rid: str) -> list[dict]:
    """The rows on one resource that are alternatives for it (not its billing model)."""
    return [r for r in rows if r["resource_id"].rsplit("/", 1)[-1] == rid
            and r["alternative_group"] and not r["alternative_group"].endswith("#billing-model")]


def test_aws_advice_and_ours_are_never_both_counted(scanned, kit, lake, shipped_rules,
                                                   tmp_path) -> None:
    wires, advised = scanned
    rows, docs = _window(lake, kit, shipped_rules, wires, tmp_path)
    metas = [m for m in json.loads(docs["correlated_findings.json"])
             if m["check_id"] == "aws_recommendation_overlap"]
    for rid in advised:
        on = _on(rows, rid)
        aws = [r for r in on if r["check_id"] in AWS_CHECKS]
        ours = [r for r in on if r["check_id"] not in AWS_CHECKS]
        assert len(aws) == 2 and ours, (rid, on)  # COH + Compute Optimizer, and ours
        counted = [r for r in on if r["count_state"] == "counted"]
        assert len(counted) == 1, (rid, [(r["check_id"], r["count_state"]) for r in on])
        # ours is priced exactly (a figure, no bound) on every advised resource, so ours wins
        assert any(r["estimated_monthly_savings"] is not None
                   and "savings_bound" not in (r["details"] or {}) for r in ours)
        assert counted[0]["check_id"] not in AWS_CHECKS
        assert all(r["count_state"] == "superseded" for r in aws)
        meta = [m for m in metas if m["resource_id"].rsplit("/", 1)[-1] == rid]
        assert [m["details"]["winner"] for m in meta] == ["ours"], meta


def test_aws_sources_on_one_resource_count_once(scanned, kit, lake, shipped_rules,
                                                tmp_path) -> None:
    """Without our findings, COH and Compute Optimizer on one resource (the same figure, COH
    repeating Compute Optimizer) still count once, at the manifest's figure."""
    wires, advised = scanned
    aws = [w for w in wires if w["check_id"] in AWS_CHECKS]
    rows, _ = _window(lake, kit, shipped_rules, aws, tmp_path)
    assert {r["resource_id"].rsplit("/", 1)[-1] for r in rows} == set(advised)
    expected = Decimal(0)
    for rid, item in advised.items():
        counted = [r for r in _on(rows, rid) if r["count_state"] == "counted"]
        assert len(counted) == 1, rid
        assert counted[0]["estimated_monthly_savings"] == item.details["co_monthly_savings"] \
            == item.details["coh_monthly_savings"]
        expected += Decimal(item.details["co_monthly_savings"])
    total = sum(Decimal(r["estimated_monthly_savings"]) for r in rows
                if r["count_state"] == "counted")
    assert total == expected  # 2 x (29.08 + 2.00) on this estate
