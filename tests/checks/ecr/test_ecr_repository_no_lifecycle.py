from datetime import timedelta
from decimal import Decimal

import boto3

from checks.ecr.ecr_repository_no_lifecycle.check import EcrRepositoryNoLifecycle
from checks.services.ecr import Image, Repository


def test_old_images_beyond_latest_priced(make_ctx, evaluate):
    ctx = make_ctx()
    images = tuple(Image(f"sha256:{i}", ctx.now - timedelta(days=100 + i), 1_000_000_000, True)
                   for i in range(15))
    repo = Repository("app", "arn:aws:ecr:us-east-1:123456789012:repository/app", ctx.now,
                      False, images)
    found = evaluate(EcrRepositoryNoLifecycle(), [repo], ctx)
    assert found[0].estimated_monthly_savings == Decimal("0.47")  # 5 x 10^9 B = 4.657 GiB x $0.10
    assert found[0].details["expirable_images"] == 5


def test_policy_detected_from_moto(aws, make_ctx, evaluate):
    ecr = boto3.client("ecr", region_name="us-east-1")
    ecr.create_repository(repositoryName="with-policy")
    ecr.put_lifecycle_policy(repositoryName="with-policy", lifecyclePolicyText=(
        '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":'
        '"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}'))
    ecr.create_repository(repositoryName="no-policy")
    ctx = make_ctx()
    check = EcrRepositoryNoLifecycle()
    found = evaluate(check, check.collect(ctx), ctx)
    assert [f.resource_name for f in found] == ["no-policy"]
