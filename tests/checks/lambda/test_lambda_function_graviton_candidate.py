import importlib
from decimal import Decimal

from checks.lambda_usage import Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.lambda_ import Function

# `lambda` is a keyword, so the check module is imported by name
check_mod = importlib.import_module("checks.lambda.lambda_function_graviton_candidate.check")
ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def fn(arch="x86_64", runtime="python3.12"):
    return Function("f", ARN, runtime, 1024, 30, arch, "Zip")


def durations(total_ms):
    q = query("AWS/Lambda", "Duration", FunctionName="f")
    return {"f": MetricSeries(q, (total_ms,))}


def test_invoked_x86_python_function_priced(make_ctx, evaluate):
    ctx = make_ctx()
    # 14 days x 1,000,000 ms/day = 14,000 s at 1 GB -> 30,416.7 GB-s/month
    found = evaluate(check_mod.LambdaFunctionGravitonCandidate(),
                     Models([fn()], durations(14_000_000.0), {}), ctx)
    assert found[0].estimated_monthly_savings == Decimal("0.10")
    assert "30416.700 GB-s/month" in found[0].savings_formula


def test_arm_go_or_idle_functions_skipped(make_ctx, evaluate):
    ctx = make_ctx()
    check = check_mod.LambdaFunctionGravitonCandidate()
    assert evaluate(check, Models([fn(arch="arm64")], durations(1e6), {}), ctx) == []
    assert evaluate(check, Models([fn(runtime="provided.al2")], durations(1e6), {}), ctx) == []
    assert evaluate(check, Models([fn()], {}, {}), ctx) == []
