from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import boto3

from checks.opensearch.opensearch_domain_idle.check import Models, OpensearchDomainIdle
from checks.services.cloudwatch import MetricSeries, query
from checks.services.opensearch import Domain

Q = query("AWS/ES", "SearchRate", "Maximum", ClientId="123456789012", DomainName="logs")


def domain(now, **kw):
    d = Domain("logs", "123456789012", "arn:aws:es:us-east-1:123456789012:domain/logs", False,
               False, now - timedelta(days=60), "m5.large.search", 2, "m5.large.search", 3,
               None, 0, "gp3", 100)
    return replace(d, **kw)


def test_idle_domain_prices_nodes_and_names_the_unpriced_storage(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(OpensearchDomainIdle(), Models([domain(ctx.now)],
                                                    {"logs": MetricSeries(Q, (0.0,) * 14)}), ctx)
    # (2 data + 3 master) x 730 h x $0.142; 200 GiB of gp3 has no price in the snapshots
    assert found[0].estimated_monthly_savings == Decimal("518.30")
    assert found[0].details["savings_bound"] == "lower"
    assert found[0].details["missing_prices"] == ["opensearch:gp3:gb-month"]


def test_searched_unmeasured_young_or_processing_domains_are_not_idle(make_ctx, evaluate):
    ctx = make_ctx()
    check = OpensearchDomainIdle()
    zeros = {"logs": MetricSeries(Q, (0.0,) * 14)}
    assert evaluate(check, Models([domain(ctx.now)], {"logs": MetricSeries(Q, (0.0, 2.5))}),
                    ctx) == []
    assert evaluate(check, Models([domain(ctx.now)], {"logs": MetricSeries(Q, ())}), ctx) == []
    for d in (domain(ctx.now, created=ctx.now - timedelta(days=2)), domain(ctx.now, created=None),
              domain(ctx.now, processing=True)):
        assert evaluate(check, Models([d], zeros), ctx) == []


def test_collect_reads_layout_and_age_from_moto(aws, make_ctx):
    boto3.client("opensearch", region_name="us-east-1").create_domain(
        DomainName="logs", ClusterConfig={"InstanceType": "r6g.large.search", "InstanceCount": 3},
        EBSOptions={"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 50})
    ctx = make_ctx(now=make_ctx().now.replace(year=2099))
    (d,) = OpensearchDomainIdle().collect(ctx).resources
    assert (d.id, d.account_id, d.instance_type, d.instances, d.ebs_gib_per_node) == (
        "logs", "123456789012", "r6g.large.search", 3, 50)
    assert d.created is not None and d.created < ctx.now
