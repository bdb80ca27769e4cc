from datetime import timedelta

import boto3

from checks.services.cloudwatch import BATCH, CloudWatchService, MetricSeries, combine, query


def test_series_batches_and_caches(aws, make_ctx):
    ctx = make_ctx()
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    from datetime import UTC, datetime

    ctx = make_ctx(now=datetime.now(UTC))  # moto stores metric data against the real clock
    cw.put_metric_data(Namespace="AWS/EBS", MetricData=[
        {"MetricName": "VolumeReadOps", "Dimensions": [{"Name": "VolumeId", "Value": "vol-1"}],
         "Timestamp": ctx.now - timedelta(hours=30), "Value": 7.0}])
    qs = [query("AWS/EBS", "VolumeReadOps", VolumeId=f"vol-{i}") for i in range(BATCH + 20)]
    svc = ctx.service(CloudWatchService)
    got = svc.series(qs, 3)
    assert got[qs[1]].total == 7.0 and got[qs[1]].has_data
    assert not got[qs[2]].has_data
    calls = []
    svc.paginate = lambda *a, **k: calls.append(a)  # type: ignore[method-assign]
    svc.series(qs[:10], 3)
    assert calls == []  # served from the per-scan cache


def test_combine_sums_by_period():
    from datetime import UTC, datetime

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    t1 = t0 + timedelta(days=1)
    q = query("AWS/EBS", "VolumeReadOps", VolumeId="v")
    a = MetricSeries(q, (1.0, 2.0), (t0, t1))
    b = MetricSeries(q, (10.0,), (t1,))
    assert combine([a, b]).values == (1.0, 12.0)
