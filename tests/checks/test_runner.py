import pytest

from checks.config import ConfigError, TenantConfig
from checks.runner import run_checks


def test_full_scan_over_moto_emits_contract_valid_findings(aws, make_ctx, contract):
    import boto3

    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp2")
    ec2.allocate_address(Domain="vpc")
    ctx = make_ctx(config={"ec2_ebs_snapshot_old": {"enabled": False}})
    result = run_checks(ctx)
    contract(result.findings)
    assert result.counts["ec2_ebs_gp2_to_gp3"] == 1
    assert result.counts["ec2_eip_unassociated"] == 1
    assert "ec2_ebs_snapshot_old" not in result.counts
    # moto lacks DescribeReservedInstances / Savings Plans: recorded, never silent
    assert {e.check_id for e in result.errors} >= {"ec2_reserved_instance_expiring"}
    assert result.resources_seen["ec2_ebs_gp2_to_gp3"] == 1


def test_bad_config_fails_before_any_call(make_ctx):
    ctx = make_ctx(config=TenantConfig.from_mapping({"checks": {"nope": {}}}))
    with pytest.raises(ConfigError):
        run_checks(ctx)


def test_unknown_check_id(make_ctx):
    with pytest.raises(KeyError):
        run_checks(make_ctx(), ["ec2_not_a_check"])


def test_crashing_check_is_recorded(make_ctx, monkeypatch):
    from checks.ec2.ec2_eip_unassociated.check import Ec2EipUnassociated

    monkeypatch.setattr(Ec2EipUnassociated, "collect", lambda self, ctx: [])
    monkeypatch.setattr(Ec2EipUnassociated, "evaluate",
                        lambda self, m, c, x: (_ for _ in ()).throw(ZeroDivisionError("boom")))
    result = run_checks(make_ctx(), ["ec2_eip_unassociated"])
    assert result.errors[0].code == "CheckCrashed" and "boom" in result.errors[0].message


def test_volume_checks_share_one_describe_volumes(aws, make_ctx):
    import boto3

    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, VolumeType="gp2")
    ctx = make_ctx()
    calls: list[str] = []
    ctx.session.events.register("before-call.ec2.DescribeVolumes",
                                lambda **kw: calls.append("DescribeVolumes"))
    volume_checks = ["ec2_ebs_gp2_to_gp3", "ec2_ebs_io_to_gp3", "ec2_ebs_volume_low_use",
                     "ec2_ebs_volume_on_stopped_instance", "ec2_ebs_volume_unattached",
                     "ec2_ebs_snapshot_old"]
    result = run_checks(ctx, volume_checks)
    assert not result.skipped_checks
    assert calls == ["DescribeVolumes"]


def test_clients_honour_aws_endpoint_url(monkeypatch, make_ctx):
    """The scanner reaches a moto *server* (the simulated estate) through AWS_ENDPOINT_URL."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        boto3.client("ec2", region_name="us-east-1").allocate_address(Domain="vpc")
        result = run_checks(make_ctx(), ["ec2_eip_unassociated"])
        assert result.counts == {"ec2_eip_unassociated": 1}
    finally:
        server.stop()
