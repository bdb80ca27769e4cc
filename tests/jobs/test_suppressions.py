"""Suppressions: matching, expiry against the data's as-of time, and leaving the totals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from jobs.db import connect
from jobs.suppressions import SuppressionError, parse
from jobs.tenant import TenantConfig, build_tenant

V = "AWS::EC2::Volume"


def _build(kit, lake, supp_doc, rules):
    folder = lake.root / "suppressions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "acme.json").write_text(json.dumps(supp_doc))
    con = connect(threads=1)
    kit.load_tables(con, lake)
    return build_tenant(con, "acme", TenantConfig(rules, None, folder))


def _lake(kit, lake):
    lake.write_findings([
        kit.finding("ec2_ebs_volume_unattached", V, "vol-1", savings="10.00", tags={"env": "dev"}),
        kit.finding("ec2_ebs_volume_unattached", V, "vol-2", savings="20.00", tags={"env": "prod"}),
        kit.finding("ec2_eip_unassociated", "AWS::EC2::EIP", "eipalloc-1", savings="3.60"),
    ])


def test_tag_and_resource_rules_suppress_but_keep_findings_visible(kit, lake, shipped_rules):
    _lake(kit, lake)
    snap = _build(kit, lake, {"suppressions": [
        {"tag": "env=dev", "reason": "dev sandbox", "author": "ana"},
        {"resource_id": "eipalloc-1", "check_id": "ec2_eip_unassociated", "reason": "DNS pinned",
         "author": "bo", "expires_at": "2027-01-01T00:00:00Z"},
    ]}, shipped_rules)
    by_id = {f["resource_id"].rsplit("/", 1)[1]: f for f in json.loads(snap.docs["findings.json"])}
    assert len(by_id) == 3
    assert by_id["vol-1"]["suppressed"] and by_id["vol-1"]["suppression"]["author"] == "ana"
    assert by_id["eipalloc-1"]["suppression"]["expires_at"] == "2027-01-01T00:00:00.000000Z"
    assert not by_id["vol-2"]["suppressed"] and by_id["vol-2"]["suppression"] is None
    summary = snap.docs["summary.json"]
    assert summary["savings"]["estimated_monthly"] == "20.00"
    assert summary["findings"]["suppressed"] == 2 and summary["findings"]["total"] == 3


@pytest.mark.parametrize(("expires", "suppressed"), [
    (timedelta(seconds=-1), False), (timedelta(0), False), (timedelta(seconds=1), True)])
def test_expiry_is_compared_with_the_data_as_of(kit, lake, shipped_rules, expires, suppressed):
    _lake(kit, lake)
    at = (kit.T0 + expires).isoformat()  # as_of = the newest observed_at = T0
    snap = _build(kit, lake, {"suppressions": [
        {"region": "us-east-1", "reason": "r", "author": "a", "expires_at": at}]}, shipped_rules)
    assert {f["suppressed"] for f in json.loads(snap.docs["findings.json"])} == {suppressed}


def test_tag_key_only_matches_any_value(kit, lake, shipped_rules):
    _lake(kit, lake)
    snap = _build(kit, lake, {"suppressions": [{"tag": "env", "reason": "r", "author": "a"}]},
                  shipped_rules)
    assert sum(f["suppressed"] for f in json.loads(snap.docs["findings.json"])) == 2


@pytest.mark.parametrize("bad", [
    {"suppressions": [{"reason": "no matcher", "author": "a"}]},
    {"suppressions": [{"check_id": "x", "author": "a"}]},
    {"suppressions": [{"check_id": "x", "reason": "r", "author": "a", "expires_at": "tomorrow"}]},
    {"suppressions": [{"check_id": "x", "reason": "r", "author": "a",
                       "expires_at": "2027-01-01T00:00:00"}]},
    {"suppressions": [{"check_id": "x", "reason": "r", "author": "a", "colour": "red"}]},
    {"rules": []},
])
def test_unusable_rules_are_refused_with_their_position(bad):
    with pytest.raises(SuppressionError, match=r"test\.json"):
        parse(bad, "test.json")


def test_a_fingerprint_rule_suppresses_exactly_that_finding(kit, lake, shipped_rules):
    """The dashboard's rules name one finding by fingerprint; its neighbours (same check, same
    account and region) stay counted."""
    _lake(kit, lake)
    con = connect(threads=1)
    kit.load_tables(con, lake)
    plain = build_tenant(con, "acme", TenantConfig(shipped_rules, None, None))
    target = next(f for f in json.loads(plain.docs["findings.json"])
                  if f["resource_id"].endswith("vol-2"))
    snap = _build(kit, lake, {"suppressions": [
        {"fingerprint": target["fingerprint"], "reason": "kept for the audit", "author": "ana",
         "created_at": "2026-12-01T00:00:00Z"}]}, shipped_rules)
    rows = json.loads(snap.docs["findings.json"])
    assert {f["fingerprint"] for f in rows if f["suppressed"]} == {target["fingerprint"]}
    assert snap.docs["summary.json"]["savings"]["estimated_monthly"] == "13.60"
