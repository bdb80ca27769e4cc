from datetime import timedelta
from decimal import Decimal

import boto3

from checks.sagemaker.sagemaker_notebook_instance_idle.check import (
    Models,
    SagemakerNotebookInstanceIdle,
)
from checks.services.sagemaker import NotebookInstance


def notebook(now, running_days, status="InService", kind="ml.m5.xlarge"):
    return NotebookInstance("nb", status, kind, now - timedelta(days=90),
                            now - timedelta(days=running_days), None)


def test_notebook_running_for_weeks_priced_at_its_hourly_rate(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(SagemakerNotebookInstanceIdle(), Models([notebook(ctx.now, 20)]), ctx)
    assert found[0].estimated_monthly_savings == Decimal("167.90")  # 730 h x $0.23
    assert found[0].details["running_days"] == 20.0 and found[0].confidence == 0.6
    assert "Studio notebook rate" in found[0].savings_formula


def test_recently_started_or_stopped_notebooks_are_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    check = SagemakerNotebookInstanceIdle()
    assert evaluate(check, Models([notebook(ctx.now, 2)]), ctx) == []
    assert evaluate(check, Models([notebook(ctx.now, 20, status="Stopped")]), ctx) == []
    assert evaluate(check, Models([notebook(ctx.now, 2)]), running_days=1)  # ctx.now = NOW


def test_collect_from_moto(aws, make_ctx):
    boto3.client("sagemaker", region_name="us-east-1").create_notebook_instance(
        NotebookInstanceName="nb", InstanceType="ml.t3.medium",
        RoleArn="arn:aws:iam::123456789012:role/sm")
    models = SagemakerNotebookInstanceIdle().collect(make_ctx())
    assert [(n.id, n.status, n.instance_type) for n in models.notebooks] == [
        ("nb", "InService", "ml.t3.medium")]
