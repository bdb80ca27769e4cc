from decimal import Decimal

from checks.ecs.ecs_fargate_graviton_candidate.check import EcsFargateGravitonCandidate, Models
from checks.services.ecs import EcsService, TaskSize

ARN = "arn:aws:ecs:us-east-1:123456789012:"


def svc(name, td, running=2, launch="FARGATE", providers=()):
    return EcsService(f"{ARN}service/web/{name}", name, "web", launch, providers, "ACTIVE", running,
                      running, f"{ARN}task-definition/{td}:1")


def size(family, arch="X86_64", os_family="LINUX"):
    return TaskSize(family, 1024, 2048, arch, os_family)


def test_x86_fargate_service_priced_at_arm_rates(make_ctx, evaluate):
    ctx = make_ctx()
    models = Models([svc("api", "api")], {f"{ARN}task-definition/api:1": size("api")})
    found = evaluate(EcsFargateGravitonCandidate(), models, ctx)
    # 2 tasks x 730 h = 1460 h: 1 vCPU x (0.04048 - 0.03238) + 2 GB x (0.004445 - 0.00356)
    # = 1460 x (0.0081 + 0.00177) = 1460 x 0.00987 = 14.4102
    assert found[0].estimated_monthly_savings == Decimal("14.41")
    assert found[0].resource_id == f"{ARN}service/web/api"
    assert "fargate:arm64:vcpu-hour" in found[0].savings_formula


def test_arm_windows_spot_ec2_or_stopped_services_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    tds = {f"{ARN}task-definition/{n}:1": s for n, s in (
        ("arm", size("arm", arch="ARM64")), ("win", size("win", os_family="WINDOWS_SERVER_2022_CORE")),
        ("x86", size("x86")))}
    models = Models([svc("a", "arm"), svc("w", "win"), svc("idle", "x86", running=0),
                     svc("spot", "x86", launch="", providers=("FARGATE_SPOT", "FARGATE")),
                     svc("ec2", "x86", launch="EC2")], tds)
    assert evaluate(EcsFargateGravitonCandidate(), models, ctx) == []


def test_services_and_task_definitions_from_moto(aws, make_ctx, monkeypatch):
    import boto3

    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "3")
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="web")
    for family, arch in (("x86", "X86_64"), ("arm", "ARM64")):
        ecs.register_task_definition(
            family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
            cpu="512", memory="1024", runtimePlatform={"cpuArchitecture": arch,
                                                       "operatingSystemFamily": "LINUX"},
            containerDefinitions=[{"name": "app", "image": "nginx", "essential": True}])
        ecs.create_service(cluster="web", serviceName=f"svc-{family}", taskDefinition=family,
                           desiredCount=3, launchType="FARGATE")
    ctx = make_ctx()
    check = EcsFargateGravitonCandidate()
    found = list(check.evaluate(check.collect(ctx), ctx.config.for_check(check.meta), ctx))
    assert [f.resource_name for f in found] == ["web/svc-x86"]
    # 3 tasks x 730 h x (0.5 vCPU x 0.0081 + 1 GB x 0.000885) = 2190 x 0.004935 = 10.80765
    assert found[0].estimated_monthly_savings == Decimal("10.81")
