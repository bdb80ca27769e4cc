"""Checks over recorded AWS responses (Cloud Custodian placebo layout: tests/checks/data/placebo/
<scenario>/<service>.<Operation>_<n>.json) holding the odd inputs real accounts produce:
unknown instance types, missing fields, pending and spot-terminated instances."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import boto3

from checks.runner import run_checks
from checks.services.ec2 import EC2Service

PLACEBO = Path(__file__).resolve().parent / "data" / "placebo"


class Placebo:
    """Answers each operation with its recorded responses in order, whatever order the checks
    call them in (a `before-call` hook, the mechanism botocore's Stubber uses)."""

    def __init__(self, scenario: str, service: str) -> None:
        self.pages: dict[str, list[dict]] = {}
        for path in sorted((PLACEBO / scenario).glob(f"{service}.*_*.json")):
            operation = path.stem.split(".", 1)[1].rsplit("_", 1)[0]
            self.pages.setdefault(operation, []).append(json.loads(path.read_text()))
        self.calls: list[str] = []

    def attach(self, client) -> None:
        client.meta.events.register(f"before-call.{client.meta.service_model.service_name}.*",
                                    self._answer)

    def _answer(self, model, **kwargs):
        from botocore.awsrequest import AWSResponse

        self.calls.append(model.name)
        recorded = self.pages[model.name].pop(0)
        return AWSResponse(None, recorded["status_code"], {}, None), recorded["data"]


def test_odd_inventory_is_judged_and_skips_are_recorded(make_ctx):
    ctx = make_ctx(now=datetime(2025, 6, 1, tzinfo=UTC))
    client = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    ctx.service(EC2Service)._client = client
    placebo = Placebo("ec2_odd_inventory", "ec2")
    placebo.attach(client)
    result = run_checks(ctx, ["ec2_instance_stopped_long", "ec2_ebs_volume_on_stopped_instance",
                              "ec2_ebs_gp2_to_gp3"])
    assert sorted(placebo.calls) == ["DescribeAddresses", "DescribeInstances", "DescribeVolumes"]
    by_check = {(f.check_id, f.resource_id): f for f in result.findings}
    stopped = by_check[("ec2_instance_stopped_long", "i-0aaaaaaaaaaaaaaa1")]
    assert stopped.estimated_monthly_savings == Decimal("3.65")  # its Elastic IP
    assert stopped.details["vpc_id"] == "vpc-0abc"
    assert by_check[("ec2_ebs_volume_on_stopped_instance", "vol-0aaaaaaaaaaaaaaa1")] \
        .estimated_monthly_savings == Decimal("50.00")
    assert ("ec2_ebs_gp2_to_gp3", "vol-0aaaaaaaaaaaaaaa1") in by_check
    codes = sorted((e.code, e.message.split(":")[0]) for e in result.errors)
    assert codes == [
        ("MalformedResource", "i-0aaaaaaaaaaaaaaa3"),  # running instance without a type
        ("MalformedResource", "vol-0aaaaaaaaaaaaaaa3"),  # volume without type and size
        ("SkippedResource", "i-0aaaaaaaaaaaaaaa4"),  # stopped, but no stop time recorded
    ]
    # the pending instance of an unknown type is neither judged nor an error
    assert not any("i-0aaaaaaaaaaaaaaa2" in f.resource_id for f in result.findings)
