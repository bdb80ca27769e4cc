"""Compute and storage that run but are tuned wrong: detailed monitoring nobody reads, attached
volumes nobody uses, gp3 performance far above the peak, x86 Lambda functions on interpreted
runtimes, Lambda timeouts far above any duration. One waste resource and one healthy look-alike
per kind."""

from __future__ import annotations

from moto.backends import get_backend

from estate import ages
from estate.context import SeedCell, tag_spec
from estate.seed_ec2 import DEVICES, GP3_ROOT, Compute
from estate.seed_storage import _code, lambda_role

MIB = 1024 * 1024
PERIOD = 300  # CloudWatch reports EBS ops and bytes per 5-minute sum


def seed_monitored_instances(sc: SeedCell, compute: Compute, image: str) -> None:
    """Waste: a busy instance with detailed monitoring on; healthy: the same without."""
    ec2 = sc.client("ec2")
    waste, healthy = sc.split("monitored_instance")
    for i in range(healthy + len(waste)):
        on = i < len(waste)
        name = sc.name("monitored" if on else "basic", i)
        iid = ec2.run_instances(
            ImageId=image, MinCount=1, MaxCount=1, InstanceType="m7g.large",
            SubnetId=compute.subnets[0], BlockDeviceMappings=GP3_ROOT,
            Monitoring={"Enabled": on},
            TagSpecifications=tag_spec("instance", sc.tags(sc.rng(name), name)),
        )["Instances"][0]["InstanceId"]
        ages.instance_launch(sc.account_id, sc.region, iid, ages.ago(sc.now, 100))
        dims = {"InstanceId": iid}
        r = sc.rng(f"metrics/{iid}")
        sc.metrics.series(sc.account_id, sc.region, "AWS/EC2", "CPUUtilization", dims, 35, 75, r,
                          "Percent")
        for metric in ("NetworkIn", "NetworkOut"):
            sc.metrics.series(sc.account_id, sc.region, "AWS/EC2", metric, dims, 2.5e8, 5e8, r,
                              "Bytes")
        if on:
            sc.waste(waste[i], iid, monitoring="enabled")
    sc.manifest.add("monitored_instance", healthy + len(waste))


def _attached_gp3(sc: SeedCell, compute: Compute, slot_owner: str, size: int,
                  **perf: int) -> str | None:
    ec2 = sc.client("ec2")
    slot = compute.attached.get(slot_owner, 0)
    if slot >= len(DEVICES):
        return None
    vol = ec2.create_volume(Size=size, VolumeType="gp3", AvailabilityZone=f"{sc.region}a",
                            TagSpecifications=tag_spec("volume", sc.tags(sc.rng(slot_owner))),
                            **perf)["VolumeId"]
    ec2.attach_volume(VolumeId=vol, InstanceId=slot_owner, Device=DEVICES[slot])
    compute.attached[slot_owner] = slot + 1
    ages.volume(sc.account_id, sc.region, vol, ages.ago(sc.now, 60))
    return str(vol)


def _ebs(sc: SeedCell, vol: str, ops: float, bytes_: float) -> None:
    """Daily points of 5-minute read and write sums (each half of the total)."""
    r = sc.rng(f"metrics/{vol}")
    dims = {"VolumeId": vol}
    for metric, value in (("VolumeReadOps", ops), ("VolumeWriteOps", ops),
                          ("VolumeReadBytes", bytes_), ("VolumeWriteBytes", bytes_)):
        sc.metrics.series(sc.account_id, sc.region, "AWS/EBS", metric, dims, value / 2,
                          value / 2, r, "Count" if metric.endswith("Ops") else "Bytes")


def seed_tuned_volumes(sc: SeedCell, compute: Compute) -> None:
    """low_use_volume: attached gp3 with ~2 ops a day vs a busy one; overprovisioned_gp3:
    8,000 IOPS / 500 MiB/s provisioned, peaks of 100 IOPS / 1 MiB/s, vs one that peaks near
    what it has."""
    for kind in ("low_use_volume", "overprovisioned_gp3"):
        waste, healthy = sc.split(kind)
        made = 0
        for i in range(healthy + len(waste)):
            is_waste = i < len(waste)
            owner = compute.running[(i + made) % len(compute.running)]
            perf = {"Iops": 8000, "Throughput": 500} if kind == "overprovisioned_gp3" else {}
            vol = _attached_gp3(sc, compute, owner, 100, **perf)
            if vol is None:
                continue
            made += 1
            if kind == "low_use_volume":
                _ebs(sc, vol, 2.0 if is_waste else 5e4, 1e4 if is_waste else 1e9)
            else:  # peak IOPS = ops / 300 s; peak MiB/s = bytes / 300 s / MiB
                _ebs(sc, vol, 100 * PERIOD if is_waste else 7500 * PERIOD,
                     1 * MIB * PERIOD if is_waste else 450 * MIB * PERIOD)
            if is_waste:
                sc.waste(waste[i], vol, attached_to=owner, provisioned=perf)
        sc.manifest.add(kind, made)


def seed_tuned_lambdas(sc: SeedCell) -> None:
    """x86_lambda: a Python function on x86_64 (healthy twin on arm64); long_timeout_lambda:
    a 900 s timeout for ~40 ms runs (healthy twin: 30 s)."""
    fn = sc.client("lambda")
    role, code = lambda_role(sc), _code()
    for kind in ("x86_lambda", "long_timeout_lambda"):
        waste, healthy = sc.split(kind)
        for i in range(healthy + len(waste)):
            is_waste = i < len(waste)
            name = sc.name(kind.replace("_lambda", "-fn"), i)
            arch = "x86_64" if kind == "x86_lambda" and is_waste else "arm64"
            timeout = 900 if kind == "long_timeout_lambda" and is_waste else 30
            fn.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                               Handler="handler.handler", Code={"ZipFile": code},
                               MemorySize=128, Timeout=timeout, Architectures=[arch],
                               Tags=sc.tags(sc.rng(name)))
            r = sc.rng(f"metrics/{name}")
            dims = {"FunctionName": name}
            sc.metrics.series(sc.account_id, sc.region, "AWS/Lambda", "Duration", dims, 20.0,
                              60.0, r, "Milliseconds")
            sc.metrics.series(sc.account_id, sc.region, "AWS/Lambda", "Invocations", dims,
                              1000.0, 5000.0, r, "Count")
            if is_waste:
                sc.waste(waste[i], name, architecture=arch, timeout_s=timeout)
        sc.manifest.add(kind, healthy + len(waste))


def seed_file_systems(sc: SeedCell) -> None:
    """Waste: an EFS file system with 50-500 GiB in Standard and no lifecycle policy; healthy:
    the same with TransitionToIA after 30 days."""
    efs = sc.client("efs")
    backend = get_backend("efs")[sc.account_id][sc.region]
    rng = sc.rng("efs_file_system")
    waste, healthy = sc.split("efs_file_system")
    for i in range(healthy + len(waste)):
        bare = i < len(waste)
        name = sc.name("efs", i)
        fs_id = efs.create_file_system(CreationToken=name, Tags=[{"Key": "Name", "Value": name}]
                                       )["FileSystemId"]
        if not bare:
            efs.put_lifecycle_configuration(FileSystemId=fs_id, LifecyclePolicies=[
                {"TransitionToIA": "AFTER_30_DAYS"}])
        size = rng.randint(50, 500) * 2**30
        backend.file_systems_by_id[fs_id]._size_value = size  # moto meters nothing
        ages.efs_file_system(sc.account_id, sc.region, fs_id, ages.ago(sc.now, 120))
        if bare:
            sc.waste(waste[i], fs_id, standard_bytes=size)
    sc.manifest.add("efs_file_system", healthy + len(waste))
