"""Fix a share of the estate's injected waste, the way an operator would (demo only).

The share is taken per waste kind, deterministically: items sorted by (account, region,
resource id), the first ceil(share x n) of each kind. Each fix is the AWS call that removes the
waste (delete the unattached volume, release the Elastic IP, terminate the idle instance, set a
log group's retention, ...), sent to the estate through boto3 in the item's account, so the next
scans no longer report those findings and the lifecycle resolves them. Kinds without a single
obvious fix (a Lambda's memory, a table's capacity, an RI about to expire, a bucket's lifecycle)
are left alone and listed as such.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from estate.clients import ClientFactory
from estate.manifest import WasteItem


def _ec2(call: str, **fixed: Any) -> Callable[[Any, WasteItem], None]:
    def run(client: Any, item: WasteItem) -> None:
        getattr(client, call)(**{k: (item.resource_id if v is ID else v) for k, v in fixed.items()})
    return run


ID = object()  # placeholder for the item's resource id
RETENTION_DAYS = 90

# kind -> (boto3 service, fix)
FIXES: dict[str, tuple[str, Callable[[Any, WasteItem], None]]] = {
    "unattached_volume": ("ec2", _ec2("delete_volume", VolumeId=ID)),
    "unassociated_eip": ("ec2", _ec2("release_address", AllocationId=ID)),
    "old_snapshot": ("ec2", _ec2("delete_snapshot", SnapshotId=ID)),
    "orphaned_snapshot": ("ec2", _ec2("delete_snapshot", SnapshotId=ID)),
    "old_ami": ("ec2", _ec2("deregister_image", ImageId=ID)),
    "idle_nat_gateway": ("ec2", _ec2("delete_nat_gateway", NatGatewayId=ID)),
    "stopped_instance": ("ec2", lambda c, i: c.terminate_instances(InstanceIds=[i.resource_id])),
    "idle_instance": ("ec2", lambda c, i: c.terminate_instances(InstanceIds=[i.resource_id])),
    "idle_rds_instance": ("rds", lambda c, i: c.delete_db_instance(
        DBInstanceIdentifier=i.resource_id, SkipFinalSnapshot=True)),
    "old_rds_snapshot": ("rds", lambda c, i: c.delete_db_snapshot(
        DBSnapshotIdentifier=i.resource_id)),
    "log_group_without_retention": ("logs", lambda c, i: c.put_retention_policy(
        logGroupName=i.resource_id, retentionInDays=RETENTION_DAYS)),
    "unused_secret": ("secretsmanager", lambda c, i: c.delete_secret(
        SecretId=i.resource_id, ForceDeleteWithoutRecovery=True)),
    "ecr_repository_without_lifecycle": ("ecr", lambda c, i: c.delete_repository(
        repositoryName=i.resource_id, force=True)),
    "idle_redshift_cluster": ("redshift", lambda c, i: c.delete_cluster(
        ClusterIdentifier=i.resource_id, SkipFinalClusterSnapshot=True)),
    "idle_emr_cluster": ("emr", lambda c, i: c.terminate_job_flows(JobFlowIds=[i.resource_id])),
    "lb_without_targets": ("elbv2", lambda c, i: c.delete_load_balancer(
        LoadBalancerArn=i.resource_id)),
    "lb_with_stopped_targets": ("elbv2", lambda c, i: c.delete_load_balancer(
        LoadBalancerArn=i.resource_id)),
    "clb_without_instances": ("elb", lambda c, i: c.delete_load_balancer(
        LoadBalancerName=i.resource_id)),
}


@dataclass
class Remediation:
    share: float
    fixed: list[WasteItem] = field(default_factory=list)
    failed: list[tuple[WasteItem, str]] = field(default_factory=list)
    not_remediable: dict[str, int] = field(default_factory=dict)

    at: str = ""  # when the fixes ran (ISO, UTC): the generated bill changes from then

    def to_dict(self) -> dict[str, Any]:
        return {
            "share": self.share,
            "at": self.at,
            "fixed": [{"kind": i.kind, "account_id": i.account_id, "region": i.region,
                       "resource_id": i.resource_id} for i in self.fixed],
            "failed": [{"kind": i.kind, "resource_id": i.resource_id, "error": e}
                       for i, e in self.failed],
            "not_remediable": dict(sorted(self.not_remediable.items())),
        }


def choose(waste: Iterable[WasteItem], share: float) -> list[WasteItem]:
    """The first ceil(share x n) items of each kind, in (account, region, id) order."""
    if not 0 <= share <= 1:
        raise ValueError(f"share must be within 0..1, got {share}")
    by_kind: dict[str, list[WasteItem]] = {}
    for item in waste:
        by_kind.setdefault(item.kind, []).append(item)
    out = []
    for kind in sorted(by_kind):
        items = sorted(by_kind[kind], key=lambda i: (i.account_id, i.region, i.resource_id))
        out += items[: math.ceil(share * len(items))]
    return out


def kept_share(item: WasteItem) -> float | None:
    """What a fix keeps of the resource's billed quantity, when it shrinks rather than removes:
    a log group given 90 days' retention keeps 90 days of an even flow of `age_days` days."""
    if item.kind == "log_group_without_retention":
        return min(1.0, RETENTION_DAYS / max(1.0, float(item.details.get("age_days", 1))))
    return None


def ledger_run(result: Remediation) -> dict[str, Any]:
    """The run as the generated bill's ledger reads it (`remediations.json`)."""
    return {"at": result.at, "share": result.share, "fixed": [
        {"kind": i.kind, "account_id": i.account_id, "region": i.region,
         "resource_id": i.resource_id, "related": sorted(i.related),
         "kept_share": kept_share(i)} for i in result.fixed]}


def remediate(endpoint: str, waste: Iterable[WasteItem], share: float) -> Remediation:
    """Apply the fixes of the chosen share through the estate's endpoint."""
    result = Remediation(share, at=datetime.now(UTC).isoformat())
    clients = ClientFactory(endpoint)
    for item in choose(waste, share):
        if item.kind not in FIXES:
            result.not_remediable[item.kind] = result.not_remediable.get(item.kind, 0) + 1
            continue
        service, fix = FIXES[item.kind]
        try:
            fix(clients.get(service, item.region, item.account_id), item)
        except (ClientError, BotoCoreError) as exc:
            result.failed.append((item, f"{type(exc).__name__}: {exc}"))
            continue
        result.fixed.append(item)
    return result
