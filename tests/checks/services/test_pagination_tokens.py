"""Every paginated operation the services use can be resumed from a page's output tokens (the
throttling retry depends on it)."""

import boto3
import jmespath
import pytest
from botocore.paginate import TokenDecoder

from checks.services.base import _next_token

PAGINATED = [
    ("ec2", "DescribeVolumes"), ("ec2", "DescribeInstances"), ("ec2", "DescribeSnapshots"),
    ("ec2", "DescribeImages"), ("ec2", "DescribeNatGateways"),
    ("cloudwatch", "GetMetricData"), ("elbv2", "DescribeLoadBalancers"),
    ("elbv2", "DescribeTargetGroups"), ("elb", "DescribeLoadBalancers"),
    ("rds", "DescribeDBInstances"), ("rds", "DescribeDBSnapshots"),
    ("logs", "DescribeLogGroups"), ("logs", "FilterLogEvents"),
    ("s3", "ListBuckets"), ("s3", "ListMultipartUploads"), ("s3", "ListParts"),
    ("dynamodb", "ListTables"), ("elasticache", "DescribeCacheClusters"),
    ("application-autoscaling", "DescribeScalableTargets"), ("lambda", "ListFunctions"),
    ("ecr", "DescribeRepositories"), ("ecr", "DescribeImages"),
    ("secretsmanager", "ListSecrets"), ("emr", "ListClusters"),
    ("emr", "ListInstanceGroups"), ("redshift", "DescribeClusters"),
]


@pytest.mark.parametrize("service, operation", PAGINATED)
def test_resume_token_round_trips(service, operation):
    from botocore import xform_name

    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    method = xform_name(operation)
    assert client.can_paginate(method)
    paginator = client.get_paginator(method)
    cfg = paginator._pagination_cfg
    outputs = cfg["output_token"] if isinstance(cfg["output_token"], list) else \
        [cfg["output_token"]]
    inputs = cfg["input_token"] if isinstance(cfg["input_token"], list) else [cfg["input_token"]]
    page: dict = {}
    for n, expr in enumerate(outputs):
        name = expr.split("||")[0].strip()
        if "." not in name and "[" not in name:
            page[name] = f"tok{n}"
    token = _next_token(paginator, page)
    assert token is not None
    decoded = TokenDecoder().decode(token)
    assert set(decoded) <= set(inputs) and None not in decoded.values()
    assert jmespath.search(outputs[0].split("||")[0].strip(), page) in decoded.values()
    assert _next_token(paginator, {}) is None
