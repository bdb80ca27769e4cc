"""What the estate runs, as AWS would meter it: one `Meter` per billed (resource, usage type).

Read back from the estate through boto3 (the same APIs the scanner reads), so the generated bill
follows what the estate really serves, including what `finops estate remediate` changed: a
deleted resource is no longer listed (what a fix shrinks is applied by `ledger`). Usage types,
operations and units are CUR's (`BoxUsage:m7g.large` + `RunInstances` in Hrs, `EBS:VolumeUsage.gp2`
in GB-Mo, ...); prices come from the estate's own table (`bill_prices`). Resources the table
cannot price (a region without a table) are left out, never priced at 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from estate import bill_prices
from estate.clients import ClientFactory

HOURLY, MONTHLY = "hour", "month"  # quantity per hour, or per month prorated by the hour
GIB = 1024 ** 3
# CUR usage-type prefixes (none in us-east-1), as AWS writes them
PREFIX = {"us-east-1": "", "us-east-2": "USE2-", "us-west-1": "USW1-", "us-west-2": "USW2-",
          "eu-west-1": "EU-", "eu-west-2": "EUW2-", "eu-central-1": "EUC1-",
          "ap-south-1": "APS3-", "ca-central-1": "CAN1-"}


@dataclass(frozen=True)
class Meter:
    """One billed usage of one resource. `quantity` is per hour (`period` hour) or per month
    (`period` month, prorated over the month's hours as AWS prorates GB-Mo); `rate` is the
    list price per unit and `price_key` names it in `bill_prices`."""

    account_id: str
    region: str
    product_code: str
    resource_id: str  # as CUR writes it: bare i-/vol- ids for EC2, ARNs elsewhere
    usage_type: str
    operation: str
    unit: str
    quantity: float
    period: str
    rate: str
    price_key: str
    since: str  # ISO time the resource started billing
    kind: str  # what it is (instance, volume, ...), for people reading the bill

    @property
    def key(self) -> str:
        return f"{self.account_id}|{self.region}|{self.resource_id}|{self.usage_type}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _iso(ts: Any) -> str:
    if isinstance(ts, (int, float)):
        ts = datetime.fromtimestamp(ts / 1000, UTC)
    if not isinstance(ts, datetime):
        return "1970-01-01T00:00:00+00:00"
    return ts.astimezone(UTC).isoformat()


class _Cell:
    """Builds meters for one (account, region)."""

    def __init__(self, clients: ClientFactory, account: str, region: str) -> None:
        self.clients, self.account, self.region = clients, account, region
        self.out: list[Meter] = []

    def client(self, service: str) -> Any:
        return self.clients.get(service, self.region, self.account)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def add(self, kind: str, product: str, rid: str, usage: str, operation: str, unit: str,
            quantity: float, key: str, since: Any, period: str = HOURLY) -> None:
        rate = bill_prices.price(self.region, key)
        if rate is None or quantity <= 0:
            return
        prefix = PREFIX.get(self.region, self.region.upper() + "-")
        m = Meter(self.account, self.region, product, rid, prefix + usage, operation, unit,
                  float(quantity), period, str(rate), key, _iso(since), kind)
        same = next((i for i, o in enumerate(self.out) if o.key == m.key), None)
        if same is None:
            self.out.append(m)
        else:  # e.g. an EMR cluster's master and core groups of one instance type
            self.out[same] = replace(m, quantity=self.out[same].quantity + m.quantity)


def _pages(client: Any, op: str, key: str, **kw: Any) -> Iterator[Any]:
    for page in client.get_paginator(op).paginate(**kw):
        yield from page.get(key, [])


def _ec2(c: _Cell) -> None:
    ec2 = c.client("ec2")
    for res in _pages(ec2, "describe_instances", "Reservations"):
        for i in res["Instances"]:
            if i["State"]["Name"] != "running":
                continue  # a stopped instance bills its volumes and address only
            itype = i["InstanceType"]
            c.add("instance", "AmazonEC2", i["InstanceId"], f"BoxUsage:{itype}", "RunInstances",
                  "Hrs", 1, f"ec2:{itype}:linux:hour", i["LaunchTime"])
            if i.get("Monitoring", {}).get("State") == "enabled":  # 7 metrics an instance
                c.add("detailed monitoring", "AmazonCloudWatch",
                      c.arn("ec2", f"instance/{i['InstanceId']}"), "CW:MetricMonitorUsage",
                      "MetricStorage:AWS/EC2", "Metrics", 7, "cloudwatch:metric:month",
                      i["LaunchTime"], MONTHLY)
    for v in _pages(ec2, "describe_volumes", "Volumes"):
        vtype, size, vid = v["VolumeType"], v["Size"], v["VolumeId"]
        usage = {"io1": "piops", "io2": "io2"}.get(vtype, vtype)
        c.add("volume", "AmazonEC2", vid, f"EBS:VolumeUsage.{usage}", f"CreateVolume-{vtype}",
              "GB-Mo", size, f"ebs:{vtype}:gb-month", v["CreateTime"], MONTHLY)
        if vtype in ("io1", "io2"):
            c.add("volume", "AmazonEC2", vid, f"EBS:VolumeP-IOPS.{usage}", f"CreateVolume-{vtype}",
                  "IOPS-Mo", v.get("Iops", 0), f"ebs:{vtype}:iops-month", v["CreateTime"], MONTHLY)
        if vtype == "gp3":  # above the 3,000 IOPS / 125 MiB/s included
            c.add("volume", "AmazonEC2", vid, "EBS:VolumeP-IOPS.gp3", "CreateVolume-gp3",
                  "IOPS-Mo", v.get("Iops", 3000) - 3000, "ebs:gp3:iops-month", v["CreateTime"],
                  MONTHLY)
            c.add("volume", "AmazonEC2", vid, "EBS:VolumeP-Throughput.gp3", "CreateVolume-gp3",
                  "MiBps-Mo", v.get("Throughput", 125) - 125, "ebs:gp3:mibps-month",
                  v["CreateTime"], MONTHLY)
    for s in _pages(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"]):
        if s.get("OwnerId", c.account) != c.account:
            continue  # moto also lists its public AMI catalog's snapshots
        c.add("snapshot", "AmazonEC2", c.arn("ec2", f"snapshot/{s['SnapshotId']}"),
              "EBS:SnapshotUsage", "CreateSnapshot", "GB-Mo", s.get("VolumeSize", 0),
              "ebs:snapshot:gb-month", s["StartTime"], MONTHLY)
    for a in ec2.describe_addresses().get("Addresses", []):
        state = "InUseAddress" if a.get("AssociationId") else "IdleAddress"
        c.add("public IPv4 address", "AmazonVPC", a["AllocationId"], f"PublicIPv4:{state}",
              "AllocateAddressVPC", "Hrs", 1, "ec2:public-ipv4:hour", None)
    for n in _pages(ec2, "describe_nat_gateways", "NatGateways"):
        if n["State"] in ("available", "pending"):
            c.add("NAT gateway", "AmazonEC2", c.arn("ec2", f"natgateway/{n['NatGatewayId']}"),
                  "NatGateway-Hours", "NatGateway", "Hrs", 1, "vpc:nat-gateway:hour",
                  n.get("CreateTime"))


def _elb(c: _Cell) -> None:
    for lb in _pages(c.client("elbv2"), "describe_load_balancers", "LoadBalancers"):
        kind = lb.get("Type", "application")
        op = {"application": "LoadBalancing:Application", "network": "LoadBalancing:Network"}
        c.add("load balancer", "AWSELB", lb["LoadBalancerArn"], "LoadBalancerUsage",
              op.get(kind, "LoadBalancing"), "Hrs", 1, f"elb:{kind}:hour", lb.get("CreatedTime"))
    for lb in _pages(c.client("elb"), "describe_load_balancers", "LoadBalancerDescriptions"):
        name = lb["LoadBalancerName"]
        c.add("load balancer", "AWSELB", c.arn("elasticloadbalancing", f"loadbalancer/{name}"),
              "LoadBalancerUsage", "LoadBalancing", "Hrs", 1, "elb:classic:hour",
              lb.get("CreatedTime"))


def _rds(c: _Cell) -> None:
    rds = c.client("rds")
    for db in _pages(rds, "describe_db_instances", "DBInstances"):
        if db.get("DBInstanceStatus") in ("deleting", "stopped"):
            continue
        cls, multi, since = db["DBInstanceClass"], bool(db.get("MultiAZ")), db.get(
            "InstanceCreateTime")
        usage = "Multi-AZUsage" if multi else "InstanceUsage"
        key = f"rds:{cls}:postgresql{':multi-az' if multi else ''}:hour"
        arn = db.get("DBInstanceArn") or c.arn("rds", f"db:{db['DBInstanceIdentifier']}")
        c.add("database", "AmazonRDS", arn, f"{usage}:{cls}", "CreateDBInstance:0014", "Hrs", 1,
              key, since)
        storage = "Multi-AZ-GP2-Storage" if multi else "GP2-Storage"
        c.add("database", "AmazonRDS", arn, f"RDS:{storage}", "CreateDBInstance:0014", "GB-Mo",
              db.get("AllocatedStorage", 0) * (2 if multi else 1), "rds:gp2:gb-month", since,
              MONTHLY)
    for s in _pages(rds, "describe_db_snapshots", "DBSnapshots", SnapshotType="manual"):
        arn = s.get("DBSnapshotArn") or c.arn("rds", f"snapshot:{s['DBSnapshotIdentifier']}")
        c.add("database snapshot", "AmazonRDS", arn, "RDS:ChargedBackupUsage",
              "CreateDBSnapshot", "GB-Mo", s.get("AllocatedStorage", 0), "rds:snapshot:gb-month",
              s.get("SnapshotCreateTime"), MONTHLY)


def _data(c: _Cell) -> None:
    ddb = c.client("dynamodb")
    for name in _pages(ddb, "list_tables", "TableNames"):
        t = ddb.describe_table(TableName=name)["Table"]
        if t.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST":
            continue  # on-demand: billed per request, which the estate does not model
        tp = t.get("ProvisionedThroughput", {})
        for unit, key, n in (("ReadCapacityUnit-Hrs", "dynamodb:rcu:hour",
                              tp.get("ReadCapacityUnits", 0)),
                             ("WriteCapacityUnit-Hrs", "dynamodb:wcu:hour",
                              tp.get("WriteCapacityUnits", 0))):
            c.add("table", "AmazonDynamoDB", t["TableArn"], unit, "CommittedThroughput", unit,
                  n, key, t.get("CreationDateTime"))
    for cl in _pages(c.client("redshift"), "describe_clusters", "Clusters"):
        node = cl["NodeType"]
        c.add("warehouse", "AmazonRedshift",
              c.arn("redshift", f"cluster:{cl['ClusterIdentifier']}"), f"Node:{node}",
              "RunComputeNode:0001", "Hrs", cl.get("NumberOfNodes", 1), f"redshift:{node}:hour",
              cl.get("ClusterCreateTime"))
    emr = c.client("emr")
    for s in _pages(emr, "list_clusters", "Clusters",
                    ClusterStates=["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]):
        for g in emr.list_instance_groups(ClusterId=s["Id"]).get("InstanceGroups", []):
            itype = g["InstanceType"]
            c.add("cluster", "ElasticMapReduce",
                  c.arn("elasticmapreduce", f"cluster/{s['Id']}"), f"BoxUsage:{itype}",
                  "RunInstances", "Hrs", g.get("RunningInstanceCount") or
                  g.get("RequestedInstanceCount", 0), f"emr:{itype}:hour",
                  s.get("Status", {}).get("Timeline", {}).get("CreationDateTime"))
    for cc in _pages(c.client("elasticache"), "describe_cache_clusters", "CacheClusters"):
        node = cc["CacheNodeType"]
        c.add("cache", "AmazonElastiCache", cc.get("ARN") or
              c.arn("elasticache", f"cluster:{cc['CacheClusterId']}"), f"NodeUsage:{node}",
              "CreateCacheCluster:0002", "NodeUsage", cc.get("NumCacheNodes", 1),
              f"elasticache:{node}:hour", cc.get("CacheClusterCreateTime"))


def _storage(c: _Cell) -> None:
    for g in _pages(c.client("logs"), "describe_log_groups", "logGroups"):
        gb = g.get("storedBytes", 0) / GIB  # a new retention's effect: see ledger.py
        c.add("log group", "AmazonCloudWatch", c.arn("logs", f"log-group:{g['logGroupName']}"),
              "TimedStorage-ByteHrs", "PutLogEvents", "GB-Mo", round(gb, 6),
              "logs:storage:gb-month", g["creationTime"], MONTHLY)
    for s in _pages(c.client("secretsmanager"), "list_secrets", "SecretList"):
        c.add("secret", "AWSSecretsManager", s["ARN"], "AWSSecretsManager-Secrets", "",
              "Secrets", 1, "secretsmanager:secret:month", s.get("CreatedDate"), MONTHLY)
    kms = c.client("kms")
    for k in _pages(kms, "list_keys", "Keys"):
        meta = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
        if meta.get("KeyManager") == "CUSTOMER" and meta.get("KeyState") != "PendingDeletion":
            c.add("key", "awskms", meta["Arn"], "KMS-Keys", "CreateKey", "Keys", 1,
                  "kms:key:month", meta.get("CreationDate"), MONTHLY)
    for fs in _pages(c.client("efs"), "describe_file_systems", "FileSystems"):
        gb = fs.get("SizeInBytes", {}).get("Value", 0) / GIB
        c.add("file system", "AmazonEFS",
              c.arn("elasticfilesystem", f"file-system/{fs['FileSystemId']}"),
              "TimedStorage-ByteHrs", "", "GB-Mo", round(gb, 6), "efs:standard:gb-month",
              fs.get("CreationTime"), MONTHLY)
    for a in _pages(c.client("cloudwatch"), "describe_alarms", "MetricAlarms"):
        c.add("alarm", "AmazonCloudWatch", a["AlarmArn"], "CW:AlarmMonitorUsage",
              "Unknown", "Alarms", 1, "cloudwatch:alarm:month",
              a.get("AlarmConfigurationUpdatedTimestamp"), MONTHLY)
    if c.region == "us-east-1":  # Route 53 is global; its lines carry no region
        for z in _pages(c.client("route53"), "list_hosted_zones", "HostedZones"):
            zid = z["Id"].split("/")[-1]
            c.add("hosted zone", "AmazonRoute53", f"arn:aws:route53:::hostedzone/{zid}",
                  "HostedZone", "", "HostedZone", 1, "route53:hosted-zone:month", None, MONTHLY)


def _platform(c: _Cell) -> None:
    """EKS control planes, interface endpoints, TGW attachments, OpenSearch, notebooks. Not
    billed: SageMaker hosting and FSx (no price in the estate's table)."""
    eks = c.client("eks")
    for name in _pages(eks, "list_clusters", "clusters"):
        cl = eks.describe_cluster(name=name)["cluster"]
        c.add("EKS cluster", "AmazonEKS", cl["arn"], "AmazonEKS-Hours:perCluster", "CreateOperation",
              "Hours", 1, "eks:cluster:hour", cl.get("createdAt"))
    ec2 = c.client("ec2")
    for e in _pages(ec2, "describe_vpc_endpoints", "VpcEndpoints"):
        if e.get("VpcEndpointType") == "Interface" and e.get("State", "available") != "deleted":
            c.add("interface endpoint", "AmazonVPC",
                  c.arn("ec2", f"vpc-endpoint/{e['VpcEndpointId']}"), "VpcEndpoint-Hours",
                  "VpcEndpoint", "Hrs", 1, "vpc:interface-endpoint:hour",
                  e.get("CreationTimestamp"))
    for a in _pages(ec2, "describe_transit_gateway_vpc_attachments",
                    "TransitGatewayVpcAttachments"):
        if a.get("State") not in ("deleted", "deleting"):
            c.add("TGW attachment", "AmazonVPC", c.arn(
                "ec2", f"transit-gateway-attachment/{a['TransitGatewayAttachmentId']}"),
                "TransitGateway-Hours", "TransitGatewayVPC", "Hrs", 1,
                "vpc:tgw-attachment-vpc:hour", a.get("CreationTime"))
    es = c.client("opensearch")
    for d in es.list_domain_names().get("DomainNames", []):
        dom = es.describe_domain(DomainName=d["DomainName"])["DomainStatus"]
        cfg = dom.get("ClusterConfig", {})
        itype = cfg.get("InstanceType", "")
        c.add("search domain", "AmazonES", dom["ARN"], f"ESInstance:{itype}", "ESDomain", "Hrs",
              cfg.get("InstanceCount", 1), f"opensearch:{itype}:hour", None)
    sm = c.client("sagemaker")
    for nb in _pages(sm, "list_notebook_instances", "NotebookInstances"):
        if nb.get("NotebookInstanceStatus") in ("InService", "Pending"):
            itype = nb["InstanceType"]
            c.add("notebook", "AmazonSageMaker", nb["NotebookInstanceArn"],
                  f"Notebk:{itype}", "RunInstance", "Hrs", 1,
                  f"sagemaker:{itype}:studio-notebook:hour", nb.get("CreationTime"))


def _lambda(c: _Cell) -> None:
    """Compute GB-seconds at the functions' recorded use: memory x the mean `Duration` x the
    mean daily `Invocations` of their CloudWatch history (the estate records 14 days), spread
    evenly over the hours. Requests are not billed (no request price in the estate's table)."""
    cw = c.client("cloudwatch")
    end = datetime.now(UTC)
    for fn in _pages(c.client("lambda"), "list_functions", "Functions"):
        dims = [{"Name": "FunctionName", "Value": fn["FunctionName"]}]
        stats = {}
        for metric, stat in (("Duration", "Average"), ("Invocations", "Sum")):
            points = cw.get_metric_statistics(
                Namespace="AWS/Lambda", MetricName=metric, Dimensions=dims, Period=86400,
                StartTime=end - timedelta(days=14), EndTime=end, Statistics=[stat])["Datapoints"]
            stats[metric] = sum(p[stat] for p in points) / len(points) if points else 0.0
        arch = (fn.get("Architectures") or ["x86_64"])[0]
        gb_s = fn.get("MemorySize", 128) / 1024 * stats["Duration"] / 1000 * \
            stats["Invocations"] / 24
        usage = "Lambda-GB-Second-ARM" if arch == "arm64" else "Lambda-GB-Second"
        c.add("function", "AWSLambda", fn["FunctionArn"], usage, "Invoke", "Lambda-GB-Second",
              round(gb_s, 9), f"lambda:{arch}:gb-second", None)


COLLECTORS: tuple[Callable[[_Cell], None], ...] = (_ec2, _elb, _rds, _data, _storage, _platform,
                                                   _lambda)


def inventory(endpoint: str, accounts: list[str], regions: list[str]) -> list[Meter]:
    """Every billed usage of the estate as it stands now, sorted by key."""
    clients = ClientFactory(endpoint)
    out: list[Meter] = []
    for account in accounts:
        for region in regions:
            cell = _Cell(clients, account, region)
            for collect in COLLECTORS:
                collect(cell)
            out += cell.out
    return sorted(out, key=lambda m: m.key)


@dataclass(frozen=True)
class Reservation:
    """An EC2 Reserved Instance as `DescribeReservedInstances` serves it (regional, Linux)."""

    account_id: str
    region: str
    id: str
    instance_type: str
    count: int
    start: str
    end: str
    hourly: str  # the recurring hourly fee per instance (No Upfront)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def reservations(endpoint: str, accounts: list[str], regions: list[str]) -> list[Reservation]:
    clients = ClientFactory(endpoint)
    out = []
    for account in accounts:
        for region in regions:
            ec2 = clients.get("ec2", region, account)
            for ri in ec2.describe_reserved_instances().get("ReservedInstances", []):
                fee = sum(float(r["Amount"]) for r in ri.get("RecurringCharges", [])
                          if r.get("Frequency") == "Hourly")
                out.append(Reservation(account, region, ri["ReservedInstancesId"],
                                       ri["InstanceType"], int(ri["InstanceCount"]),
                                       _iso(ri["Start"]), _iso(ri["End"]), repr(fee)))
    return sorted(out, key=lambda r: (r.account_id, r.region, r.id))


def hours_in_month(ts: datetime) -> int:
    """Hours of the calendar month holding `ts` (AWS prorates GB-Mo and monthly fees by them)."""
    start = ts.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    nxt = start.replace(year=start.year + 1, month=1) if start.month == 12 else \
        start.replace(month=start.month + 1)
    return math.floor((nxt - start).total_seconds() / 3600)
