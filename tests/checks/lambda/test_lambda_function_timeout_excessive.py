import importlib
from decimal import Decimal

from checks.lambda_usage import Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.lambda_ import Function

mod = importlib.import_module("checks.lambda.lambda_function_timeout_excessive.check")
ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def models(timeout, max_ms):
    q = query("AWS/Lambda", "Duration", "Maximum", FunctionName="f")
    fn = Function("f", ARN, "python3.12", 1024, timeout, "x86_64", "Zip")
    return Models([fn], {}, {"f": MetricSeries(q, (max_ms,))})


def test_timeout_far_above_longest_run(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(mod.LambdaFunctionTimeoutExcessive(), models(900, 2000.0), ctx)
    assert found[0].estimated_monthly_savings == Decimal("0.00")
    # 900 s x 1 GB x $0.0000166667
    assert found[0].details["worst_case_cost_per_invocation_usd"] == "0.015000"


def test_tight_timeout_not_flagged(make_ctx, evaluate):
    ctx = make_ctx()
    assert evaluate(mod.LambdaFunctionTimeoutExcessive(), models(900, 600_000.0), ctx) == []
    assert evaluate(mod.LambdaFunctionTimeoutExcessive(), models(30, 100.0), ctx) == []
