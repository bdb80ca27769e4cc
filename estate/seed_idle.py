"""Resources that cost while nothing uses them: disabled KMS keys, log groups whose last event is
months old, ElastiCache clusters without connections. One waste, one healthy look-alike each."""

from __future__ import annotations

from estate import ages
from estate.context import SeedCell


def seed_kms_keys(sc: SeedCell) -> None:
    kms = sc.client("kms")
    waste, healthy = sc.split("kms_key")
    for i in range(healthy + len(waste)):
        key = kms.create_key(Description=f"estate key {i}")["KeyMetadata"]["KeyId"]
        ages.kms_key(sc.account_id, sc.region, key, ages.ago(sc.now, 200))
        if i < len(waste):
            kms.disable_key(KeyId=key)
            sc.waste(waste[i], key, state="Disabled", age_days=200)
    sc.manifest.add("kms_key", healthy + len(waste))


def seed_stale_log_groups(sc: SeedCell) -> None:
    """Both keep 30 days; the stale one's newest event is 200 days old."""
    logs = sc.client("logs")
    waste, healthy = sc.split("stale_log_group")
    now_ms = int(sc.now.timestamp() * 1000)
    for i in range(healthy + len(waste)):
        stale = i < len(waste)
        name = f"/aws/app/{sc.name('stale' if stale else 'live', i)}"
        logs.create_log_group(logGroupName=name, tags=sc.tags(sc.rng(name)))
        logs.put_retention_policy(logGroupName=name, retentionInDays=30)
        logs.create_log_stream(logGroupName=name, logStreamName="main")
        logs.put_log_events(logGroupName=name, logStreamName="main",
                            logEvents=[{"timestamp": now_ms - 1000, "message": "x" * 200}])
        ages.log_group(sc.account_id, sc.region, name, ages.ago(sc.now, 400))
        if stale:
            ages.log_stream_last_event(sc.account_id, sc.region, name, "main",
                                       ages.ago(sc.now, 200))
            sc.waste(waste[i], name, last_event_days=200)
    sc.manifest.add("stale_log_group", healthy + len(waste))


def seed_cache_clusters(sc: SeedCell) -> None:
    ec = sc.client("elasticache")
    waste, healthy = sc.split("cache_cluster")
    for i in range(healthy + len(waste)):
        idle = i < len(waste)
        cid = f"cache-{'idle' if idle else 'app'}-{i:02d}"
        ec.create_cache_cluster(CacheClusterId=cid, Engine="redis", NumCacheNodes=1,
                                CacheNodeType="cache.t4g.medium")
        ages.cache_cluster(sc.account_id, sc.region, cid, ages.ago(sc.now, 60))
        conns = (0.0, 0.0) if idle else (5.0, 50.0)
        sc.metrics.series(sc.account_id, sc.region, "AWS/ElastiCache", "CurrConnections",
                          {"CacheClusterId": cid}, *conns, sc.rng(f"metrics/{cid}"), "Count")
        if idle:
            sc.waste(waste[i], cid, max_connections=0)
    sc.manifest.add("cache_cluster", healthy + len(waste))


def seed_alarms(sc: SeedCell, watched_volume: str) -> None:
    """Waste: an alarm on a volume deleted since; healthy: the same alarm on a live volume."""
    cw, ec2 = sc.client("cloudwatch"), sc.client("ec2")
    waste, healthy = sc.split("metric_alarm")
    for i in range(healthy + len(waste)):
        orphan = i < len(waste)
        volume = watched_volume
        if orphan:
            volume = ec2.create_volume(Size=10, VolumeType="gp3",
                                       AvailabilityZone=f"{sc.region}a")["VolumeId"]
            ec2.delete_volume(VolumeId=volume)
        name = sc.name("idle-volume-alarm", i)
        cw.put_metric_alarm(AlarmName=name, Namespace="AWS/EBS", MetricName="VolumeIdleTime",
                            Statistic="Average", Period=300, EvaluationPeriods=3,
                            Threshold=290, ComparisonOperator="GreaterThanThreshold",
                            Dimensions=[{"Name": "VolumeId", "Value": volume}])
        if orphan:
            arn = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]
            sc.waste(waste[i], arn, alarm_name=name, deleted_volume=volume)
    sc.manifest.add("metric_alarm", healthy + len(waste))


def seed_hosted_zones(sc: SeedCell) -> None:
    """Waste: a public zone holding only SOA and NS; healthy: one with an A record. Route 53 is
    global and judged from us-east-1, so zones are made in the us-east-1 cells only."""
    if sc.region != "us-east-1":
        sc.manifest.add("hosted_zone", 0)
        return
    r53 = sc.client("route53")
    waste, healthy = sc.split("hosted_zone")
    for i in range(healthy + len(waste)):
        empty = i < len(waste)
        name = f"{'parked' if empty else 'www'}-{i}.{sc.account_id}.example.com"
        zone = r53.create_hosted_zone(Name=name, CallerReference=f"{sc.account_id}-{name}"
                                      )["HostedZone"]["Id"]
        if empty:
            sc.waste(waste[i], zone.rsplit("/", 1)[-1], zone_name=name, record_sets=2)
            continue
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
            "Action": "CREATE", "ResourceRecordSet": {
                "Name": f"app.{name}", "Type": "A", "TTL": 300,
                "ResourceRecords": [{"Value": "192.0.2.10"}]}}]})
    sc.manifest.add("hosted_zone", healthy + len(waste))
