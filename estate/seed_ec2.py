"""EC2 compute: network, AMIs, instances (healthy, stopped, idle, previous-gen, Graviton
candidates), volumes, snapshots and Elastic IPs, with the ages waste checks look at."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from estate import ages
from estate.context import SeedCell, tag_spec
from estate.reserved import STORE, ReservedInstance

HEALTHY_TYPES = ("t4g.medium", "m7g.large", "c7g.xlarge", "r7g.large")  # current-gen Graviton
# The estate's own list prices for the RI fleet (Linux on-demand, USD/h, us-east-1, from
# ../shared/data/aws-price-watcher processed/ec2.json of 2025-06-18), kept here so its ground
# truth never runs the checks' pricing code.
LIST_HOURLY = {"t4g.medium": 0.0336, "m7g.large": 0.0816, "c7g.xlarge": 0.145, "r7g.large": 0.1071}
RI_DISCOUNT = 0.6  # one-year RIs at ~40% under list
PREVIOUS_GEN = ("m4.large", "c4.xlarge", "t2.medium", "r4.large")
GRAVITON_CANDIDATES = ("m6i.large", "c6i.xlarge", "r6i.large", "m5.xlarge")
GP3_ROOT = [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3"}}]
RUN_BATCH = 250  # instances per RunInstances call (tags are per call: batches vary them)
DEVICES = [f"/dev/sd{c}" for c in "fghijklmnop"]


@dataclass
class Compute:
    """What later seeders (load balancers, snapshots) build on."""

    vpc_id: str
    subnets: list[str]
    running: list[str] = field(default_factory=list)  # healthy running instance ids
    healthy_volumes: list[str] = field(default_factory=list)
    attached: dict[str, int] = field(default_factory=dict)  # instance -> data volumes attached


def seed_network(sc: SeedCell) -> Compute:
    ec2 = sc.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec(
        "vpc", {"Name": f"estate-{sc.region}"}))["Vpc"]["VpcId"]
    subnets = [  # /18s: room for a 100k-resource estate's instances in one cell
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i * 64}.0/18",
                          AvailabilityZone=f"{sc.region}{az}")["Subnet"]["SubnetId"]
        for i, az in enumerate("ab")
    ]
    return Compute(vpc, subnets)


def _instance(sc: SeedCell, compute: Compute, image: str, itype: str, tags: dict[str, str],
              count: int = 1, subnet: int = 0) -> list[str]:
    res = sc.client("ec2").run_instances(
        ImageId=image, MinCount=count, MaxCount=count, InstanceType=itype,
        SubnetId=compute.subnets[subnet], BlockDeviceMappings=GP3_ROOT,
        TagSpecifications=tag_spec("instance", tags),
    )
    return [i["InstanceId"] for i in res["Instances"]]


def _cpu(sc: SeedCell, instance_id: str, low: float, high: float, net: float) -> None:
    rng = sc.rng(f"metrics/{instance_id}")
    dims = {"InstanceId": instance_id}
    w = sc.metrics
    w.series(sc.account_id, sc.region, "AWS/EC2", "CPUUtilization", dims, low, high, rng,
             "Percent")
    w.series(sc.account_id, sc.region, "AWS/EC2", "NetworkIn", dims, net * 0.5, net, rng, "Bytes")
    w.series(sc.account_id, sc.region, "AWS/EC2", "NetworkOut", dims, net * 0.5, net, rng,
             "Bytes")


def seed_amis(sc: SeedCell, compute: Compute) -> list[str]:
    """Healthy AMIs are recent and in use; old ones (400+ days) are used by nothing."""
    ec2 = sc.client("ec2")
    rng = sc.rng("ami")
    waste, healthy = sc.split("ami")
    images = []
    for i in range(healthy + len(waste)):
        name = sc.name("ami", i)
        ami = ec2.register_image(Name=name, Description=f"golden image {name}",
                                 RootDeviceName="/dev/xvda", Architecture="arm64")["ImageId"]
        ec2.create_tags(Resources=[ami], Tags=[{"Key": k, "Value": v}
                                               for k, v in sc.tags(rng, name).items()])
        if i < len(waste):
            days = rng.randint(400, 700)
            ages.image(sc.account_id, sc.region, ami, ages.ago(sc.now, days))
            sc.waste("old_ami", ami, age_days=days)
        else:
            ages.image(sc.account_id, sc.region, ami, ages.ago(sc.now, rng.randint(3, 40)))
            images.append(ami)
    sc.manifest.add("ami", healthy + len(waste))
    return images


def seed_instances(sc: SeedCell, compute: Compute, images: list[str]) -> None:
    rng = sc.rng("ec2_instance")
    waste, healthy = sc.split("ec2_instance")
    ec2 = sc.client("ec2")
    # healthy: batches of Graviton instances, busy enough not to be idle
    per_type = [healthy // len(HEALTHY_TYPES)] * len(HEALTHY_TYPES)
    per_type[0] += healthy - sum(per_type)
    for itype, n in zip(HEALTHY_TYPES, per_type, strict=True):
        for start in range(0, n, RUN_BATCH):
            ids = _instance(sc, compute, images[0], itype, sc.tags(rng),
                            min(RUN_BATCH, n - start))
            for iid in ids:
                ages.instance_launch(sc.account_id, sc.region, iid,
                                     ages.ago(sc.now, rng.randint(20, 300)))
                _cpu(sc, iid, 35, 75, 5e8)
            compute.running.extend(ids)
    for i, flavour in enumerate(waste):
        name = sc.name(flavour, i)
        if flavour == "stopped_instance":
            iid = _instance(sc, compute, images[0], "m7g.large", sc.tags(rng, name))[0]
            ages.instance_launch(sc.account_id, sc.region, iid, ages.ago(sc.now, 150))
            vol = ec2.create_volume(Size=100, VolumeType="gp3",
                                    AvailabilityZone=f"{sc.region}a")["VolumeId"]
            ec2.attach_volume(VolumeId=vol, InstanceId=iid, Device="/dev/sdf")
            eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
            ec2.associate_address(AllocationId=eip, InstanceId=iid)
            ec2.stop_instances(InstanceIds=[iid])
            days = rng.randint(60, 90)
            ages.instance_stopped(sc.account_id, sc.region, iid, ages.ago(sc.now, days))
            root = _root_volume(sc, iid)
            sc.waste(flavour, iid, related=(root, vol, eip), stopped_days=days)
        elif flavour == "idle_instance":
            iid = _instance(sc, compute, images[0], "m7g.xlarge", sc.tags(rng, name))[0]
            ages.instance_launch(sc.account_id, sc.region, iid, ages.ago(sc.now, 120))
            _cpu(sc, iid, 0.2, 1.5, 2e4)
            sc.waste(flavour, iid, max_cpu_percent=1.5)
        elif flavour == "previous_generation_instance":
            itype = PREVIOUS_GEN[i % len(PREVIOUS_GEN)]
            iid = _instance(sc, compute, images[0], itype, sc.tags(rng, name))[0]
            _cpu(sc, iid, 40, 70, 5e8)
            sc.waste(flavour, iid, instance_type=itype)
        else:  # graviton_candidate_instance
            itype = GRAVITON_CANDIDATES[i % len(GRAVITON_CANDIDATES)]
            iid = _instance(sc, compute, images[0], itype, sc.tags(rng, name))[0]
            _cpu(sc, iid, 40, 70, 5e8)
            sc.waste(flavour, iid, instance_type=itype)
    sc.manifest.add("ec2_instance", healthy + len(waste))


def _root_volume(sc: SeedCell, instance_id: str) -> str:
    res = sc.client("ec2").describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]},
                 {"Name": "attachment.device", "Values": ["/dev/xvda"]}])
    return str(res["Volumes"][0]["VolumeId"])


def seed_volumes(sc: SeedCell, compute: Compute) -> None:
    """Healthy volumes are gp3 and attached to running instances; waste ones are gp2/io1,
    unattached, created weeks ago."""
    ec2 = sc.client("ec2")
    rng = sc.rng("ebs_volume")
    waste, healthy = sc.split("ebs_volume")
    for i in range(healthy):
        target = compute.running[i % len(compute.running)]
        slot = compute.attached.get(target, 0)
        if slot >= len(DEVICES):
            break
        vol = ec2.create_volume(Size=rng.choice([20, 50, 100, 200]), VolumeType="gp3",
                                AvailabilityZone=f"{sc.region}a",
                                TagSpecifications=tag_spec("volume", sc.tags(rng)))["VolumeId"]
        ec2.attach_volume(VolumeId=vol, InstanceId=target, Device=DEVICES[slot])
        compute.attached[target] = slot + 1
        ages.volume(sc.account_id, sc.region, vol, ages.ago(sc.now, rng.randint(10, 300)))
        compute.healthy_volumes.append(vol)
        dims = {"VolumeId": vol}
        r = sc.rng(f"metrics/{vol}")
        for metric in ("VolumeReadOps", "VolumeWriteOps"):
            sc.metrics.series(sc.account_id, sc.region, "AWS/EBS", metric, dims, 1e4, 1e5, r,
                              "Count")
    for i, flavour in enumerate(waste):
        vtype = "gp2" if i % 2 == 0 else "io1"
        extra = {"Iops": 3000} if vtype == "io1" else {}
        days = rng.randint(21, 56)
        size = rng.choice([50, 100, 250, 500])
        vol = ec2.create_volume(Size=size, VolumeType=vtype, AvailabilityZone=f"{sc.region}a",
                                TagSpecifications=tag_spec("volume", sc.tags(rng)),
                                **extra)["VolumeId"]
        ages.volume(sc.account_id, sc.region, vol, ages.ago(sc.now, days))
        sc.waste(flavour, vol, volume_type=vtype, size_gb=size, age_days=days)
    sc.manifest.add("ebs_volume", len(compute.healthy_volumes) + len(waste))


def seed_snapshots(sc: SeedCell, compute: Compute) -> None:
    """Old snapshots (200 days); the orphaned ones' source volumes are deleted afterwards."""
    ec2 = sc.client("ec2")
    rng = sc.rng("ebs_snapshot")
    waste, healthy = sc.split("ebs_snapshot")
    sources = compute.healthy_volumes or [_root_volume(sc, compute.running[0])]
    for i in range(healthy):
        snap = ec2.create_snapshot(VolumeId=sources[i % len(sources)], Description="daily",
                                   TagSpecifications=tag_spec("snapshot", sc.tags(rng))
                                   )["SnapshotId"]
        ages.snapshot(sc.account_id, sc.region, snap, ages.ago(sc.now, rng.randint(1, 25)))
    for i, flavour in enumerate(waste):
        days = rng.randint(200, 260)
        if flavour == "orphaned_snapshot":
            vol = ec2.create_volume(Size=50, VolumeType="gp3",
                                    AvailabilityZone=f"{sc.region}a")["VolumeId"]
            snap = ec2.create_snapshot(VolumeId=vol, Description="pre-migration")["SnapshotId"]
            ec2.delete_volume(VolumeId=vol)
        else:
            vol = sources[i % len(sources)]
            snap = ec2.create_snapshot(VolumeId=vol, Description="manual backup")["SnapshotId"]
        ec2.create_tags(Resources=[snap], Tags=[{"Key": k, "Value": v}
                                                for k, v in sc.tags(rng).items()])
        ages.snapshot(sc.account_id, sc.region, snap, ages.ago(sc.now, days))
        sc.waste(flavour, snap, age_days=days, source_volume=vol)
    sc.manifest.add("ebs_snapshot", healthy + len(waste))


def seed_eips(sc: SeedCell, compute: Compute) -> None:
    ec2 = sc.client("ec2")
    rng = sc.rng("elastic_ip")
    waste, healthy = sc.split("elastic_ip")
    for i in range(healthy):
        alloc = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec(
            "elastic-ip", sc.tags(rng)))["AllocationId"]
        ec2.associate_address(AllocationId=alloc,
                              InstanceId=compute.running[i % len(compute.running)])
    for flavour in waste:
        alloc = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec(
            "elastic-ip", sc.tags(rng)))["AllocationId"]
        sc.waste(flavour, alloc)
    sc.manifest.add("elastic_ip", healthy + len(waste))


def seed_nat_gateways(sc: SeedCell, compute: Compute) -> None:
    ec2 = sc.client("ec2")
    rng = sc.rng("nat_gateway")
    waste, healthy = sc.split("nat_gateway")
    for i in range(healthy + len(waste)):
        alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=compute.subnets[i % 2], AllocationId=alloc,
                                     TagSpecifications=tag_spec("natgateway", sc.tags(rng))
                                     )["NatGateway"]["NatGatewayId"]
        ages.nat_gateway(sc.account_id, sc.region, nat, ages.ago(sc.now, rng.randint(60, 400)))
        idle = i < len(waste)
        r = sc.rng(f"metrics/{nat}")
        high = 0.0 if idle else 5e9
        for metric in ("BytesOutToDestination", "BytesInFromSource"):
            sc.metrics.series(sc.account_id, sc.region, "AWS/NATGateway", metric,
                              {"NatGatewayId": nat}, high / 2, high, r, "Bytes")
        if idle:
            sc.waste(waste[i], nat, related=(alloc,), bytes_out=0)
    sc.manifest.add("nat_gateway", healthy + len(waste))


def seed_reserved_instances(sc: SeedCell) -> None:
    """One-year RIs for the Graviton fleet, ~40% under list price; the expiring ones end within
    three weeks."""
    rng = sc.rng("reserved_instance")
    waste, healthy = sc.split("reserved_instance")
    for i in range(healthy + len(waste)):
        expiring = i < len(waste)
        left = rng.randint(5, 21) if expiring else rng.randint(90, 330)
        end = ages.ago(sc.now, -left).replace(microsecond=0)
        itype = HEALTHY_TYPES[i % len(HEALTHY_TYPES)]
        hourly = LIST_HOURLY[itype] * RI_DISCOUNT
        ri = ReservedInstance(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), instance_type=itype,
            count=rng.randint(1, 8), start=end - timedelta(days=365), end=end,
            hourly=round(hourly, 6))
        STORE.add(sc.account_id, sc.region, ri)
        if expiring:
            sc.waste(waste[i], ri.id, days_left=left, instance_type=ri.instance_type)
    sc.manifest.add("reserved_instance", healthy + len(waste))
