"""Load balancers: ALBs/NLBs with running targets and traffic, plus the waste flavours: an LB
whose target group is empty, an NLB whose only target is stopped, a CLB with no instances."""

from __future__ import annotations

from estate import ages
from estate.context import SeedCell, tag_list
from estate.seed_ec2 import Compute, _instance, _root_volume


def _alb(sc: SeedCell, compute: Compute, name: str, lb_type: str, tags: dict[str, str],
         targets: list[str]) -> tuple[str, str]:
    elb = sc.client("elbv2")
    lb = elb.create_load_balancer(Name=name, Subnets=compute.subnets, Type=lb_type,
                                  Tags=tag_list(tags))["LoadBalancers"][0]
    protocol = "HTTP" if lb_type == "application" else "TCP"
    tg = elb.create_target_group(Name=f"tg-{name}"[:32], Protocol=protocol, Port=80,
                                 VpcId=compute.vpc_id, TargetType="instance"
                                 )["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol=protocol, Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    if targets:
        elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": t} for t in targets])
    days = sc.rng(f"age/{name}").randint(30, 400)
    ages.load_balancer_v2(sc.account_id, sc.region, lb["LoadBalancerArn"], ages.ago(sc.now, days))
    return lb["LoadBalancerArn"], tg


def _lb_dimension(arn: str) -> str:
    """CloudWatch's LoadBalancer dimension: the ARN's tail after `loadbalancer/`."""
    return arn.split(":loadbalancer/")[1]


def seed_load_balancers(sc: SeedCell, compute: Compute, image: str) -> None:
    rng = sc.rng("load_balancer")
    waste, healthy = sc.split("load_balancer")
    clb = sc.client("elb")
    for i in range(healthy):
        name = f"lb-{i:04d}-{sc.account_id[-4:]}"
        tags = sc.tags(rng)
        targets = [compute.running[(i + k) % len(compute.running)] for k in range(2)]
        if i % 3 == 2:
            clb.create_load_balancer(
                LoadBalancerName=name, Subnets=compute.subnets, Tags=tag_list(tags),
                Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}])
            clb.register_instances_with_load_balancer(
                LoadBalancerName=name, Instances=[{"InstanceId": t} for t in targets])
            ages.classic_load_balancer(sc.account_id, sc.region, name,
                                       ages.ago(sc.now, rng.randint(30, 400)))
            ns, dims = "AWS/ELB", {"LoadBalancerName": name}
        else:
            lb_type = "application" if i % 3 == 0 else "network"
            arn, _ = _alb(sc, compute, name, lb_type, tags, targets)
            ns = "AWS/ApplicationELB" if lb_type == "application" else "AWS/NetworkELB"
            dims = {"LoadBalancer": _lb_dimension(arn)}
        # NLBs publish flows (ActiveFlowCount, NewFlowCount), ALBs and CLBs requests
        metrics = ("ActiveFlowCount", "NewFlowCount") if ns == "AWS/NetworkELB" else \
            ("RequestCount",)
        r = sc.rng(f"metrics/{name}")
        for metric in metrics:
            sc.metrics.series(sc.account_id, sc.region, ns, metric, dims, 1e3, 5e4, r, "Count")
    for i, flavour in enumerate(waste):
        name = f"lbw-{i:04d}-{sc.account_id[-4:]}"
        tags = sc.tags(rng, name)
        if flavour == "clb_without_instances":
            clb.create_load_balancer(
                LoadBalancerName=name, Subnets=compute.subnets, Tags=tag_list(tags),
                Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}])
            ages.classic_load_balancer(sc.account_id, sc.region, name,
                                       ages.ago(sc.now, rng.randint(30, 400)))
            sc.metrics.series(sc.account_id, sc.region, "AWS/ELB", "RequestCount",
                              {"LoadBalancerName": name}, 0.0, 0.0, sc.rng(f"metrics/{name}"),
                              "Count")
            sc.waste(flavour, name, lb_type="classic")
        elif flavour == "lb_without_targets":
            arn, tg = _alb(sc, compute, name, "application", tags, [])
            sc.waste(flavour, arn, lb_type="application", target_group=tg)
        else:  # lb_with_stopped_targets: its only target was stopped weeks ago
            iid = _instance(sc, compute, image, "m7g.large", sc.tags(rng, f"{name}-target"))[0]
            arn, tg = _alb(sc, compute, name, "network", tags, [iid])  # registered running
            sc.client("ec2").stop_instances(InstanceIds=[iid])
            days = rng.randint(35, 50)
            ages.instance_stopped(sc.account_id, sc.region, iid, ages.ago(sc.now, days))
            root = _root_volume(sc, iid)
            sc.waste(flavour, arn, related=(iid, root), lb_type="network", stopped_target=iid)
    sc.manifest.add("load_balancer", healthy + len(waste))
