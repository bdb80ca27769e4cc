import json
from datetime import timedelta
from decimal import Decimal

from checks.cloudwatch.cloudwatch_dashboard_unused.check import CloudwatchDashboardUnused, Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.cloudwatch_dashboards import Dashboard, widget_metrics

ARN = "arn:aws:cloudwatch::123456789012:dashboard/"


def cpu(instance):
    return query("AWS/EC2", "CPUUtilization", "SampleCount", InstanceId=instance)


def board(now, name, metrics, widgets=1, age=60):
    return Dashboard(name, ARN + name, now - timedelta(days=age), widgets, metrics)


def test_widget_metrics_expand_the_shorthands():
    body = json.dumps({"widgets": [
        {"type": "text", "properties": {"markdown": "# ops"}},
        {"type": "metric", "properties": {"metrics": [
            ["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"],
            [".", ".", ".", "i-2", {"stat": "Maximum"}],
            ["...", "i-3"]]}}]})
    n, metrics = widget_metrics(body)
    assert n == 2 and metrics == (cpu("i-1"), cpu("i-2"), cpu("i-3"))
    expr = {"widgets": [{"type": "metric", "properties": {"metrics": [
        [{"expression": "SUM(METRICS())", "id": "e1"}]]}}]}
    assert widget_metrics(json.dumps(expr))[1] is None
    assert widget_metrics(json.dumps({"widgets": [{"type": "log", "properties": {}}]}))[1] is None


def test_empty_graphs_flagged_priced_beyond_the_free_three(make_ctx, evaluate):
    ctx = make_ctx()
    live = MetricSeries(cpu("i-live"), (3.0,))
    dead = MetricSeries(cpu("i-gone"), ())
    boards = [board(ctx.now, "a-gone", (cpu("i-gone"),)), board(ctx.now, "b-empty", (), widgets=0),
              board(ctx.now, "c-live", (cpu("i-live"), cpu("i-gone"))),
              board(ctx.now, "d-notes", ()), board(ctx.now, "e-new", (cpu("i-gone"),), age=2),
              board(ctx.now, "f-search", None)]
    found = evaluate(CloudwatchDashboardUnused(), Models(boards, {
        cpu("i-live"): live, cpu("i-gone"): dead}), ctx)
    assert [f.resource_name for f in found] == ["a-gone", "b-empty"]
    # 6 dashboards, 3 free: 3 are billed, so both unused ones save $3.00 each
    assert [f.estimated_monthly_savings for f in found] == [Decimal("3.00"), Decimal("3.00")]


def test_unused_within_the_free_tier_save_nothing(make_ctx, evaluate):
    ctx = make_ctx()
    boards = [board(ctx.now, n, (), widgets=0) for n in ("x", "y", "z", "w")]
    found = evaluate(CloudwatchDashboardUnused(), Models(boards, {}), ctx)
    # 4 dashboards, 3 free: deleting all four saves one dashboard's $3.00
    assert [f.estimated_monthly_savings for f in found] == [
        Decimal("3.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00")]


def test_dashboards_and_metrics_from_moto_in_the_global_region_only(aws, make_ctx):
    from datetime import UTC, datetime

    import boto3

    cw = boto3.client("cloudwatch", region_name="us-east-1")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    cw.put_metric_data(Namespace="AWS/EC2", MetricData=[{
        "MetricName": "CPUUtilization", "Value": 5.0, "Timestamp": now - timedelta(hours=2),
        "Dimensions": [{"Name": "InstanceId", "Value": "i-live"}]}])
    for name, instance in (("gone", "i-gone"), ("live", "i-live")):
        cw.put_dashboard(DashboardName=name, DashboardBody=json.dumps({"widgets": [{
            "type": "metric", "properties": {"metrics": [
                ["AWS/EC2", "CPUUtilization", "InstanceId", instance]]}}]}))
    from moto.backends import get_backend

    for b in get_backend("cloudwatch")["123456789012"]["us-east-1"].dashboards.values():
        b.last_modified = (now - timedelta(days=10)).replace(tzinfo=None)  # moto: naive UTC
    check = CloudwatchDashboardUnused()
    config = {check.meta.id: {"lookback_days": 1, "free_dashboards": 0}}
    ctx = make_ctx(now=now, config=config)
    found = list(check.evaluate(check.collect(ctx), ctx.config.for_check(check.meta), ctx))
    assert [f.resource_name for f in found] == ["gone"]
    assert found[0].estimated_monthly_savings == Decimal("3.00")
    other = make_ctx(now=now, region="eu-west-1", config=config)
    assert check.collect(other).resources == []
