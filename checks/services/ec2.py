"""EC2 and EBS: volumes, instances, snapshots, images, addresses, NAT gateways, RIs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items

_STOP_TIME = re.compile(r"\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)")


def tags_of(raw: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in raw.get("Tags") or [] if "Key" in t}


def utc(value: Any) -> datetime:
    """Timestamps from boto3 are datetimes; some fields arrive as ISO strings."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Volume:
    id: str
    type: str
    size_gib: int
    state: str
    create_time: datetime
    iops: int | None = None
    throughput: int | None = None
    attached_instances: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        return self.tags.get("Name")


@dataclass(frozen=True)
class Instance:
    id: str
    type: str
    state: str
    launch_time: datetime
    platform: str  # "windows" or "linux/unix" (PlatformDetails lower-cased)
    architecture: str
    lifecycle: str  # "on-demand", "spot", "scheduled", "capacity-block"
    az: str
    tenancy: str = "default"
    stopped_since: datetime | None = None
    vpc_id: str = ""
    detailed_monitoring: bool = False
    volume_ids: tuple[str, ...] = ()
    image_id: str = ""
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        return self.tags.get("Name")

    @property
    def is_windows(self) -> bool:
        return "windows" in self.platform


@dataclass(frozen=True)
class Snapshot:
    id: str
    volume_id: str
    volume_size_gib: int
    start_time: datetime
    state: str
    description: str = ""
    storage_tier: str = "standard"
    tags: dict[str, str] = field(default_factory=dict)
    full_size_bytes: int | None = None  # FullSnapshotSizeInBytes: blocks written at snapshot time


@dataclass(frozen=True)
class Image:
    id: str
    name: str
    state: str
    creation_date: datetime
    snapshot_ids: tuple[str, ...]
    snapshot_gib: int
    platform: str = "linux/unix"
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Address:
    allocation_id: str
    public_ip: str
    association_id: str | None
    instance_id: str | None
    network_interface_id: str | None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NatGateway:
    id: str
    state: str
    create_time: datetime
    vpc_id: str
    connectivity: str = "public"
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReservedInstance:
    id: str
    instance_type: str
    count: int
    state: str
    start: datetime
    end: datetime
    duration_s: int
    fixed_price: Decimal
    usage_price: Decimal
    recurring_hourly: Decimal
    product: str
    scope: str
    az: str | None
    offering_type: str

    @property
    def effective_hourly(self) -> Decimal:
        """Upfront amortized over the term plus the hourly charges: what one reserved hour
        costs."""
        hours = Decimal(self.duration_s) / Decimal(3600)
        upfront = self.fixed_price / hours if hours else Decimal(0)
        return upfront + self.usage_price + self.recurring_hourly


def _volume(raw: dict[str, Any]) -> Volume:
    return Volume(
        id=raw["VolumeId"],
        type=raw["VolumeType"],
        size_gib=int(raw["Size"]),
        state=raw["State"],
        create_time=utc(raw["CreateTime"]),
        iops=int(raw["Iops"]) if raw.get("Iops") is not None else None,
        throughput=int(raw["Throughput"]) if raw.get("Throughput") is not None else None,
        attached_instances=tuple(
            a["InstanceId"] for a in raw.get("Attachments") or [] if a.get("InstanceId")
        ),
        tags=tags_of(raw),
    )


def stopped_since(raw: dict[str, Any]) -> datetime | None:
    """When a stopped instance stopped: `StateTransitionReason` carries
    "User initiated (2024-01-02 03:04:05 GMT)" (moto writes UTC); absent for other transitions."""
    match = _STOP_TIME.search(raw.get("StateTransitionReason") or "")
    if not match:
        return None
    return datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _instance(raw: dict[str, Any]) -> Instance:
    platform = (raw.get("PlatformDetails") or raw.get("Platform") or "Linux/UNIX").lower()
    return Instance(
        id=raw["InstanceId"],
        type=raw["InstanceType"],
        state=raw["State"]["Name"],
        launch_time=utc(raw["LaunchTime"]),
        platform=platform,
        architecture=raw.get("Architecture", "x86_64"),
        lifecycle=raw.get("InstanceLifecycle") or "on-demand",
        az=raw.get("Placement", {}).get("AvailabilityZone", ""),
        tenancy=raw.get("Placement", {}).get("Tenancy", "default"),
        stopped_since=stopped_since(raw),
        vpc_id=raw.get("VpcId", ""),
        detailed_monitoring=(raw.get("Monitoring") or {}).get("State") == "enabled",
        volume_ids=tuple(
            m["Ebs"]["VolumeId"] for m in raw.get("BlockDeviceMappings") or [] if "Ebs" in m
        ),
        image_id=raw.get("ImageId", ""),
        tags=tags_of(raw),
    )


def _snapshot(raw: dict[str, Any]) -> Snapshot:
    return Snapshot(
        id=raw["SnapshotId"],
        volume_id=raw.get("VolumeId", ""),
        volume_size_gib=int(raw["VolumeSize"]),
        start_time=utc(raw["StartTime"]),
        state=raw["State"],
        description=raw.get("Description", ""),
        storage_tier=raw.get("StorageTier", "standard"),
        tags=tags_of(raw),
        full_size_bytes=(int(raw["FullSnapshotSizeInBytes"])
                         if raw.get("FullSnapshotSizeInBytes") is not None else None),
    )


def _image(raw: dict[str, Any]) -> Image:
    ebs = [m["Ebs"] for m in raw.get("BlockDeviceMappings") or [] if "Ebs" in m]
    return Image(
        id=raw["ImageId"],
        name=raw.get("Name", ""),
        state=raw["State"],
        creation_date=utc(raw["CreationDate"]),
        snapshot_ids=tuple(e["SnapshotId"] for e in ebs if e.get("SnapshotId")),
        snapshot_gib=sum(int(e.get("VolumeSize") or 0) for e in ebs),
        platform=(raw.get("PlatformDetails") or "Linux/UNIX").lower(),
        tags=tags_of(raw),
    )


def _address(raw: dict[str, Any]) -> Address:
    return Address(
        allocation_id=raw.get("AllocationId") or raw["PublicIp"],
        public_ip=raw["PublicIp"],
        association_id=raw.get("AssociationId"),
        instance_id=raw.get("InstanceId"),
        network_interface_id=raw.get("NetworkInterfaceId"),
        tags=tags_of(raw),
    )


def _nat(raw: dict[str, Any]) -> NatGateway:
    return NatGateway(
        id=raw["NatGatewayId"],
        state=raw["State"],
        create_time=utc(raw["CreateTime"]),
        vpc_id=raw.get("VpcId", ""),
        connectivity=raw.get("ConnectivityType", "public"),
        tags=tags_of(raw),
    )


def _reserved(raw: dict[str, Any]) -> ReservedInstance:
    recurring = sum(
        (Decimal(str(c.get("Amount", 0))) for c in raw.get("RecurringCharges") or []
         if c.get("Frequency") == "Hourly"),
        Decimal(0),
    )
    return ReservedInstance(
        id=raw["ReservedInstancesId"],
        instance_type=raw["InstanceType"],
        count=int(raw["InstanceCount"]),
        state=raw["State"],
        start=utc(raw["Start"]),
        end=utc(raw["End"]),
        duration_s=int(raw["Duration"]),
        fixed_price=Decimal(str(raw.get("FixedPrice", 0))),
        usage_price=Decimal(str(raw.get("UsagePrice", 0))),
        recurring_hourly=recurring,
        product=raw.get("ProductDescription", "Linux/UNIX"),
        scope=raw.get("Scope", "Region"),
        az=raw.get("AvailabilityZone"),
        offering_type=raw.get("OfferingType", ""),
    )


class EC2Service(ServiceBase):
    name = "ec2"

    @cached
    def volumes(self) -> list[Volume]:
        raw = self.paginate("DescribeVolumes", "Volumes")
        return parse_items(self, "DescribeVolumes", raw, _volume, lambda r: r["VolumeId"])

    @cached
    def instances(self) -> list[Instance]:
        reservations = self.paginate("DescribeInstances", "Reservations")
        raw = [i for r in reservations for i in r.get("Instances") or []]
        items = parse_items(self, "DescribeInstances", raw, _instance, lambda r: r["InstanceId"])
        return [i for i in items if i.state not in ("terminated", "shutting-down")]

    @cached
    def snapshots(self) -> list[Snapshot]:
        raw = self.paginate("DescribeSnapshots", "Snapshots", OwnerIds=["self"])
        # Belt and braces: only the scanned account's snapshots are ours to judge (moto, for
        # one, returns its public AMI snapshots for OwnerIds=["self"]).
        raw = [r for r in raw if r.get("OwnerId") in (None, self.ctx.account_id)]
        return parse_items(self, "DescribeSnapshots", raw, _snapshot, lambda r: r["SnapshotId"])

    @cached
    def images(self) -> list[Image]:
        raw = self.paginate("DescribeImages", "Images", Owners=["self"])
        raw = [r for r in raw if r.get("OwnerId") in (None, self.ctx.account_id)]
        return parse_items(self, "DescribeImages", raw, _image, lambda r: r["ImageId"])

    @cached
    def addresses(self) -> list[Address]:
        raw = self.call("DescribeAddresses").get("Addresses", [])
        return parse_items(self, "DescribeAddresses", raw, _address, lambda r: r["PublicIp"])

    @cached
    def nat_gateways(self) -> list[NatGateway]:
        raw = self.paginate("DescribeNatGateways", "NatGateways")
        items = parse_items(self, "DescribeNatGateways", raw, _nat, lambda r: r["NatGatewayId"])
        return [n for n in items if n.state == "available"]

    @cached
    def reserved_instances(self) -> list[ReservedInstance]:
        raw = self.call("DescribeReservedInstances").get("ReservedInstances", [])
        return parse_items(self, "DescribeReservedInstances", raw, _reserved,
                           lambda r: r["ReservedInstancesId"])
