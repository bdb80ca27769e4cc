from decimal import Decimal

import boto3

from checks.cloudwatch.cloudwatch_alarm_orphaned.check import CloudwatchAlarmOrphaned, Models
from checks.services.cloudwatch_alarms import Alarm

ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"


def _alarm(cw, name, dims, period=300):
    cw.put_metric_alarm(AlarmName=name, Namespace="AWS/EC2", MetricName="CPUUtilization",
                        Statistic="Average", Period=period, EvaluationPeriods=1, Threshold=80,
                        ComparisonOperator="GreaterThanThreshold",
                        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()])


def test_alarms_on_missing_or_terminated_resources_from_moto(aws, make_ctx, evaluate):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    live, gone = (i["InstanceId"] for i in ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=2, MaxCount=2, InstanceType="t3.micro")["Instances"])
    ec2.terminate_instances(InstanceIds=[gone])
    _alarm(cw, "live-cpu", {"InstanceId": live})
    _alarm(cw, "gone-cpu", {"InstanceId": gone})
    _alarm(cw, "never-cpu", {"InstanceId": "i-0123456789abcdef0"}, period=10)
    _alarm(cw, "fleet-cpu", {"AutoScalingGroupName": "web"})  # not a dimension we can verify
    ctx = make_ctx()
    check = CloudwatchAlarmOrphaned()
    found = {f.resource_name: f for f in evaluate(check, check.collect(ctx), ctx)}
    assert sorted(found) == ["gone-cpu", "never-cpu"]
    assert found["gone-cpu"].estimated_monthly_savings == Decimal("0.10")  # standard alarm
    assert found["never-cpu"].estimated_monthly_savings == Decimal("0.30")  # 10 s: high-res
    assert found["gone-cpu"].details["missing"] == {"InstanceId": gone}


def test_alarms_on_live_volumes_and_databases_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    alarms = [Alarm("vol", ARN + "vol", "AWS/EBS", "VolumeIdleTime", {"VolumeId": "vol-1"}),
              Alarm("db", ARN + "db", "AWS/RDS", "CPUUtilization",
                    {"DBInstanceIdentifier": "orders"}),
              Alarm("db-old", ARN + "db-old", "AWS/RDS", "CPUUtilization",
                    {"DBInstanceIdentifier": "billing"})]
    live = {"InstanceId": set(), "VolumeId": {"vol-1"}, "DBInstanceIdentifier": {"orders"}}
    found = evaluate(CloudwatchAlarmOrphaned(), Models(alarms, live), ctx)
    assert [f.resource_name for f in found] == ["db-old"]
