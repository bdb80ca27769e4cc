"""Storage and serverless: log groups, S3 buckets, ECR repositories, secrets, Lambda functions."""

from __future__ import annotations

import io
import json
import zipfile

from moto.backends import get_backend

from estate import ages
from estate.context import SeedCell, tag_list

LAMBDA_ROLE = "estate-lambda-exec"
LIFECYCLE = {"Rules": [{
    "ID": "expire-and-abort", "Status": "Enabled", "Filter": {"Prefix": ""},
    "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
}]}
ECR_POLICY = json.dumps({"rules": [{
    "rulePriority": 1, "description": "keep 30 images",
    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
    "action": {"type": "expire"}}]})


def seed_log_groups(sc: SeedCell) -> None:
    """Every group holds bytes; waste groups have no retention (they grow forever)."""
    logs = sc.client("logs")
    rng = sc.rng("log_group")
    waste, healthy = sc.split("log_group")
    backend = get_backend("logs")[sc.account_id][sc.region]
    for i in range(healthy + len(waste)):
        name = f"/aws/app/{sc.name('service', i)}"
        logs.create_log_group(logGroupName=name, tags=sc.tags(rng))
        logs.create_log_stream(logGroupName=name, logStreamName="main")
        logs.put_log_events(logGroupName=name, logStreamName="main", logEvents=[
            {"timestamp": int(sc.now.timestamp() * 1000) - k * 1000, "message": "x" * 200}
            for k in range(5, 0, -1)])
        # a real group holds gigabytes; moto counts only the bytes put, so scale the stream
        stored = rng.randint(2, 200) * 1024**3
        backend.groups[name].streams["main"].stored_bytes = stored
        days = rng.randint(90, 700)
        ages.log_group(sc.account_id, sc.region, name, ages.ago(sc.now, days))
        if i < len(waste):
            sc.waste(waste[i], name, stored_bytes=stored, age_days=days)
        else:
            logs.put_retention_policy(logGroupName=name, retentionInDays=rng.choice([14, 30, 90]))
    sc.manifest.add("log_group", healthy + len(waste))


def seed_buckets(sc: SeedCell) -> None:
    """Waste buckets have no lifecycle rules and an incomplete multipart upload."""
    s3 = sc.client("s3")
    rng = sc.rng("s3_bucket")
    waste, healthy = sc.split("s3_bucket")
    where = {} if sc.region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": sc.region}}
    for i in range(healthy + len(waste)):
        name = sc.name("bucket", i)
        s3.create_bucket(Bucket=name, **where)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(sc.tags(rng))})
        s3.put_object(Bucket=name, Key="data/part-0000.json", Body=b"{}" * 512)
        if i < len(waste):
            up = s3.create_multipart_upload(Bucket=name, Key="exports/huge.parquet")
            s3.upload_part(Bucket=name, Key="exports/huge.parquet", PartNumber=1,
                           UploadId=up["UploadId"], Body=b"0" * 1024)
            sc.waste(waste[i], name, incomplete_uploads=1)
        else:
            s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration=LIFECYCLE)
    sc.manifest.add("s3_bucket", healthy + len(waste))


def seed_ecr(sc: SeedCell) -> None:
    ecr = sc.client("ecr")
    rng = sc.rng("ecr_repository")
    waste, healthy = sc.split("ecr_repository")
    for i in range(healthy + len(waste)):
        name = f"svc/{sc.name('repo', i)}"
        ecr.create_repository(repositoryName=name, tags=tag_list(sc.tags(rng)))
        if i < len(waste):
            sc.waste(waste[i], name)
        else:
            ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=ECR_POLICY)
    sc.manifest.add("ecr_repository", healthy + len(waste))


def seed_secrets(sc: SeedCell) -> None:
    """Unused secrets: created long ago and never read. Healthy ones are read (GetSecretValue)."""
    sm = sc.client("secretsmanager")
    rng = sc.rng("secret")
    waste, healthy = sc.split("secret")
    for i in range(healthy + len(waste)):
        name = f"app/{sc.name('secret', i)}"
        sm.create_secret(Name=name, SecretString=json.dumps({"password": f"pw-{i}"}),
                         Tags=tag_list(sc.tags(rng)))
        days = rng.randint(120, 500)
        ages.secret(sc.account_id, sc.region, name, ages.ago(sc.now, days))
        if i < len(waste):
            sc.waste(waste[i], name, age_days=days)
        else:
            sm.get_secret_value(SecretId=name)
            ages.secret_last_accessed(sc.account_id, sc.region, name,
                                      ages.ago(sc.now, rng.randint(0, 10)))
    sc.manifest.add("secret", healthy + len(waste))


def lambda_role(sc: SeedCell) -> str:
    iam = sc.clients.get("iam", "us-east-1", sc.account_id)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    try:
        return str(iam.get_role(RoleName=LAMBDA_ROLE)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        return str(iam.create_role(RoleName=LAMBDA_ROLE,
                                   AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])


def _code() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buf.getvalue()


def seed_lambdas(sc: SeedCell) -> None:
    """Over-provisioned: 3 GB+ of memory for a function that runs ~40 ms."""
    fn = sc.client("lambda")
    rng = sc.rng("lambda_function")
    waste, healthy = sc.split("lambda_function")
    role, code = lambda_role(sc), _code()
    for i in range(healthy + len(waste)):
        over = i < len(waste)
        name = sc.name("fn", i)
        memory = rng.choice([3008, 4096, 10240]) if over else rng.choice([128, 256, 512])
        fn.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                           Handler="handler.handler", Code={"ZipFile": code},
                           MemorySize=memory, Timeout=30, Architectures=["arm64"],
                           Tags=sc.tags(rng))
        dims = {"FunctionName": name}
        r = sc.rng(f"metrics/{name}")
        duration = (20.0, 60.0) if over else (150.0, 900.0)
        sc.metrics.series(sc.account_id, sc.region, "AWS/Lambda", "Duration", dims, *duration,
                          r, "Milliseconds")
        sc.metrics.series(sc.account_id, sc.region, "AWS/Lambda", "Invocations", dims, 100.0,
                          2000.0, r, "Count")
        _report_lines(sc, name, memory, 40.0 if over else 400.0,
                      used=r.randint(60, 120) if over else int(memory * r.uniform(0.6, 0.85)))
        if over:
            sc.waste(waste[i], name, memory_mb=memory)
    sc.manifest.add("lambda_function", healthy + len(waste))


def _report_lines(sc: SeedCell, function: str, memory: int, duration_ms: float, used: int) -> None:
    """The REPORT line Lambda logs after each invocation: where "Max Memory Used" lives. Its
    log group has a retention policy, as a managed function's should."""
    logs = sc.client("logs")
    group = f"/aws/lambda/{function}"
    logs.create_log_group(logGroupName=group)
    logs.put_retention_policy(logGroupName=group, retentionInDays=14)
    logs.create_log_stream(logGroupName=group, logStreamName="2024/01/01/[$LATEST]estate")
    now_ms = int(sc.now.timestamp() * 1000)
    logs.put_log_events(
        logGroupName=group, logStreamName="2024/01/01/[$LATEST]estate",
        logEvents=[{"timestamp": now_ms - day * 86_400_000 - 3_600_000, "message": (
            f"REPORT RequestId: {function}-{day} Duration: {duration_ms:.2f} ms "
            f"Billed Duration: {int(duration_ms) + 1} ms Memory Size: {memory} MB "
            f"Max Memory Used: {used} MB")} for day in range(6, -1, -1)])
