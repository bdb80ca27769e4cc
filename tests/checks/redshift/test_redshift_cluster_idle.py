from datetime import timedelta
from decimal import Decimal

import boto3

from checks.redshift.redshift_cluster_idle.check import Models, RedshiftClusterIdle
from checks.services.cloudwatch import MetricSeries, query
from checks.services.redshift import Cluster

Q = query("AWS/Redshift", "DatabaseConnections", "Maximum", ClusterIdentifier="rs")


def test_cluster_without_connections_priced_per_node(make_ctx, evaluate):
    ctx = make_ctx()
    c = Cluster("rs", "ra3.xlplus", 2, "available", ctx.now - timedelta(days=30))
    found = evaluate(RedshiftClusterIdle(), Models([c], {"rs": MetricSeries(Q, (0.0,) * 7)}), ctx)
    assert found[0].estimated_monthly_savings == Decimal("1585.56")  # 2 x 730 x 1.086


def test_connected_cluster_not_idle(aws, make_ctx, evaluate):
    boto3.client("redshift", region_name="us-east-1").create_cluster(
        ClusterIdentifier="rs", NodeType="dc2.large", MasterUsername="admin",
        MasterUserPassword="Password1", ClusterType="single-node")
    ctx = make_ctx(now=make_ctx().now.replace(year=2099))
    models = RedshiftClusterIdle().collect(ctx)
    assert [c.id for c in models.resources] == ["rs"]
    busy = Models(models.resources, {"rs": MetricSeries(Q, (0.0, 4.0))})
    assert evaluate(RedshiftClusterIdle(), busy, ctx) == []
