"""Canonical form and validation: every problem, each with its field name."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from contracts.arn import canonical_arn
from contracts.canonical import canonicalize_record, money
from contracts.cast import ContractError, Provenance, rows_to_table, to_row
from contracts.finding import Finding
from contracts.schema import FINDING_SCHEMA
from contracts.validate import validate

WHEN = datetime(2026, 11, 1, 12, tzinfo=UTC)


def wire(**over: object) -> dict:
    base = Finding(
        tenant_id="acme", account_id="123456789012", region="us-east-1", service="ec2",
        check_id="ec2_ebs_volume_unattached", resource_type="AWS::EC2::Volume",
        resource_id="vol-0abc", title="Unattached", observed_at=WHEN,
        estimated_monthly_savings=Decimal("8.005"), savings_formula="100 GiB x $0.08",
        tags={"team": "x"},
    ).to_wire()
    base.update(over)
    return base


@pytest.mark.parametrize(
    ("rtype", "rid", "expected"),
    [
        ("AWS::EC2::Volume", "VOL-0ABC", "arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc"),
        ("AWS::EC2::Volume", "arn:AWS:EC2:US-EAST-1:1234-5678-9012:volume/vol-0ABC", "arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc"),
        ("AWS::S3::Bucket", "My-Bucket", "arn:aws:s3:::my-bucket"),
        ("AWS::Logs::LogGroup", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/x:*", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/x"),
        ("AWS::Lambda::Function", "arn:aws:lambda:us-east-1:123456789012:function:fn:PROD", "arn:aws:lambda:us-east-1:123456789012:function:fn"),
        ("AWS::RDS::DBInstance", "Orders-DB", "arn:aws:rds:us-east-1:123456789012:db:orders-db"),
    ],
)
def test_arn_normal_form(rtype: str, rid: str, expected: str) -> None:
    assert canonical_arn(rtype, rid, "123456789012", "us-east-1") == expected


def test_china_partition() -> None:
    assert canonical_arn("AWS::EC2::Volume", "vol-1", "123456789012", "cn-north-1").startswith("arn:aws-cn:ec2:cn-north-1:")


def test_money_rounds_to_cents_half_even() -> None:
    assert money("8.005") == Decimal("8.00")
    assert money(8.015) == Decimal("8.02")
    assert money(None) is None
    assert money("abc") == "abc"
    assert money(float("nan")) == "nan"


def test_canonical_record_is_clean() -> None:
    rec = canonicalize_record(wire(region=" US-EAST-1 ", severity="Informational", tenant_id=" ACME ", currency="usd"))
    assert (rec["region"], rec["severity"], rec["tenant_id"], rec["currency"]) == ("us-east-1", "info", "acme", "USD")
    assert validate(rec) == []


def test_validation_reports_every_problem_with_its_field() -> None:
    rec = canonicalize_record(
        wire(account_id="12", region="moon-1", severity="urgent", estimated_monthly_savings="-1",
             confidence=3.0, observed_at="yesterday", resource_type="AWS::Nope::Thing", currency="dollars")
    )
    fields = {p.field for p in validate(rec)}
    assert {"account_id", "region", "severity", "estimated_monthly_savings", "confidence", "observed_at",
            "resource_type", "currency"} <= fields


def test_savings_need_a_formula_and_naive_times_are_rejected() -> None:
    fields = {p.field for p in validate(canonicalize_record(wire(savings_formula=None)))}
    assert "savings_formula" in fields
    fields = {p.field for p in validate(canonicalize_record(wire(observed_at="2026-11-01T10:00:00")))}
    assert "observed_at" in fields


def test_forged_fingerprint_is_rejected() -> None:
    with pytest.raises(ContractError) as err:
        to_row(wire(fingerprint="f" * 64), Provenance("t", 1, 2))
    assert "fingerprint" in str(err.value) and "t[1]@2" in str(err.value)


def test_cast_gives_exactly_the_storage_schema() -> None:
    row = to_row(wire(tags={"b": "2", "a": "1"}), Provenance("topic", 3, 42))
    table = rows_to_table([row])
    assert table.schema.equals(FINDING_SCHEMA, check_metadata=True)
    got = table.to_pylist()[0]
    assert got["tags"] == [("a", "1"), ("b", "2")]
    assert got["estimated_monthly_savings"] == Decimal("8.00")
    assert (got["source_topic"], got["source_partition"], got["source_offset"]) == ("topic", 3, 42)
    assert got["resource_id"] == "arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc"
