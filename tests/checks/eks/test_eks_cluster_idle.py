from datetime import timedelta
from decimal import Decimal

import boto3

from checks.eks.eks_cluster_idle.check import EksClusterIdle, Models
from checks.services.ec2 import Instance
from checks.services.eks import Cluster, Nodegroup


def cluster(now, groups=(), profiles=(), days=30, status="ACTIVE"):
    return Cluster("dev", "arn:aws:eks:us-east-1:123456789012:cluster/dev", status, "1.31",
                   now - timedelta(days=days), tuple(groups), tuple(profiles))


def node(now, tags, state="running"):
    return Instance("i-1", "m5.large", state, now, "linux/unix", "x86_64", "on-demand",
                    "us-east-1a", tags=tags)


def test_cluster_without_nodes_pays_for_the_control_plane(make_ctx, evaluate):
    ctx = make_ctx()
    scaled_to_zero = [Nodegroup("ng", "ACTIVE", 0)]
    found = evaluate(EksClusterIdle(), Models([cluster(ctx.now, scaled_to_zero)],
                                              [node(ctx.now, {"eks:cluster-name": "other"})]), ctx)
    assert [f.resource_id for f in found] == ["dev"]
    assert found[0].estimated_monthly_savings == Decimal("73.00")  # 730 h x $0.10
    assert found[0].details["nodegroups"] == ["ng"]


def test_nodes_fargate_self_managed_young_or_creating_clusters_are_not_idle(make_ctx, evaluate):
    ctx = make_ctx()
    check = EksClusterIdle()
    for c, instances in [
        (cluster(ctx.now, [Nodegroup("ng", "ACTIVE", 2)]), []),
        (cluster(ctx.now, profiles=["fp-default"]), []),
        (cluster(ctx.now), [node(ctx.now, {"kubernetes.io/cluster/dev": "owned"})]),
        (cluster(ctx.now), [node(ctx.now, {"eks:eks-cluster-name": "dev"})]),  # Auto Mode
        (cluster(ctx.now, days=3), []),
        (cluster(ctx.now, status="CREATING"), []),
    ]:
        assert evaluate(check, Models([c], instances), ctx) == [], c
    stopped = [node(ctx.now, {"eks:cluster-name": "dev"}, state="stopped")]
    assert len(evaluate(check, Models([cluster(ctx.now)], stopped), ctx)) == 1


def test_collect_reads_nodegroups_and_profiles_from_moto(aws, make_ctx):
    eks = boto3.client("eks", region_name="us-east-1")
    vpc = {"subnetIds": ["subnet-1"]}
    for name in ("empty", "busy"):
        eks.create_cluster(name=name, roleArn="arn:aws:iam::123456789012:role/eks",
                           resourcesVpcConfig=vpc)
    eks.create_nodegroup(clusterName="busy", nodegroupName="ng", subnets=["subnet-1"],
                         nodeRole="arn:aws:iam::123456789012:role/node",
                         scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 2})
    models = EksClusterIdle().collect(make_ctx())
    by = {c.id: c for c in models.clusters}
    assert (by["empty"].nodes, by["busy"].nodes) == (0, 2)
    assert by["busy"].nodegroups[0].name == "ng" and by["empty"].fargate_profiles == ()
