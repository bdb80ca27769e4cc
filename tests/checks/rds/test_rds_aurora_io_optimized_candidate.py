from datetime import timedelta
from decimal import Decimal

from checks.rds.rds_aurora_io_optimized_candidate.check import (
    Models,
    RdsAuroraIoOptimizedCandidate,
    io_queries,
    storage_query,
)
from checks.services.cloudwatch import MetricSeries
from checks.services.rds import DBCluster, DBInstance

ARN = "arn:aws:rds:us-east-1:123456789012:"


def cluster(now, cid, storage="aurora", members=("w1",)):
    return DBCluster(cid, f"{ARN}cluster:{cid}", "aurora-postgresql", storage, "available",
                     now - timedelta(days=100), tuple(f"{cid}-{m}" for m in members))


def member(now, ident, cls="db.r6g.large"):
    return DBInstance(ident, f"{ARN}db:{ident}", cls, "aurora-postgresql", "16.4", "available",
                      False, 0, "aurora", now - timedelta(days=100), cluster_id=ident[:-3])


def metrics(cid, read, write, gib=100, days=14):
    r, w = io_queries(cid)
    return {r: MetricSeries(r, (read,) * days), w: MetricSeries(w, (write,) * days),
            storage_query(cid): MetricSeries(storage_query(cid), (gib * 2.0**30,) * days)}


def test_io_heavy_standard_cluster_priced_both_ways(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([cluster(ctx.now, "busy")], {"busy-w1": member(ctx.now, "busy-w1")},
                    metrics("busy", 5e7, 1.5e7))
    found = evaluate(RdsAuroraIoOptimizedCandidate(), models, ctx)
    # I/Os: 14 x 6.5e7 / 14 d x 30.4167 = 1,977,083,333 x $0.0000002 = 395.42
    # storage: 100 GiB x ($0.10 - $0.225) = -12.50; db.r6g.large: 730 h x ($0.26 - $0.338) = -56.94
    assert found[0].estimated_monthly_savings == Decimal("325.98")
    assert found[0].details["io_requests_month"] == 1_977_083_333
    assert found[0].alternative_group == f"{ARN}cluster:busy#storage-config"


def test_quiet_optimized_serverless_or_unmeasured_clusters_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    quiet, opt, sls, blind = (cluster(ctx.now, "quiet"), cluster(ctx.now, "opt", "aurora-iopt1"),
                              cluster(ctx.now, "sls"), cluster(ctx.now, "blind"))
    instances = {"quiet-w1": member(ctx.now, "quiet-w1"), "opt-w1": member(ctx.now, "opt-w1"),
                 "sls-w1": member(ctx.now, "sls-w1", "db.serverless"),
                 "blind-w1": member(ctx.now, "blind-w1")}
    series = {**metrics("quiet", 1e6, 0.0), **metrics("opt", 5e7, 1.5e7),
              **metrics("sls", 5e7, 1.5e7)}
    models = Models([quiet, opt, sls, blind], instances, series)
    # quiet: 30,416,667 I/Os x $0.0000002 = 6.08 < 12.50 + 56.94 more on I/O-Optimized
    assert evaluate(RdsAuroraIoOptimizedCandidate(), models, ctx) == []


def test_clusters_members_and_storage_type_from_moto(aws, make_ctx):
    import boto3

    rds = boto3.client("rds", region_name="us-east-1")
    for cid, storage in (("std", "aurora"), ("iopt", "aurora-iopt1")):
        rds.create_db_cluster(DBClusterIdentifier=cid, Engine="aurora-postgresql",
                              MasterUsername="app", MasterUserPassword="p" * 12,
                              StorageType=storage, AllocatedStorage=1)  # moto lacks a default
        rds.create_db_instance(DBInstanceIdentifier=f"{cid}-w1", DBClusterIdentifier=cid,
                               DBInstanceClass="db.r6g.large", Engine="aurora-postgresql")
    ctx = make_ctx()
    models = RdsAuroraIoOptimizedCandidate().collect(ctx)
    assert [c.id for c in models.clusters] == ["std"]
    assert models.clusters[0].members == ("std-w1",)
    assert models.instances["std-w1"].instance_class == "db.r6g.large"
