from decimal import Decimal

import boto3

from checks.ec2.ec2_eip_unassociated.check import Ec2EipUnassociated


def test_unassociated_eip_from_moto(aws, make_ctx, evaluate):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    free = ec2.allocate_address(Domain="vpc")["AllocationId"]
    used = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ami = "ami-12345678"  # any id: moto runs unknown AMIs
    iid = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    ec2.associate_address(AllocationId=used, InstanceId=iid)
    ctx = make_ctx()
    check = Ec2EipUnassociated()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_id for f in found] == [free]
    assert found[0].estimated_monthly_savings == Decimal("3.65")
    assert "730 h x $0.005/hour" in found[0].savings_formula


def test_no_addresses_no_findings(aws, make_ctx, evaluate):
    ctx = make_ctx()
    check = Ec2EipUnassociated()
    assert evaluate(check, check.collect(ctx), ctx) == []
