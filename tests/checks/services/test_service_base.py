"""Collection behaviour every service shares: throttling retries that resume pagination, hard
errors that become recorded CollectionErrors, malformed resources skipped and recorded."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from checks.runner import run_checks
from checks.services.base import CollectionFailed, backoff_delays
from checks.services.ec2 import EC2Service


def vol(vid):
    return {"VolumeId": vid, "VolumeType": "gp2", "Size": 10, "State": "available",
            "CreateTime": "2020-01-01T00:00:00Z"}


def stubbed(ctx):
    svc = ctx.service(EC2Service)
    sleeps: list[float] = []
    svc.sleep = sleeps.append
    client = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    svc._client = client
    return svc, Stubber(client), sleeps


def test_throttled_page_resumes_from_last_token(make_ctx):
    svc, stub, sleeps = stubbed(make_ctx())
    stub.add_response("describe_volumes", {"Volumes": [vol("vol-1")], "NextToken": "t1"}, {})
    stub.add_client_error("describe_volumes", service_error_code="Throttling",
                          expected_params={"NextToken": "t1"})
    stub.add_response("describe_volumes", {"Volumes": [vol("vol-2")]}, {"NextToken": "t1"})
    with stub:
        assert [v.id for v in svc.volumes()] == ["vol-1", "vol-2"]
    assert len(sleeps) == 1  # one backoff, and page 1 was not fetched twice
    stub.assert_no_pending_responses()


def test_access_denied_becomes_collection_failed_and_is_cached(make_ctx):
    svc, stub, _ = stubbed(make_ctx())
    stub.add_client_error("describe_volumes", service_error_code="UnauthorizedOperation",
                          service_message="not allowed")
    with stub, pytest.raises(CollectionFailed) as err:
        svc.volumes()
    assert err.value.code == "UnauthorizedOperation" and err.value.operation == "DescribeVolumes"
    with pytest.raises(CollectionFailed):  # cached: no second call (the stub has none left)
        svc.volumes()


def test_throttling_beyond_retries_fails(make_ctx):
    svc, stub, sleeps = stubbed(make_ctx())
    for _ in range(svc.retry_attempts + 1):
        stub.add_client_error("describe_addresses", service_error_code="RequestLimitExceeded")
    with stub, pytest.raises(CollectionFailed, match="RequestLimitExceeded"):
        svc.addresses()
    assert len(sleeps) == svc.retry_attempts


def test_malformed_resource_skipped_and_recorded(make_ctx):
    ctx = make_ctx()
    svc, stub, _ = stubbed(ctx)
    broken = {"VolumeId": "vol-bad", "State": "available"}  # no type, size, create time
    stub.add_response("describe_volumes", {"Volumes": [vol("vol-ok"), broken]}, {})
    with stub:
        assert [v.id for v in svc.volumes()] == ["vol-ok"]
    assert ctx.errors[0].code == "MalformedResource" and "vol-bad" in ctx.errors[0].message


def test_odd_instance_state_and_unknown_type_do_not_crash(make_ctx):
    ctx = make_ctx()
    svc, stub, _ = stubbed(ctx)
    odd = {"InstanceId": "i-odd", "InstanceType": "zz9.plural", "State": {"Name": "pending"},
           "LaunchTime": "2020-01-01T00:00:00Z"}
    gone = {"InstanceId": "i-gone", "InstanceType": "m5.large", "State": {"Name": "terminated"},
            "LaunchTime": "2020-01-01T00:00:00Z"}
    stub.add_response("describe_instances", {"Reservations": [{"Instances": [odd, gone]}]}, {})
    with stub:
        assert [i.id for i in svc.instances()] == ["i-odd"]


def test_runner_records_access_denied_per_check_and_keeps_going(make_ctx):
    ctx = make_ctx()
    svc, stub, _ = stubbed(ctx)
    stub.add_client_error("describe_volumes", service_error_code="UnauthorizedOperation")
    stub.add_response("describe_addresses", {"Addresses": [
        {"PublicIp": "1.2.3.4", "AllocationId": "eipalloc-1"}]}, {})
    with stub:
        result = run_checks(ctx, ["ec2_ebs_gp2_to_gp3", "ec2_ebs_io_to_gp3",
                                  "ec2_eip_unassociated"])
    assert result.counts == {"ec2_eip_unassociated": 1}
    assert result.skipped_checks == ["ec2_ebs_gp2_to_gp3", "ec2_ebs_io_to_gp3"]
    assert [(e.check_id, e.code) for e in result.errors] == [
        ("ec2_ebs_gp2_to_gp3", "UnauthorizedOperation"),
        ("ec2_ebs_io_to_gp3", "UnauthorizedOperation"),
    ]


def test_backoff_is_jittered_and_capped():
    import random

    delays = backoff_delays(8, base=0.5, cap=4.0, rng=random.Random(7))
    assert all(0 <= d <= min(4.0, 0.5 * 2**n) for n, d in enumerate(delays))
    assert len(set(delays)) == len(delays)


def test_unparseable_response_is_a_recorded_failure_not_a_crash(make_ctx):
    from botocore.parsers import ResponseParserError

    ctx = make_ctx()
    svc = ctx.service(EC2Service)

    class Broken:
        def describe_addresses(self, **kwargs):
            raise ResponseParserError("invalid XML received (a 500 page)")

    svc._client = Broken()
    result = run_checks(ctx, ["ec2_eip_unassociated"])
    assert result.skipped_checks == ["ec2_eip_unassociated"]
    assert result.errors[0].code == "ResponseParserError"


def test_unreachable_endpoint_is_recorded(make_ctx):
    from botocore.exceptions import EndpointConnectionError

    ctx = make_ctx()
    svc = ctx.service(EC2Service)

    class Offline:
        def describe_addresses(self, **kwargs):
            raise EndpointConnectionError(endpoint_url="https://ec2.us-east-1.amazonaws.com")

    svc._client = Offline()
    result = run_checks(ctx, ["ec2_eip_unassociated"])
    assert [(e.code, e.operation, e.check_id) for e in result.errors] == [
        ("EndpointConnectionError", "DescribeAddresses", "ec2_eip_unassociated")]
