from datetime import timedelta
from decimal import Decimal

from checks.ecr.ecr_image_old.check import EcrImageOld
from checks.ecr.ecr_repository_no_lifecycle.check import EcrRepositoryNoLifecycle
from checks.services.ecr import Image, Repository

MEDIA = "application/vnd.docker.distribution.manifest.v2+json"
ARN = "arn:aws:ecr:us-east-1:123456789012:repository/"


def repo(now, name, ages_days, lifecycle=False, size=2**30):
    images = tuple(Image(f"sha256:{name}{i:02d}", now - timedelta(days=d), size, i == 0)
                   for i, d in enumerate(ages_days))
    return Repository(name, ARN + name, now - timedelta(days=900), lifecycle, images)


def test_old_images_beyond_the_newest_flagged_each(make_ctx, evaluate):
    ctx = make_ctx(config={"ecr_image_old": {"keep_latest": 1}})
    models = [repo(ctx.now, "app", [1, 200, 30, 400], size=3 * 2**30),
              repo(ctx.now, "kept", [200, 400], lifecycle=True)]
    found = evaluate(EcrImageOld(), models, ctx)
    # newest (1 d) kept; 30 d is young; 200 d and 400 d are old: 3 GiB x $0.10 each
    assert sorted(f.resource_id for f in found) == [ARN + "app/sha256:app01",
                                                    ARN + "app/sha256:app03"]
    assert {f.estimated_monthly_savings for f in found} == {Decimal("0.30")}
    assert all(f.details["savings_bound"] == "upper" for f in found)


def test_keep_latest_protects_old_images_of_a_quiet_repository(make_ctx, evaluate):
    ctx = make_ctx()
    assert evaluate(EcrImageOld(), [repo(ctx.now, "quiet", [300, 400])], ctx) == []  # keep 10


def test_shares_the_repository_lifecycle_group(make_ctx, evaluate):
    ctx = make_ctx(config={"ecr_image_old": {"keep_latest": 1}})
    models = [repo(ctx.now, "app", [1, 200])]
    image = evaluate(EcrImageOld(), models, ctx)
    whole = evaluate(EcrRepositoryNoLifecycle(), models, make_ctx(config={
        "ecr_repository_no_lifecycle": {"keep_latest": 1}}))
    assert [f.alternative_group for f in image] == [whole[0].alternative_group]
    assert image[0].alternative_group.endswith(":repository/app#lifecycle")
    assert image[0].estimated_monthly_savings == whole[0].estimated_monthly_savings  # $0.10


def test_images_and_policy_read_from_moto(aws, make_ctx):
    import json

    import boto3

    ecr = boto3.client("ecr", region_name="us-east-1")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": MEDIA, "config": {
        "size": 100, "digest": "sha256:c"}, "layers": [{"size": 1000, "digest": "sha256:a"}]})
    for name in ("open", "managed"):
        ecr.create_repository(repositoryName=name)
        ecr.put_image(repositoryName=name, imageManifest=manifest, imageTag="v1")
    ecr.put_lifecycle_policy(repositoryName="managed", lifecyclePolicyText=json.dumps({"rules": [
        {"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                          "countNumber": 5}, "action": {"type": "expire"}}]}))
    from datetime import UTC, datetime
    ctx = make_ctx(now=datetime.now(UTC) + timedelta(days=120),
                   config={"ecr_image_old": {"keep_latest": 0}})
    check = EcrImageOld()
    found = list(check.evaluate(check.collect(ctx), ctx.config.for_check(check.meta), ctx))
    assert [f.details["repository"] for f in found] == ["open"]
