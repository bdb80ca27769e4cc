from decimal import Decimal

import boto3

from checks.elb.elb_load_balancer_no_targets.check import ElbLoadBalancerNoTargets


def network():
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                                 AvailabilityZone=f"us-east-1{az}")["Subnet"]["SubnetId"]
               for i, az in ((1, "a"), (2, "b"))]
    return ec2, vpc, subnets


def test_alb_without_targets_flagged_and_with_healthy_target_not(aws, make_ctx, evaluate):
    ec2, vpc, subnets = network()
    elb = boto3.client("elbv2", region_name="us-east-1")
    empty = elb.create_load_balancer(Name="empty", Subnets=subnets)["LoadBalancers"][0]
    used = elb.create_load_balancer(Name="used", Subnets=subnets)["LoadBalancers"][0]
    tg = elb.create_target_group(Name="tg", Protocol="HTTP", Port=80, VpcId=vpc,
                                 TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(LoadBalancerArn=used["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    ami = "ami-12345678"  # any id: moto runs unknown AMIs
    iid = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                            SubnetId=subnets[0])["Instances"][0]["InstanceId"]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": iid, "Port": 80}])
    ctx = make_ctx(now=make_ctx().now.replace(year=2099))
    check = ElbLoadBalancerNoTargets()
    models = check.collect(ctx)
    found = evaluate(check, models, ctx)
    assert [f.resource_name for f in found] == ["empty"]
    assert found[0].estimated_monthly_savings == Decimal("16.42")  # 730 x 0.0225
    assert found[0].resource_id == empty["LoadBalancerArn"]
    used_model = next(m for m in models if m.name == "used")
    assert used_model.target_ids == (iid,) and used_model.healthy_targets == 1


def test_young_or_gateway_load_balancers_not_flagged(make_ctx, evaluate):
    from datetime import timedelta

    from checks.services.elb import LoadBalancer

    ctx = make_ctx()
    young = LoadBalancer("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/y/1",
                         "y", "application", "active", ctx.now - timedelta(days=1), "app/y/1", 0, 0)
    gwlb = LoadBalancer("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/g/1",
                        "g", "gateway", "active", ctx.now - timedelta(days=90), "gwy/g/1", 0, 0)
    assert evaluate(ElbLoadBalancerNoTargets(), [young, gwlb], ctx) == []
    unhealthy = young.__class__(**{**young.__dict__, "created": ctx.now - timedelta(days=30),
                                   "registered_targets": 2})
    found = evaluate(ElbLoadBalancerNoTargets(), [unhealthy], ctx)
    assert "0 healthy of 2 targets" in found[0].title and found[0].confidence == 0.6
