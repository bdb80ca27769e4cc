from decimal import Decimal

import boto3

from checks.route53.route53_hosted_zone_empty.check import Route53HostedZoneEmpty
from checks.services.route53 import HostedZone


def test_zone_with_only_soa_and_ns_from_moto(aws, make_ctx, evaluate):
    r53 = boto3.client("route53", region_name="us-east-1")
    r53.create_hosted_zone(Name="empty.example.com", CallerReference="a")
    used = r53.create_hosted_zone(Name="used.example.com", CallerReference="b")
    r53.change_resource_record_sets(
        HostedZoneId=used["HostedZone"]["Id"], ChangeBatch={"Changes": [{
            "Action": "CREATE", "ResourceRecordSet": {
                "Name": "www.used.example.com", "Type": "A", "TTL": 60,
                "ResourceRecords": [{"Value": "192.0.2.1"}]}}]})
    ctx = make_ctx()
    check = Route53HostedZoneEmpty()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_name for f in found] == ["empty.example.com."]
    assert found[0].estimated_monthly_savings == Decimal("0.50")
    from contracts.cast import Provenance, to_row

    row = to_row(found[0].to_wire(), Provenance("t", 0, 0))
    assert row["resource_id"] == "arn:aws:route53:::hostedzone/" + found[0].resource_id


def test_zones_are_judged_in_the_us_east_1_scan_only(aws, make_ctx, evaluate):
    boto3.client("route53", region_name="us-east-1").create_hosted_zone(
        Name="empty.example.com", CallerReference="a")
    ctx = make_ctx(region="eu-west-1")
    check = Route53HostedZoneEmpty()
    assert evaluate(check, check.collect(ctx), ctx) == []
    busy = HostedZone("Z1", "busy.example.com.", True, 7)
    assert evaluate(check, [busy], make_ctx()) == []
