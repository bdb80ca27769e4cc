"""Every check's declared price keys (metadata.json `price_keys`) against the project's price
data: a declared key is priced in every region the catalog ships, or its shortfall is stated
(`price_gaps` in the metadata when no region has it, checks.prices.coverage.PARTIAL when some
do), and both statements are held true so they cannot go stale. The committed catalog equals
what `finops prices build` derives from the shared snapshots (test_builder.py)."""

from __future__ import annotations

import json

import pytest

from checks.model import AWS_ADVICE, CheckMeta, MetadataError, price_key_pattern
from checks.prices.catalog import PriceCatalog
from checks.prices.coverage import PARTIAL, regions_priced
from checks.registry import load_checks

CHECKS = load_checks()
CATALOG = PriceCatalog.load()
SHIPPED = sorted(CATALOG.regions)
ADVICE = ("cost_optimization_hub_recommendation", "compute_optimizer_ec2_instance",
          "compute_optimizer_ebs_volume")


def test_the_catalog_ships_32_regions():
    assert len(SHIPPED) == 32 and "us-east-1" in SHIPPED


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_declared_price_keys_are_priced_where_the_data_ships(check_id):
    meta = CHECKS[check_id].meta
    if meta.aws_advice:
        return
    assert isinstance(meta.price_keys, tuple) and meta.price_keys
    for pattern in meta.price_keys:
        priced = regions_priced(CATALOG, pattern)
        if pattern in meta.price_gaps:
            assert not priced, f"{pattern} is priced in {priced}: drop it from price_gaps"
        elif pattern in PARTIAL:
            assert priced and priced != SHIPPED, \
                f"{pattern} priced in {len(priced)}/32: fix coverage.PARTIAL"
        else:
            missing = sorted(set(SHIPPED) - set(priced))
            assert not missing, f"{pattern} has no price in {missing}"


def test_partial_coverage_lists_only_declared_keys():
    declared = {p for c in CHECKS.values() if not c.meta.aws_advice for p in c.meta.price_keys}
    assert set(PARTIAL) <= declared, sorted(set(PARTIAL) - declared)


def test_only_the_aws_advice_checks_read_no_price():
    assert sorted(c for c, ch in CHECKS.items() if ch.meta.aws_advice) == sorted(ADVICE)


def test_pattern_matches_one_varying_part_per_placeholder():
    rx = price_key_pattern("ec2:{instance_type}:linux:hour")
    assert rx.fullmatch("ec2:m5.large:linux:hour")
    assert not rx.fullmatch("ec2:m5.large:windows:hour")
    assert not rx.fullmatch("ec2:a:b:linux:hour")  # a placeholder never spans a colon
    inner = price_key_pattern("vpc:tgw-attachment-{attachment_type}:hour")
    assert inner.fullmatch("vpc:tgw-attachment-peering:hour")
    assert not inner.fullmatch("vpc:interface-endpoint:hour")
    meta = CHECKS["ec2_instance_low_utilization"].meta
    assert meta.declares("ec2:t3.micro:windows:hour") and not meta.declares("rds:x:y:hour")
    assert not CHECKS["compute_optimizer_ebs_volume"].meta.declares("ebs:gp3:gb-month")


def _write(tmp_path, **changes):
    raw = {
        "id": "x", "title": "t", "severity": "medium", "service": "ec2",
        "resource_type": "AWS::EC2::Volume", "savings_category": "delete", "thresholds": {},
        "permissions": ["ec2:DescribeVolumes"], "remediation": "r", "remediation_cli": "c",
        "description": "d", "price_keys": ["ebs:gp2:gb-month"]}
    raw.update(changes)
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps({k: v for k, v in raw.items() if v is not None}))
    return path


@pytest.mark.parametrize(("changes", "message"), [
    ({"price_keys": None}, "lacks"),
    ({"price_keys": []}, "non-empty list"),
    ({"price_keys": "ebs:gp2:gb-month"}, "non-empty list"),
    ({"price_keys": ["ebs:gp2"]}, "not service:what:unit"),
    ({"price_keys": ["EBS:gp2:gb-month"]}, "not service:what:unit"),
    ({"price_keys": ["ebs:gp2:gb-month", "ebs:gp2:gb-month"]}, "repeat"),
    ({"price_gaps": {"ebs:gp3:gb-month": "why"}}, "not in price_keys"),
    ({"price_gaps": {"ebs:gp2:gb-month": ""}}, "reason"),
    ({"price_keys": AWS_ADVICE, "price_gaps": {"ebs:gp2:gb-month": "why"}}, "make no sense"),
])
def test_metadata_refuses_bad_price_keys(tmp_path, changes, message):
    with pytest.raises(MetadataError, match=message):
        CheckMeta.from_file(_write(tmp_path, **changes))


def test_metadata_reads_price_keys_and_aws_advice(tmp_path):
    meta = CheckMeta.from_file(_write(tmp_path, price_gaps={"ebs:gp2:gb-month": "why"}))
    assert meta.price_keys == ("ebs:gp2:gb-month",) and meta.price_gaps == {
        "ebs:gp2:gb-month": "why"} and not meta.aws_advice
    advice = CheckMeta.from_file(_write(tmp_path, price_keys=AWS_ADVICE))
    assert advice.aws_advice and not advice.declares("ebs:gp2:gb-month")
