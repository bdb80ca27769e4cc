"""Name normal forms and resource-id normalization against the contract's canonical ARNs."""

from __future__ import annotations

import pytest

from contracts.arn import canonical_arn
from jobs.cur.names import cur_snake, tag_key
from jobs.cur.resource_ids import normalize_resource_id
from jobs.cur.variants import UnknownVariant, detect


@pytest.mark.parametrize(
    "header,snake",
    [
        ("lineItem/UnblendedCost", "line_item_unblended_cost"),
        ("reservation/ReservationARN", "reservation_reservation_a_r_n"),
        ("resourceTags/user:Cost Center", "resource_tags_user_cost_center"),
        ("product/servicecode", "product_servicecode"),
        ("line_item_unblended_cost", "line_item_unblended_cost"),
    ],
)
def test_cur_snake_follows_the_athena_rule(header, snake):
    assert cur_snake(header) == snake


def test_tag_keys_from_every_variant_meet():
    assert {tag_key(k) for k in ("user:CostCenter", "user_cost_center", "cost_center")} == {
        "cost_center"
    }
    assert tag_key("aws:createdBy") == tag_key("aws_created_by") == "aws_created_by"


@pytest.mark.parametrize(
    "raw,product,rtype,bare",
    [
        ("vol-0ABCdef012345678", "AmazonEC2", "AWS::EC2::Volume", "vol-0abcdef012345678"),
        ("i-0ed9420a261b3f355", "AmazonEC2", "AWS::EC2::Instance", "i-0ed9420a261b3f355"),
        ("snap-0123456789abcdef0", "AmazonEC2", "AWS::EC2::Snapshot", "snap-0123456789abcdef0"),
        ("my-bucket", "AmazonS3", "AWS::S3::Bucket", "my-bucket"),
    ],
)
def test_bare_ids_and_their_arns_normalize_alike(raw, product, rtype, bare):
    acct, region = "123456789012", "us-east-1"
    arn = canonical_arn(rtype, bare, acct, region)
    assert normalize_resource_id(raw, product, acct, region) == arn
    assert normalize_resource_id(arn.upper().replace("ARN:AWS", "arn:aws"), product, "", "") == (
        canonical_arn(rtype, arn.upper().replace("ARN:AWS", "arn:aws"), acct, region)
    )


def test_unknown_ids_pass_through_and_empty_is_none():
    assert normalize_resource_id("  some-id ", "AmazonGuardDuty", "1", "us-east-1") == "some-id"
    assert normalize_resource_id("", "AmazonEC2", "1", "us-east-1") is None
    assert (
        normalize_resource_id("vol-0abc12345678", "AmazonEC2", "1", "global") == "vol-0abc12345678"
    )


def test_detect_variants_by_columns():
    assert (
        detect({"lineItem/UnblendedCost": "VARCHAR", "lineItem/UsageStartDate": "VARCHAR"}).name
        == "cur1"
    )
    cur2 = {
        "line_item_unblended_cost": "DOUBLE",
        "line_item_usage_start_date": "TIMESTAMP",
        "resource_tags": "MAP(VARCHAR, VARCHAR)",
    }
    assert detect(cur2).name == "cur2"
    focus = {"BilledCost": "DOUBLE", "ChargePeriodStart": "TIMESTAMP"}
    assert detect(focus).name == "focus-1.0"
    assert detect({**focus, "ServiceSubcategory": "VARCHAR"}).name == "focus-1.1"
    assert detect({**focus, "InvoiceId": "VARCHAR"}).name == "focus-1.2"
    with pytest.raises(UnknownVariant, match="no billing variant"):
        detect({"Instance Type": "VARCHAR"})


def test_athena_header_row_detection():
    from jobs.cur.readers import looks_like_header

    assert looks_like_header(["identity_line_item_id", "line_item_unblended_cost", "year"])
    assert looks_like_header(["billedcost", "chargeperiodstart", "tags"])
    assert not looks_like_header(["vh7glzy3", "2019-11-26T00:00:00Z/2019-11-26T01:00:00Z", ""])
    assert not looks_like_header(["name", "value"])
