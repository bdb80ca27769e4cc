from datetime import timedelta

import boto3

from checks.sagemaker.sagemaker_endpoint_idle.check import Models, SagemakerEndpointIdle
from checks.services.cloudwatch import MetricSeries, query
from checks.services.sagemaker import Endpoint, Variant

Q = query("AWS/SageMaker", "Invocations", "Sum", EndpointName="ep", VariantName="a")


def endpoint(now, *variants, status="InService"):
    return Endpoint("ep", status, now - timedelta(days=30), "ep-config", tuple(variants))


def test_idle_endpoint_names_its_unpriced_hosting_rate(make_ctx, evaluate):
    ctx = make_ctx()
    check = SagemakerEndpointIdle()
    ep = endpoint(ctx.now, Variant("a", "ml.m5.large", 2), Variant("b", "ml.c5.xlarge", 1))
    assert [dict(q.dimensions)["VariantName"] for q in check.queries(ep)] == ["a", "b"]
    found = evaluate(check, Models([ep], {"ep": MetricSeries(Q, ())}), ctx)
    assert found[0].estimated_monthly_savings is None  # no hosting rates in the snapshots
    assert found[0].confidence == 0.3
    assert found[0].details["missing_prices"] == ["sagemaker:ml.m5.large:hosting:hour",
                                                  "sagemaker:ml.c5.xlarge:hosting:hour"]
    assert "2 a instances x 730 h" in found[0].savings_formula


def test_invoked_serverless_or_updating_endpoints_are_not_idle(make_ctx, evaluate):
    ctx = make_ctx()
    check = SagemakerEndpointIdle()
    hosted = Variant("a", "ml.m5.large", 1)
    assert evaluate(check, Models([endpoint(ctx.now, hosted)],
                                  {"ep": MetricSeries(Q, (0.0, 3.0))}), ctx) == []
    for ep in (endpoint(ctx.now, Variant("a", None, 0)),
               endpoint(ctx.now, hosted, status="Updating")):
        assert evaluate(check, Models([ep], {"ep": MetricSeries(Q, ())}), ctx) == []


def test_collect_takes_instance_types_from_the_endpoint_config(aws, make_ctx):
    sm = boto3.client("sagemaker", region_name="us-east-1")
    sm.create_model(ModelName="m", ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
                    PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m"})
    sm.create_endpoint_config(EndpointConfigName="ep-config", ProductionVariants=[{
        "VariantName": "a", "ModelName": "m", "InitialInstanceCount": 2,
        "InstanceType": "ml.m5.large"}])
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="ep-config")
    models = SagemakerEndpointIdle().collect(make_ctx())
    assert [(e.id, e.status, e.variants) for e in models.resources] == [
        ("ep", "InService", (Variant("a", "ml.m5.large", 2),))]
