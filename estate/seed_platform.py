"""Platform services that bill by the hour while nothing uses them: EKS control planes without
nodes, interface endpoints and Transit Gateway attachments without bytes, SageMaker endpoints
without invocations and notebooks left running, OpenSearch domains nobody searches, FSx file
systems nobody reads. One waste resource and one healthy look-alike of each, in each account's
first region; the ground truth is what was created, never what a check computes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.backends import get_backend

from estate import ages, fidelity_platform
from estate.context import SeedCell
from estate.seed_ec2 import Compute

ROLE = "arn:aws:iam::{account}:role/estate-{what}"


def _backend(service: str, sc: SeedCell) -> Any:
    return get_backend(service)[sc.account_id][sc.region]  # type: ignore[call-overload,index]


def _naive(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(tzinfo=None)  # moto keeps naive UTC


def _backdate(obj: Any, attr: str, value: Any) -> None:
    if not hasattr(obj, attr):
        raise AttributeError(f"moto {type(obj).__name__} has no {attr!r}: moto changed?")
    setattr(obj, attr, value)


def _count(sc: SeedCell, kind: str) -> tuple[list[str], int]:
    waste, healthy = sc.split(kind)
    sc.manifest.add(kind, healthy + len(waste))
    return waste, healthy


def seed_eks_clusters(sc: SeedCell, compute: Compute) -> None:
    """Waste: a cluster whose only node group is scaled to 0; healthy: one with 2 nodes."""
    waste, healthy = _count(sc, "eks_cluster")
    eks = sc.client("eks")
    for i in range(healthy + len(waste)):
        idle = i < len(waste)
        name = f"{'sandbox' if idle else 'apps'}-{i:02d}"
        eks.create_cluster(name=name, roleArn=ROLE.format(account=sc.account_id, what="eks"),
                           resourcesVpcConfig={"subnetIds": compute.subnets})
        eks.create_nodegroup(clusterName=name, nodegroupName="default", subnets=compute.subnets,
                             nodeRole=ROLE.format(account=sc.account_id, what="node"),
                             scalingConfig={"minSize": 0, "maxSize": 4,
                                            "desiredSize": 0 if idle else 2})
        _backdate(_backend("eks", sc).clusters[name], "created_at",
                  _naive(ages.ago(sc.now, 60)))
        if idle:
            sc.waste(waste[i], name, desired_nodes=0, fargate_profiles=0)


def seed_vpc_endpoints(sc: SeedCell, compute: Compute) -> None:
    """Interface endpoints in both subnets; the healthy one moved bytes every day."""
    waste, healthy = _count(sc, "vpc_endpoint")
    ec2 = sc.client("ec2")
    services = ("ssm", "ecr.api", "sts", "logs")
    for i in range(healthy + len(waste)):
        idle = i < len(waste)
        service = f"com.amazonaws.{sc.region}.{services[i % len(services)]}"
        vpce = ec2.create_vpc_endpoint(VpcId=compute.vpc_id, ServiceName=service,
                                       VpcEndpointType="Interface",
                                       SubnetIds=compute.subnets)["VpcEndpoint"]["VpcEndpointId"]
        _backdate(_backend("ec2", sc).vpc_end_points[vpce], "creation_timestamp",
                  _naive(ages.ago(sc.now, 60)))
        if idle:
            sc.waste(waste[i], vpce, service_name=service, azs=len(compute.subnets))
            continue  # PrivateLink publishes nothing without traffic
        sc.metrics.series(sc.account_id, sc.region, "AWS/PrivateLinkEndpoints", "BytesProcessed",
                          {"Endpoint Type": "Interface", "Service Name": service,
                           "VPC Endpoint Id": vpce, "VPC Id": compute.vpc_id},
                          1e5, 1e7, sc.rng(f"metrics/{vpce}"), "Bytes")


def seed_tgw_attachments(sc: SeedCell) -> None:
    """One gateway, one VPC attachment per spoke VPC; the healthy spokes carry traffic."""
    waste, healthy = _count(sc, "tgw_attachment")
    if not healthy + len(waste):
        return
    ec2 = sc.client("ec2")
    tgw = ec2.create_transit_gateway(Description="estate hub")["TransitGateway"][
        "TransitGatewayId"]
    for i in range(healthy + len(waste)):
        idle = i < len(waste)
        vpc = ec2.create_vpc(CidrBlock=f"10.{100 + i}.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{100 + i}.0.0/24",
                                   AvailabilityZone=f"{sc.region}a")["Subnet"]["SubnetId"]
        att = ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])["TransitGatewayVpcAttachment"][
            "TransitGatewayAttachmentId"]
        _backdate(_backend("ec2", sc).transit_gateway_attachments[att], "_created_at",
                  _naive(ages.ago(sc.now, 90)))
        if idle:
            sc.waste(waste[i], att, transit_gateway_id=tgw, vpc_id=vpc)
            continue
        dims = {"TransitGateway": tgw, "TransitGatewayAttachment": att}
        rng = sc.rng(f"metrics/{att}")
        for metric in ("BytesIn", "BytesOut"):
            sc.metrics.series(sc.account_id, sc.region, "AWS/TransitGateway", metric, dims,
                              1e6, 1e8, rng, "Bytes")


def seed_sagemaker_endpoints(sc: SeedCell) -> None:
    waste, healthy = _count(sc, "sagemaker_endpoint")
    sm = sc.client("sagemaker")
    image = f"{sc.account_id}.dkr.ecr.{sc.region}.amazonaws.com/estate-model:1"
    for i in range(healthy + len(waste)):
        idle = i < len(waste)
        name = f"{'forecast-old' if idle else 'ranker'}-{i:02d}"
        sm.create_model(ModelName=name, PrimaryContainer={"Image": image},
                        ExecutionRoleArn=ROLE.format(account=sc.account_id, what="sagemaker"))
        sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{
            "VariantName": "primary", "ModelName": name, "InitialInstanceCount": 1,
            "InstanceType": "ml.m5.large"}])
        sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
        ep = _backend("sagemaker", sc).endpoints[name]
        _backdate(ep, "creation_time", _naive(ages.ago(sc.now, 45)))
        if idle:
            sc.waste(waste[i], name, instance_type="ml.m5.large", instances=1)
            continue  # Invocations is published only for requests
        sc.metrics.series(sc.account_id, sc.region, "AWS/SageMaker", "Invocations",
                          {"EndpointName": name, "VariantName": "primary"}, 50, 5000,
                          sc.rng(f"metrics/{name}"), "Count")


def seed_notebook_instances(sc: SeedCell) -> None:
    """Both made 90 days ago; the waste one was last started 30 days ago, the healthy one
    this morning."""
    waste, healthy = _count(sc, "notebook_instance")
    sm = sc.client("sagemaker")
    for i in range(healthy + len(waste)):
        idle = i < len(waste)
        name = f"{'analysis-old' if idle else 'analysis'}-{i:02d}"
        sm.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium",
                                    RoleArn=ROLE.format(account=sc.account_id, what="sagemaker"))
        nb = _backend("sagemaker", sc).notebook_instances[name]
        _backdate(nb, "creation_time", _naive(ages.ago(sc.now, 90)))
        started = 30 if idle else 0.25
        _backdate(nb, "last_modified_time", _naive(ages.ago(sc.now, started)))
        if idle:
            sc.waste(waste[i], name, instance_type="ml.t3.medium", running_days=started)


def seed_opensearch_domains(sc: SeedCell) -> None:
    waste, healthy = _count(sc, "opensearch_domain")
    client = sc.client("opensearch")
    for i in range(healthy + len(waste)):
        idle = i < len(waste)
        name = f"{'logs-old' if idle else 'search'}-{i:02d}"
        client.create_domain(DomainName=name,
                             ClusterConfig={"InstanceType": "m5.large.search", "InstanceCount": 2},
                             EBSOptions={"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 100})
        domain = _backend("opensearch", sc).domains[name]
        _backdate(domain.engine_version, "create_time", ages.ago(sc.now, 120).timestamp())
        dims = {"ClientId": sc.account_id, "DomainName": name}
        rng = sc.rng(f"metrics/{name}")
        searches = (0.0, 0.0) if idle else (1.0, 40.0)
        for metric in ("SearchRate", "IndexingRate"):  # published every minute, busy or not
            sc.metrics.series(sc.account_id, sc.region, "AWS/ES", metric, dims, *searches, rng,
                              "Count")
        if idle:
            sc.waste(waste[i], name, instance_type="m5.large.search", instances=2)


def seed_fsx_file_systems(sc: SeedCell, compute: Compute) -> None:
    waste, healthy = _count(sc, "fsx_file_system")
    fsx = sc.client("fsx")
    for i in range(healthy + len(waste)):
        idle = i < len(waste)
        fs_id = fsx.create_file_system(
            FileSystemType="WINDOWS", StorageCapacity=1024, StorageType="SSD",
            SubnetIds=compute.subnets[:1],
            WindowsConfiguration={"DeploymentType": "SINGLE_AZ_2", "ThroughputCapacity": 32},
        )["FileSystem"]["FileSystemId"]
        fidelity_platform.fsx_created(_backend("fsx", sc).file_systems[fs_id],
                                      ages.ago(sc.now, 75))
        rng = sc.rng(f"metrics/{fs_id}")
        traffic = (0.0, 0.0) if idle else (1e6, 1e9)
        for metric in ("DataReadBytes", "DataWriteBytes"):  # published continuously
            sc.metrics.series(sc.account_id, sc.region, "AWS/FSx", metric,
                              {"FileSystemId": fs_id}, *traffic, rng, "Bytes")
        if idle:
            sc.waste(waste[i], fs_id, storage_gib=1024, file_system_type="WINDOWS")
