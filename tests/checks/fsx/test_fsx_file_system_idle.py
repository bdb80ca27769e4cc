from datetime import timedelta

import boto3

from checks.fsx.fsx_file_system_idle.check import FsxFileSystemIdle, Models
from checks.services.cloudwatch import MetricSeries, query
from checks.services.fsx import FileSystem

Q = query("AWS/FSx", "DataReadBytes", "Sum", FileSystemId="fs-1")


def fs(now, lifecycle="AVAILABLE", days=60):
    return FileSystem("fs-1", "WINDOWS", lifecycle, now - timedelta(days=days), 1024, "SSD",
                      "MULTI_AZ_1", 64, None)


def test_idle_file_system_states_its_capacity_terms(make_ctx, evaluate):
    ctx = make_ctx()
    found = evaluate(FsxFileSystemIdle(), Models([fs(ctx.now)], {"fs-1": MetricSeries(Q, (0.0,) * 14)}),
                     ctx)
    assert found[0].estimated_monthly_savings is None  # the snapshot's FSx rates are unlabelled
    assert found[0].details["missing_prices"] == ["fsx:windows-multi_az_1-ssd:gb-month",
                                                  "fsx:windows-multi_az_1:mbps-month"]
    assert found[0].savings_formula.startswith("1024 GiB x ?")


def test_used_unmeasured_or_creating_file_systems_are_not_idle(make_ctx, evaluate):
    ctx = make_ctx()
    check = FsxFileSystemIdle()
    assert evaluate(check, Models([fs(ctx.now)], {"fs-1": MetricSeries(Q, (0.0, 4096.0))}),
                    ctx) == []
    assert evaluate(check, Models([fs(ctx.now)], {"fs-1": MetricSeries(Q, ())}), ctx) == []
    for f in (fs(ctx.now, lifecycle="CREATING"), fs(ctx.now, days=5)):
        assert evaluate(check, Models([f], {"fs-1": MetricSeries(Q, (0.0,) * 14)}), ctx) == []


def test_collect_from_moto(aws, make_ctx):
    """moto serves no Lifecycle nor CreationTime (AWS always does): such a file system is
    recorded as malformed, never judged; with the estate's fidelity patch both are served."""
    from estate import fidelity_platform

    fsx = boto3.client("fsx", region_name="us-east-1")
    fsx.create_file_system(FileSystemType="WINDOWS", StorageCapacity=32,
                           SubnetIds=["subnet-0123456789"])
    ctx = make_ctx()
    if not getattr(fidelity_platform, "_installed", False) and "Lifecycle" not in \
            fsx.describe_file_systems()["FileSystems"][0]:
        assert FsxFileSystemIdle().collect(ctx).resources == []
        assert [e.code for e in ctx.errors] == ["MalformedResource"]
    fidelity_platform.install()
    fsx.delete_file_system(FileSystemId=fsx.describe_file_systems()["FileSystems"][0][
        "FileSystemId"])
    got = boto3.client("fsx", region_name="us-east-1").create_file_system(
        FileSystemType="LUSTRE", StorageCapacity=1200, SubnetIds=["subnet-0123456789"],
        LustreConfiguration={"DeploymentType": "PERSISTENT_2", "PerUnitStorageThroughput": 125})
    (f,) = FsxFileSystemIdle().collect(make_ctx()).resources
    assert f.lifecycle == "AVAILABLE"
    assert (f.id, f.type, f.storage_gib, f.deployment, f.per_unit_throughput) == (
        got["FileSystem"]["FileSystemId"], "LUSTRE", 1200, "PERSISTENT_2", 125)
