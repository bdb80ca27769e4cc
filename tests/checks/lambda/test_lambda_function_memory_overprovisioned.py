import importlib
import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import boto3

from checks.lambda_usage import Models as Usage
from checks.services.cloudwatch import MetricSeries, query
from checks.services.lambda_ import Function

mod = importlib.import_module("checks.lambda.lambda_function_memory_overprovisioned.check")
ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def usage(total_ms):
    q = query("AWS/Lambda", "Duration", FunctionName="f")
    return Usage([Function("f", ARN, "python3.12", 2048, 30, "x86_64", "Zip")],
                 {"f": MetricSeries(q, (total_ms,))}, {})


def test_memory_cut_to_peak_plus_headroom(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(mod.LambdaFunctionMemoryOverprovisioned(),
                     mod.Models(usage(14_000_000.0), {"f": 300}), ctx)
    f = found[0]
    assert f.details["recommended_mb"] == 448  # 300 x 1.3 = 390 -> next 64 MB step
    # 60833.4 GB-s/month x (2048-448)/2048 x $0.0000166667
    assert f.estimated_monthly_savings == Decimal("0.79")


def test_well_sized_or_unlogged_function_skipped(make_ctx, evaluate):
    ctx = make_ctx()
    check = mod.LambdaFunctionMemoryOverprovisioned()
    assert evaluate(check, mod.Models(usage(1e6), {"f": 1900}), ctx) == []
    assert evaluate(check, mod.Models(usage(1e6), {"f": None}), ctx) == []


def test_report_lines_parsed_from_moto_logs(aws, make_ctx):
    role = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.py", "def h(e, c):\n    return 1\n")
    boto3.client("lambda", region_name="us-east-1").create_function(
        FunctionName="f", Runtime="python3.12", Role=role["Arn"], Handler="a.h",
        Code={"ZipFile": buf.getvalue()}, MemorySize=2048)
    logs = boto3.client("logs", region_name="us-east-1")
    logs.create_log_group(logGroupName="/aws/lambda/f")
    logs.create_log_stream(logGroupName="/aws/lambda/f", logStreamName="s")
    # moto drops events older than 14 days relative to the real clock
    ctx = make_ctx(now=datetime.now(UTC))
    stamp = int(ctx.now.timestamp() * 1000) - 3_600_000
    logs.put_log_events(logGroupName="/aws/lambda/f", logStreamName="s", logEvents=[
        {"timestamp": stamp, "message": "REPORT RequestId: 1 Duration: 5 ms Max Memory Used: 91 MB"},
        {"timestamp": stamp + 1, "message": "REPORT RequestId: 2 Max Memory Used: 120 MB"},
        {"timestamp": stamp + 2, "message": "START RequestId: 3"},
    ])
    models = mod.LambdaFunctionMemoryOverprovisioned().collect(ctx)
    assert models.max_used_mb == {"f": 120}
