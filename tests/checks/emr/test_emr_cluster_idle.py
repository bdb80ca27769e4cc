from datetime import timedelta
from decimal import Decimal

import boto3

from checks.emr.emr_cluster_idle.check import EmrClusterIdle, Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.emr import Cluster

Q = query("AWS/ElasticMapReduce", "IsIdle", "Minimum", 300, JobFlowId="j-1")


def cluster(now):
    return Cluster("j-1", "etl", "WAITING", now - timedelta(days=3), (("m5.xlarge", 3),))


def test_idle_cluster_priced_with_emr_fee(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(EmrClusterIdle(), Models([cluster(ctx.now)], {"j-1": MetricSeries(Q, (1.0,) * 72)}), ctx)
    # 3 x 730 x (0.192 + 0.048)
    assert found[0].estimated_monthly_savings == Decimal("525.60")


def test_busy_cluster_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([cluster(ctx.now)], {"j-1": MetricSeries(Q, (1.0,) * 71 + (0.0,))})
    assert evaluate(EmrClusterIdle(), models, ctx) == []


def test_clusters_collected_from_moto(aws, make_ctx):
    boto3.client("emr", region_name="us-east-1").run_job_flow(
        Name="c", JobFlowRole="r", ServiceRole="s",
        Instances={"MasterInstanceType": "m5.xlarge", "SlaveInstanceType": "m5.xlarge",
                   "InstanceCount": 3, "KeepJobFlowAliveWhenNoSteps": True})
    [model] = EmrClusterIdle().collect(make_ctx()).resources
    assert dict(model.instances) == {"m5.xlarge": 3}
