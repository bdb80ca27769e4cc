"""Identity is a function of the canonical identity only: property tests."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.canonical import canonicalize_record
from contracts.finding import Finding
from contracts.identity import finding_id, fingerprint

ids = st.text(alphabet="0123456789abcdef", min_size=8, max_size=17)
regions = st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1"])
tags = st.dictionaries(
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12),
    st.text(max_size=20),
    max_size=6,
)


def make(resource: str, region: str, tag_map: dict[str, str], savings: float, when: datetime) -> Finding:
    return Finding(
        tenant_id="acme",
        account_id="123456789012",
        region=region,
        service="ec2",
        check_id="ec2_ebs_volume_unattached",
        resource_type="AWS::EC2::Volume",
        resource_id=f"vol-{resource}",
        title="Unattached volume",
        observed_at=when,
        estimated_monthly_savings=savings,
        savings_formula="x",
        tags=tag_map,
    )


@settings(max_examples=150, deadline=None)
@given(ids, regions, tags, st.floats(0, 1e6), st.integers(0, 10_000), st.randoms())
def test_shuffled_and_reserialized_input_gives_identical_fingerprints(
    rid: str, region: str, tag_map: dict[str, str], savings: float, minutes: int, rnd: random.Random
) -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    wire = make(rid, region, tag_map, savings, when).to_wire()
    # re-serialize through JSON, shuffle field and tag order, change case and whitespace, use the
    # ARN instead of the bare id, and change times and amounts: none of it is identity
    again = json.loads(json.dumps(wire))
    items = list(again.items())
    rnd.shuffle(items)
    again = dict(items)
    tag_items = list(again["tags"].items())
    rnd.shuffle(tag_items)
    again["tags"] = dict(tag_items)
    again["region"] = f" {region.upper()} "
    again["tenant_id"] = "ACME"
    again["resource_type"] = "ec2:volume"
    again["resource_id"] = f"arn:aws:ec2:{region}:123456789012:volume/VOL-{rid.upper()}"
    if region.startswith("cn-"):
        again["resource_id"] = again["resource_id"].replace("arn:aws:", "arn:aws-cn:")
    if region.startswith("us-gov-"):
        again["resource_id"] = again["resource_id"].replace("arn:aws:", "arn:aws-us-gov:")
    again["estimated_monthly_savings"] = str(savings * 2)
    again["observed_at"] = (when + timedelta(days=3)).isoformat()
    assert fingerprint(canonicalize_record(again)) == wire["fingerprint"]


@settings(max_examples=150, deadline=None)
@given(ids, ids, regions, regions)
def test_different_identity_gives_different_fingerprints(a: str, b: str, ra: str, rb: str) -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    fa = make(a, ra, {}, 1.0, when).to_wire()["fingerprint"]
    fb = make(b, rb, {}, 1.0, when).to_wire()["fingerprint"]
    assert (fa == fb) == (a.lower() == b.lower() and ra == rb)


def test_scope_and_check_are_identity() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    base = make("0abc", "us-east-1", {}, 1.0, when)
    rec = canonicalize_record(base.to_wire())
    for name, value in [("scope", "14d"), ("check_id", "other"), ("account_id", "210987654321"), ("tenant_id", "globex")]:
        assert fingerprint({**rec, name: value}) != fingerprint(rec), name


def test_finding_id_modes() -> None:
    fp = "a" * 64
    day1 = int(datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC).timestamp() * 1_000_000)
    day2 = day1 + 1
    assert finding_id(fp, "stable") == fp
    assert finding_id(fp, "per-run", "r1") != finding_id(fp, "per-run", "r2")
    assert finding_id(fp, "per-run", "r1") == finding_id(fp, "per-run", "r1")
    assert finding_id(fp, "per-day", observed_at_us=day1) != finding_id(fp, "per-day", observed_at_us=day2)
    assert finding_id(fp, "per-day", observed_at_us=day1) == finding_id(fp, "per-day", observed_at_us=day1 - 3_600_000_000)
