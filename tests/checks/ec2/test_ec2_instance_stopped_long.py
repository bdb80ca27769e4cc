from datetime import timedelta
from decimal import Decimal

import boto3

from checks.ec2.ec2_instance_stopped_long.check import Ec2InstanceStoppedLong, Models
from checks.services.ec2 import Address, EC2Service, Instance


def inst(now, iid, stopped_days):
    return Instance(id=iid, type="t3.micro", state="stopped",
                    launch_time=now - timedelta(days=400), platform="linux/unix",
                    architecture="x86_64", lifecycle="on-demand", az="us-east-1a",
                    stopped_since=now - timedelta(days=stopped_days))


def test_long_stopped_instance_with_eip(make_ctx, evaluate):
    ctx = make_ctx()
    eip = Address("eipalloc-1", "1.2.3.4", "eipassoc-1", "i-old", "eni-1")
    found = evaluate(Ec2InstanceStoppedLong(), Models([inst(ctx.now, "i-old", 60)], [eip]), ctx)
    assert found[0].estimated_monthly_savings == Decimal("3.65")
    assert found[0].details["elastic_ips"] == ["1.2.3.4"]


def test_zero_savings_without_eip_and_recent_stop_ignored(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(Ec2InstanceStoppedLong(),
                     Models([inst(ctx.now, "i-old", 60), inst(ctx.now, "i-new", 3)], []), ctx)
    assert [f.resource_id for f in found] == ["i-old"]
    assert found[0].estimated_monthly_savings == Decimal("0.00")
    assert "ec2_ebs_volume_on_stopped_instance" in found[0].savings_formula


def test_stop_time_parsed_from_moto_state_transition(aws, make_ctx):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ami = "ami-12345678"  # any id: moto runs unknown AMIs
    iid = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[iid])
    [model] = make_ctx().service(EC2Service).instances()
    assert model.state == "stopped" and model.stopped_since is not None
