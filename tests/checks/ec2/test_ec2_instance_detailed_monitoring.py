from decimal import Decimal

import boto3

from checks.ec2.ec2_instance_detailed_monitoring.check import Ec2InstanceDetailedMonitoring


def test_detailed_monitoring_from_moto(aws, make_ctx, evaluate):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ami = "ami-12345678"  # any id: moto runs unknown AMIs
    watched = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                                Monitoring={"Enabled": True})["Instances"][0]["InstanceId"]
    plain = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    ctx = make_ctx()
    check = Ec2InstanceDetailedMonitoring()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_id for f in found] == [watched]
    assert found[0].estimated_monthly_savings == Decimal("2.10")  # 7 metrics x $0.30
    assert plain not in {f.resource_id for f in found}


def test_no_monitored_instances(aws, make_ctx, evaluate):
    ctx = make_ctx()
    check = Ec2InstanceDetailedMonitoring()
    assert evaluate(check, check.collect(ctx), ctx) == []
