from datetime import timedelta
from decimal import Decimal

from checks.elasticache.elasticache_cluster_idle.check import ElasticacheClusterIdle, Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.elasticache import CacheCluster

Q = query("AWS/ElastiCache", "CurrConnections", "Maximum", CacheClusterId="c1")


def cluster(now, node="cache.r6g.large"):
    return CacheCluster("c1", node, 2, "redis", "available", now - timedelta(days=30))


def test_idle_cluster_priced_per_node(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(ElasticacheClusterIdle(), Models([cluster(ctx.now)], {"c1": MetricSeries(Q, (0.0,) * 7)}), ctx)
    assert found[0].estimated_monthly_savings == Decimal("300.76")  # 2 x 730 x 0.206


def test_connected_or_unmeasured_cluster_not_idle(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([cluster(ctx.now)], {"c1": MetricSeries(Q, (0.0, 12.0))})
    assert evaluate(ElasticacheClusterIdle(), models, ctx) == []
    assert evaluate(ElasticacheClusterIdle(), Models([cluster(ctx.now)], {}), ctx) == []


def test_collect_from_moto(aws, make_ctx):
    import boto3

    boto3.client("elasticache", region_name="us-east-1").create_cache_cluster(
        CacheClusterId="c1", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=1)
    models = ElasticacheClusterIdle().collect(make_ctx())
    assert [c.id for c in models.resources] == ["c1"]
