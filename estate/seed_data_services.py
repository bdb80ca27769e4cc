"""Look-alike pairs for the data-service and leftover checks: snapshots of deregistered AMIs, old
ECR images, RDS storage types, DynamoDB billing modes, Fargate architectures, dashboards and
Aurora storage configurations. One waste and one healthy look-alike each, in each account's
first region; facts are recorded, never the name of a check."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from estate import ages
from estate.context import SeedCell, tag_list

OLD_IMAGE_DAYS = 200
RECENT_IMAGES = 10  # pushed 1-10 days ago: the newest, which no one would delete
DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json"
EXPIRE_POLICY = json.dumps({"rules": [{
    "rulePriority": 1, "description": "keep 20",
    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 20},
    "action": {"type": "expire"}}]})


def _set(obj: Any, attr: str, value: Any) -> None:
    if not hasattr(obj, attr):
        raise AttributeError(f"moto {type(obj).__name__} has no {attr!r}: moto changed?")
    setattr(obj, attr, value)


def seed_deregistered_ami_snapshots(sc: SeedCell, instance_id: str) -> None:
    """Two images of one running instance, 30 days ago; the waste one was deregistered since,
    leaving the snapshot EC2 made for it ("Created by CreateImage(i-...) for ami-...")."""
    ec2 = sc.client("ec2")
    waste, healthy = sc.split("ami_snapshot")
    for i in range(healthy + len(waste)):
        gone = i < len(waste)
        ami = ec2.create_image(InstanceId=instance_id, Name=sc.name("release", i))["ImageId"]
        snaps = [m["Ebs"]["SnapshotId"] for m in ec2.describe_images(ImageIds=[ami])[
            "Images"][0]["BlockDeviceMappings"] if "Ebs" in m]
        for snap in snaps:
            ages.snapshot(sc.account_id, sc.region, snap, ages.ago(sc.now, 30))
        if gone:
            ec2.deregister_image(ImageId=ami)
            for snap in snaps:
                sc.waste(waste[i], snap, image_id=ami, age_days=30)
        else:
            ages.image(sc.account_id, sc.region, ami, ages.ago(sc.now, 30))
    sc.manifest.add("ami_snapshot", healthy + len(waste))


def _push(sc: SeedCell, repo: str, n: int, days: float) -> str:
    """Push image n of a repository, back-dated `days`; its digest."""
    ecr = sc.client("ecr")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": DOCKER_V2, "config": {
        "mediaType": "application/vnd.docker.container.image.v1+json", "size": 1_500_000_000 + n,  # what moto serves as imageSizeInBytes
        "digest": f"sha256:{n:064x}"}, "layers": [{
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": 50_000_000 + n, "digest": f"sha256:{n + 1000:064x}"}]})
    digest = str(ecr.put_image(repositoryName=repo, imageManifest=manifest,
                               imageTag=f"build-{n}")["image"]["imageId"]["imageDigest"])
    backend = ages._backend("ecr", sc.account_id, sc.region)  # noqa: SLF001
    for image in backend.repositories[repo].images:
        if image.image_digest == digest:
            _set(image, "image_pushed_at", int(ages.ago(sc.now, days).timestamp()))
    return digest


def seed_ecr_images(sc: SeedCell) -> None:
    """Each repository: ten recent builds and one 200 days old. Waste: no lifecycle policy (the
    old build stays for ever); healthy: a policy that expires builds beyond the newest 20."""
    ecr = sc.client("ecr")
    waste, healthy = sc.split("ecr_image")
    for i in range(healthy + len(waste)):
        old = i < len(waste)
        name = f"builds/{sc.name('app' if old else 'managed', i)}"
        ecr.create_repository(repositoryName=name)
        if not old:
            ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=EXPIRE_POLICY)
        digest = _push(sc, name, 0, OLD_IMAGE_DAYS)
        for n in range(1, RECENT_IMAGES + 1):
            _push(sc, name, n, RECENT_IMAGES + 1 - n)
        if old:
            sc.waste(waste[i], f"{name}/{digest}", related=(name,), age_days=OLD_IMAGE_DAYS)
    sc.manifest.add("ecr_image", healthy + len(waste))


def _hourly(sc: SeedCell, namespace: str, metric: str, dims: dict[str, str], low: float,
            high: float, hours: int = 14 * 24) -> None:
    """Every hour of the last `hours` (the shared writer keeps one point a day): steady use."""
    cw, rng = sc.client("cloudwatch"), sc.rng(f"hourly/{metric}/{sorted(dims.items())}")
    end = sc.now.replace(minute=0, second=0, microsecond=0)
    points = [{"MetricName": metric, "Timestamp": end - timedelta(hours=h + 1), "Unit": "Count",
               "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
               "Value": round(rng.uniform(low, high), 1)} for h in range(hours)]
    for start in range(0, len(points), 1000):
        cw.put_metric_data(Namespace=namespace, MetricData=points[start:start + 1000])


def seed_on_demand_tables(sc: SeedCell) -> None:
    """Two on-demand tables, 60 days old. Waste: ~70 reads/s and ~17 writes/s every hour (steady:
    capacity costs less); healthy: one busy hour a day and quiet otherwise (on-demand fits)."""
    ddb = sc.client("dynamodb")
    waste, healthy = sc.split("on_demand_table")
    for i in range(healthy + len(waste)):
        steady = i < len(waste)
        name = sc.name("orders" if steady else "reports", i)
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ages.dynamodb_table(sc.account_id, sc.region, name, ages.ago(sc.now, 60))
        dims = {"TableName": name}
        if steady:
            _hourly(sc, "AWS/DynamoDB", "ConsumedReadCapacityUnits", dims, 2.0e5, 3.0e5)
            _hourly(sc, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", dims, 5.0e4, 7.0e4)
            sc.waste(waste[i], name, billing_mode="PAY_PER_REQUEST", reads_per_s=70)
        else:
            sc.metrics.series(sc.account_id, sc.region, "AWS/DynamoDB",
                              "ConsumedReadCapacityUnits", dims, 2e5, 6e5,
                              sc.rng(f"metrics/{name}"), "Count")
    sc.manifest.add("on_demand_table", healthy + len(waste))


def seed_fargate_services(sc: SeedCell) -> None:
    """Two Fargate services of 2 tasks (1 vCPU, 2 GB): waste runs on X86_64, the healthy
    look-alike on ARM64. moto reports no running tasks unless told: the estate says 2."""
    ecs = sc.client("ecs")
    waste, healthy = sc.split("fargate_service")
    if not waste and not healthy:
        sc.manifest.add("fargate_service", 0)
        return
    cluster = sc.name("web", 0)
    ecs.create_cluster(clusterName=cluster)
    backend = ages._backend("ecs", sc.account_id, sc.region)  # noqa: SLF001
    for i in range(healthy + len(waste)):
        x86 = i < len(waste)
        arch = "X86_64" if x86 else "ARM64"
        family = sc.name(f"api-{arch.lower()}", i)
        ecs.register_task_definition(
            family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
            cpu="1024", memory="2048",
            runtimePlatform={"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"},
            containerDefinitions=[{"name": "api", "essential": True,
                                   "image": f"{sc.account_id}.dkr.ecr.{sc.region}."
                                            f"amazonaws.com/api:1"}])
        arn = ecs.create_service(cluster=cluster, serviceName=family, taskDefinition=family,
                                 desiredCount=2, launchType="FARGATE")["service"]["serviceArn"]
        service = backend.services[f"{cluster}:{family}"]
        _set(service, "running_count", 2)
        _set(service, "pending_count", 0)
        if x86:
            sc.waste(waste[i], arn, architecture=arch, running_tasks=2)
    sc.manifest.add("fargate_service", healthy + len(waste))


def seed_dashboards(sc: SeedCell, live_instance: str) -> None:
    """Dashboards are global, made in the us-east-1 cells only, last edited 60 days ago. Waste:
    graphs of an instance terminated long ago (no datapoints); healthy: a live instance's."""
    if sc.region != "us-east-1":
        sc.manifest.add("dashboard", 0)
        return
    cw = sc.client("cloudwatch")
    waste, healthy = sc.split("dashboard")
    backend = ages._backend("cloudwatch", sc.account_id, sc.region)  # noqa: SLF001
    for i in range(healthy + len(waste)):
        gone = i < len(waste)
        instance = "i-0badc0ffee0000000" if gone else live_instance
        name = sc.name("ops-gone" if gone else "ops-live", i)
        cw.put_dashboard(DashboardName=name, DashboardBody=json.dumps({"widgets": [{
            "type": "metric", "x": 0, "y": 0, "width": 12, "height": 6, "properties": {
                "region": sc.region, "title": "CPU", "metrics": [
                    ["AWS/EC2", "CPUUtilization", "InstanceId", instance],
                    [".", "NetworkOut", ".", "."]]}}]}))
        board = backend.dashboards[name]
        _set(board, "last_modified", ages.ago(sc.now, 60).replace(tzinfo=None))
        if gone:
            sc.waste(waste[i], board.arn, dashboard_name=name, plotted_instance=instance)
    sc.manifest.add("dashboard", healthy + len(waste))


def seed_aurora_clusters(sc: SeedCell) -> None:
    """Two Aurora PostgreSQL Standard clusters of one busy db.r6g.large writer and 100 GiB, 120
    days old. Waste: ~65 million billed I/Os a day (I/O-Optimized costs less); healthy: ~1
    million a day."""
    rds = sc.client("rds")
    waste, healthy = sc.split("aurora_cluster")
    backend = ages._backend("rds", sc.account_id, sc.region)  # noqa: SLF001
    for i in range(healthy + len(waste)):
        heavy = i < len(waste)
        cid = f"aurora-{'ledger' if heavy else 'catalog'}-{i:02d}"
        arn = rds.create_db_cluster(
            DBClusterIdentifier=cid, Engine="aurora-postgresql", EngineVersion="16.4",
            MasterUsername="app", MasterUserPassword="not-a-secret-1", StorageType="aurora",
            AllocatedStorage=1,  # moto has no default size for StorageType aurora
            Tags=tag_list({"env": "prod", "team": "data"}))["DBCluster"]["DBClusterArn"]
        writer = f"{cid}-w1"
        rds.create_db_instance(DBInstanceIdentifier=writer, DBClusterIdentifier=cid,
                               DBInstanceClass="db.r6g.large", Engine="aurora-postgresql",
                               Tags=tag_list({"env": "prod", "team": "data"}))
        created = ages.ago(sc.now, 120).replace(tzinfo=None)
        _set(backend.clusters[cid], "created", created)
        _set(backend.clusters[cid], "cluster_create_time", created)
        ages.rds_instance(sc.account_id, sc.region, writer, ages.ago(sc.now, 120))
        r = sc.rng(f"metrics/{cid}")
        db = {"DBInstanceIdentifier": writer}
        sc.metrics.series(sc.account_id, sc.region, "AWS/RDS", "DatabaseConnections", db,
                          20.0, 60.0, r, "Count")
        sc.metrics.series(sc.account_id, sc.region, "AWS/RDS", "CPUUtilization", db,
                          30.0, 60.0, r, "Percent")
        vol = {"DBClusterIdentifier": cid}
        reads, writes = ((4e7, 6e7), (1e7, 2e7)) if heavy else ((5e5, 1e6), (1e5, 2e5))
        sc.metrics.series(sc.account_id, sc.region, "AWS/RDS", "VolumeReadIOPs", vol, *reads,
                          r, "Count")
        sc.metrics.series(sc.account_id, sc.region, "AWS/RDS", "VolumeWriteIOPs", vol, *writes,
                          r, "Count")
        sc.metrics.series(sc.account_id, sc.region, "AWS/RDS", "VolumeBytesUsed", vol,
                          100 * 2.0**30, 101 * 2.0**30, r, "Bytes")
        if heavy:
            sc.waste(waste[i], arn, storage_type="aurora", io_per_day=65_000_000,
                     related=(writer,))
    sc.manifest.add("aurora_cluster", healthy + len(waste))
