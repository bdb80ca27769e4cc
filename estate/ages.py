"""Back-date resources inside moto, so their ages are true in every API response.

AWS has no API to create a resource in the past; moto stamps `utcnow()`. The seeder creates
each resource through boto3 and then moves the one timestamp field moto serves for it. Every
function names the moto attribute it touches, so a moto upgrade that renames one fails here,
loudly, instead of silently producing a young estate.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from moto.backends import get_backend


def _backend(service: str, account_id: str, region: str) -> Any:
    return get_backend(service)[account_id][region]  # type: ignore[call-overload,index]


def _set(obj: Any, attr: str, value: Any) -> None:
    if not hasattr(obj, attr):
        raise AttributeError(f"moto {type(obj).__name__} has no {attr!r}: moto changed?")
    if isinstance(value, datetime):  # moto keeps naive UTC (its utcnow()); match it
        value = value.astimezone(UTC).replace(tzinfo=None)
    setattr(obj, attr, value)


def volume(account_id: str, region: str, volume_id: str, when: datetime) -> None:
    _set(_backend("ec2", account_id, region).volumes[volume_id], "create_time", when)


def snapshot(account_id: str, region: str, snapshot_id: str, when: datetime) -> None:
    _set(_backend("ec2", account_id, region).snapshots[snapshot_id], "start_time", when)


def image(account_id: str, region: str, image_id: str, when: datetime) -> None:
    ami = _backend("ec2", account_id, region).amis[image_id]
    _set(ami, "creation_date", when)


def instance_launch(account_id: str, region: str, instance_id: str, when: datetime) -> None:
    inst = _backend("ec2", account_id, region).get_instance(instance_id)
    _set(inst, "launch_time", when)


def instance_stopped(account_id: str, region: str, instance_id: str, when: datetime) -> None:
    """StateTransitionReason is where AWS tells when an instance was stopped."""
    inst = _backend("ec2", account_id, region).get_instance(instance_id)
    _set(inst, "_reason", f"User initiated ({when.strftime('%Y-%m-%d %H:%M:%S')} GMT)")


def log_group(account_id: str, region: str, name: str, when: datetime) -> None:
    _set(_backend("logs", account_id, region).groups[name], "creation_time", when)


def rds_snapshot(account_id: str, region: str, snapshot_id: str, when: datetime) -> None:
    snap = _backend("rds", account_id, region).database_snapshots[snapshot_id]
    _set(snap, "created", when)  # served as SnapshotCreateTime
    _set(snap, "original_snapshot_create_time", when)


def rds_instance(account_id: str, region: str, db_id: str, when: datetime) -> None:
    db = _backend("rds", account_id, region).databases[db_id]
    _set(db, "instance_create_time", when)


def nat_gateway(account_id: str, region: str, nat_id: str, when: datetime) -> None:
    _set(_backend("ec2", account_id, region).nat_gateways[nat_id], "_created_at", when)


def secret(account_id: str, region: str, name: str, when: datetime) -> None:
    sec = _backend("secretsmanager", account_id, region).secrets[name]
    _set(sec, "created_date", when.timestamp())


def ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)


def load_balancer_v2(account_id: str, region: str, arn: str, when: datetime) -> None:
    lb = _backend("elbv2", account_id, region).load_balancers[arn]
    # moto keeps this one as the ISO text it serves
    _set(lb, "created_time", when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z")


def classic_load_balancer(account_id: str, region: str, name: str, when: datetime) -> None:
    lb = _backend("elb", account_id, region).load_balancers[name]
    if not hasattr(lb, "created_time"):
        raise AttributeError("moto classic FakeLoadBalancer has no 'created_time': moto changed?")
    lb.created_time = when.astimezone(UTC)  # moto keeps this one timezone-aware


def redshift_cluster(account_id: str, region: str, cluster_id: str, when: datetime) -> None:
    _set(_backend("redshift", account_id, region).clusters[cluster_id], "create_time", when)


def secret_last_accessed(account_id: str, region: str, name: str, when: datetime) -> None:
    from estate.fidelity import secret_accessed

    secret_accessed(_backend("secretsmanager", account_id, region).secrets[name], when)


def kms_key(account_id: str, region: str, key_id: str, when: datetime) -> None:
    key = _backend("kms", account_id, region).keys[key_id]
    _set(key, "creation_date", when.timestamp())  # moto keeps the epoch seconds


def cache_cluster(account_id: str, region: str, cluster_id: str, when: datetime) -> None:
    cluster = _backend("elasticache", account_id, region).cache_clusters[cluster_id]
    _set(cluster, "cache_cluster_create_time", when)


def log_stream_last_event(account_id: str, region: str, group: str, stream: str,
                          when: datetime) -> None:
    """Move every event of a stream to `when` (moto refuses events older than 14 days at put
    time and derives the stream's lastEventTimestamp from its events)."""
    log_stream = _backend("logs", account_id, region).groups[group].streams[stream]
    for event in log_stream.events:
        _set(event, "timestamp", int(when.timestamp() * 1000))
        _set(event, "ingestion_time", int(when.timestamp() * 1000))
    _set(log_stream, "last_ingestion_time", when)


def dynamodb_table(account_id: str, region: str, name: str, when: datetime) -> None:
    _set(_backend("dynamodb", account_id, region).tables[name], "created_at", when)


def efs_file_system(account_id: str, region: str, fs_id: str, when: datetime) -> None:
    fs = _backend("efs", account_id, region).file_systems_by_id[fs_id]
    _set(fs, "creation_time", when.timestamp())  # moto keeps the epoch seconds
