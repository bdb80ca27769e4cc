"""The simulated estate: deterministic, ages true in the API, waste recorded in the manifest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from estate import start_estate
from estate.manifest import Manifest
from estate.plan import FLAVOURS, LOOKALIKE, MIX, plan_estate

SMALL = {"resources": 40, "regions": ("us-east-1",)}


def _without_endpoint(m: Manifest) -> dict:
    doc = m.to_dict()
    doc.pop("endpoint")
    return doc


def test_plan_is_a_function_of_the_seed() -> None:
    a, b = plan_estate(3, 2000), plan_estate(3, 2000)
    assert a == b
    assert plan_estate(4, 2000) != a  # the seed reaches the per-kind generators
    total = sum(sum(c.counts.values()) for c in a.cells)
    assert 0.9 * 2000 <= total <= 1.15 * 2000
    for cell in a.cells:  # every kind has waste and healthy resources in every cell...
        first_region = cell.region == a.regions[0]
        for kind in MIX:
            if kind in LOOKALIKE and not first_region:  # ...look-alike pairs in one per account
                assert cell.counts[kind] == 0 and cell.waste[kind] == []
                continue
            assert 1 <= len(cell.waste[kind]) < cell.counts[kind]
    flavours = {f for c in a.cells for fs in c.waste.values() for f in fs}
    assert flavours == {f for fs in FLAVOURS.values() for f in fs}


def test_same_seed_same_manifest_different_seed_different(tmp_path) -> None:
    with start_estate(seed=11, accounts=2, manifest_path=tmp_path / "m.json", **SMALL) as e1:
        first = _without_endpoint(e1.manifest)
        assert json.loads((tmp_path / "m.json").read_text())["waste"] == first["waste"]
    with start_estate(seed=11, accounts=2, **SMALL) as e2:  # ids, member accounts, ages: same
        assert _without_endpoint(e2.manifest) == first
    with start_estate(seed=12, accounts=1, **SMALL) as e3:
        other = _without_endpoint(e3.manifest)
    drawn = ("vol-", "snap-", "i-", "ami-", "eipalloc-", "nat-", "j-")  # ids moto generates
    mine = {w["resource_id"] for w in first["waste"] if w["resource_id"].startswith(drawn)}
    assert mine and mine.isdisjoint(w["resource_id"] for w in other["waste"])


@pytest.fixture(scope="module")
def estate():
    with start_estate(seed=5, resources=60, regions=("us-east-1", "eu-west-1"),
                      accounts=2) as e:
        yield e


def _client(estate, service: str, region: str, account: str):
    c = boto3.client(service, region_name=region, endpoint_url=estate.endpoint,
                     aws_access_key_id="testing", aws_secret_access_key="testing")
    c.meta.events.register("before-sign.*.*",
                           lambda request, **_: request.headers.__setitem__(
                               "x-moto-account-id", account))
    return c


def _waste(estate, kind: str):
    items = estate.manifest.waste_by_kind()[kind]
    assert items, kind
    return items


def _age_days(ts: datetime) -> float:
    return (datetime.now(UTC) - ts).total_seconds() / 86400


def test_accounts_and_regions(estate) -> None:
    assert len(estate.accounts) == 2 and estate.accounts[0] == "123456789012"
    assert estate.regions == ["us-east-1", "eu-west-1"]
    org = _client(estate, "organizations", "us-east-1", estate.accounts[0])
    assert sorted(a["Id"] for a in org.list_accounts()["Accounts"]) == sorted(estate.accounts)
    kinds = {w.kind for w in estate.manifest.waste}
    assert kinds == {f for fs in FLAVOURS.values() for f in fs}
    assert {(w.account_id, w.region) for w in estate.manifest.waste} == {
        (a, r) for a in estate.accounts for r in estate.regions}


def test_snapshot_volume_and_ami_ages_are_true_in_the_api(estate) -> None:
    for item in _waste(estate, "old_snapshot") + _waste(estate, "orphaned_snapshot"):
        ec2 = _client(estate, "ec2", item.region, item.account_id)
        snap = ec2.describe_snapshots(SnapshotIds=[item.resource_id])["Snapshots"][0]
        assert 199 <= _age_days(snap["StartTime"]) <= 261
        if item.kind == "orphaned_snapshot":  # its source volume is gone
            with pytest.raises(ec2.exceptions.ClientError):
                ec2.describe_volumes(VolumeIds=[snap["VolumeId"]])
    for item in _waste(estate, "unattached_volume"):
        ec2 = _client(estate, "ec2", item.region, item.account_id)
        vol = ec2.describe_volumes(VolumeIds=[item.resource_id])["Volumes"][0]
        assert vol["State"] == "available" and vol["VolumeType"] in ("gp2", "io1")
        assert 20 <= _age_days(vol["CreateTime"]) <= 57
    for item in _waste(estate, "old_ami"):
        ec2 = _client(estate, "ec2", item.region, item.account_id)
        img = ec2.describe_images(ImageIds=[item.resource_id])["Images"][0]
        created = datetime.fromisoformat(img["CreationDate"].replace("Z", "+00:00"))
        assert _age_days(created) >= 399


def test_stopped_instances_tell_when_they_stopped(estate) -> None:
    for item in _waste(estate, "stopped_instance"):
        ec2 = _client(estate, "ec2", item.region, item.account_id)
        inst = ec2.describe_instances(InstanceIds=[item.resource_id])["Reservations"][0][
            "Instances"][0]
        assert inst["State"]["Name"] == "stopped"
        reason = inst["StateTransitionReason"]  # "User initiated (YYYY-mm-dd HH:MM:SS GMT)"
        stopped = datetime.strptime(reason[16:35], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        assert 59 <= _age_days(stopped) <= 91
        assert item.details["stopped_days"] == round(_age_days(stopped))
        assert {t["Key"] for t in inst["Tags"]} >= {"team", "env", "cost-center"}
        addresses = ec2.describe_addresses(Filters=[
            {"Name": "instance-id", "Values": [item.resource_id]}])["Addresses"]
        assert [a["AllocationId"] for a in addresses] == [
            r for r in item.related if r.startswith("eipalloc-")]


def test_log_groups_rds_snapshots_and_metrics(estate) -> None:
    for item in _waste(estate, "log_group_without_retention"):
        logs = _client(estate, "logs", item.region, item.account_id)
        group = logs.describe_log_groups(logGroupNamePrefix=item.resource_id)["logGroups"][0]
        assert "retentionInDays" not in group and group["storedBytes"] > 1024**3
        created = datetime.fromtimestamp(group["creationTime"] / 1000, UTC)
        assert _age_days(created) >= 89
    for item in _waste(estate, "old_rds_snapshot"):
        rds = _client(estate, "rds", item.region, item.account_id)
        snap = rds.describe_db_snapshots(DBSnapshotIdentifier=item.resource_id)["DBSnapshots"][0]
        assert _age_days(snap["SnapshotCreateTime"]) >= 199
    item = _waste(estate, "idle_instance")[0]
    cw = _client(estate, "cloudwatch", item.region, item.account_id)
    end = datetime.now(UTC)
    stats = cw.get_metric_statistics(
        Namespace="AWS/EC2", MetricName="CPUUtilization", StartTime=end - timedelta(days=14),
        EndTime=end, Period=86400, Statistics=["Maximum"],
        Dimensions=[{"Name": "InstanceId", "Value": item.resource_id}])["Datapoints"]
    assert len(stats) >= 13 and max(p["Maximum"] for p in stats) <= 1.5


def test_gaps_in_moto_answer_like_aws_and_ris_are_served(estate) -> None:
    """What moto lacks is a fast, non-retryable AWS error (not an HTML 500), Reserved Instances
    come from the estate, and the estate owns no Savings Plans."""
    account, region = estate.accounts[1], "eu-west-1"
    ec2 = _client(estate, "ec2", region, account)
    with pytest.raises(ec2.exceptions.ClientError) as err:
        ec2.describe_fpga_images()
    assert err.value.response["Error"]["Code"] == "UnsupportedOperation"
    assert err.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    rds = _client(estate, "rds", region, account)
    with pytest.raises(rds.exceptions.ClientError) as err:
        rds.describe_reserved_db_instances()
    assert err.value.response["Error"]["Code"] == "UnsupportedOperation"

    ris = {r["ReservedInstancesId"]: r for r in ec2.describe_reserved_instances()[
        "ReservedInstances"]}
    expiring = [w for w in _waste(estate, "reserved_instance_expiring")
                if (w.account_id, w.region) == (account, region)]
    assert expiring and all(w.resource_id in ris for w in expiring)
    for w in expiring:
        left = -_age_days(ris[w.resource_id]["End"])
        assert ris[w.resource_id]["State"] == "active" and 4 <= left <= 22
    other = _client(estate, "ec2", "us-east-1", estate.accounts[0]).describe_reserved_instances()
    assert set(ris).isdisjoint(r["ReservedInstancesId"] for r in other["ReservedInstances"])
    sp = _client(estate, "savingsplans", "us-east-1", account)
    assert sp.describe_savings_plans()["savingsPlans"] == []


def test_indexed_get_metric_data_answers_like_moto(estate) -> None:
    """The estate's CloudWatch index changes how fast series are found, not what is returned."""
    from moto.backends import get_backend
    from moto.cloudwatch.models import CloudWatchBackend

    item = _waste(estate, "idle_instance")[0]
    idle_nat = next(w for w in _waste(estate, "idle_nat_gateway")
                       if (w.account_id, w.region) == (item.account_id, item.region))
    queries = [
        {"Id": f"q{i}", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": name,
                                                  "Dimensions": [{"Name": k, "Value": v}]},
                                       "Period": 86400, "Stat": stat}}
        for i, (ns, name, k, v, stat) in enumerate([
            ("AWS/EC2", "CPUUtilization", "InstanceId", item.resource_id, "Maximum"),
            ("AWS/EC2", "NetworkOut", "InstanceId", item.resource_id, "Sum"),
            ("AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", idle_nat.resource_id,
             "Sum"),
            ("AWS/EC2", "CPUUtilization", "InstanceId", "i-doesnotexist", "Average"),
        ])
    ]
    backend = get_backend("cloudwatch")[item.account_id][item.region]
    end = datetime.now(UTC).replace(microsecond=0, tzinfo=None)  # moto's naive UTC
    start = end - timedelta(days=14)
    fast = backend.get_metric_data(queries, start, end)
    slow = CloudWatchBackend.get_metric_data.moto_original(backend, queries, start, end)
    assert fast == slow
    assert len(fast[0]["values"]) >= 13 and fast[3]["values"] == []
