"""The catalog built from the shared price snapshots: spot checks per region family against the
raw files, read independently with DuckDB's JSON functions (not with the builder's parser), and
the committed catalog equals what `finops prices build` derives today."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from checks.prices.catalog import BUILT_PATH, PriceCatalog
from finops.cli import main

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
WATCHER = DATA / "aws-price-watcher" / "processed"
SHOP = DATA / "ec2-shop"
pytestmark = pytest.mark.skipif(not (WATCHER.is_dir() and SHOP.is_dir()),
                                reason="shared price snapshots not present")

# one region per family, with its location name as SOURCE.md lists it
FAMILIES = {
    "us-west-1": "US West (N. California)",
    "ca-central-1": "Canada (Central)",
    "eu-south-2": "EU (Spain)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "sa-east-1": "South America (Sao Paulo)",
    "me-central-1": "Middle East (UAE)",
    "af-south-1": "Africa (Cape Town)",
    "il-central-1": "Israel (Tel Aviv)",
    "mx-central-1": "Mexico (Central)",
}


def _sql(query: str, params: list[str] | None = None) -> list[tuple]:
    return duckdb.connect().execute(query, params or []).fetchall()


def _json_path(file: Path, *steps: str) -> Decimal | None:
    path = "$" + "".join(f'."{s}"' for s in steps)
    rows = _sql(f"select json_extract_string(content, '{path}') from read_text('{file}')")
    row = rows[0] if rows else None
    return None if row is None or row[0] is None else Decimal(row[0])


def _rds_price(file: Path, label: str, location: str, prefix: str = "") -> Decimal | None:
    """RDS rows append attributes to the location; match on the location prefix (or on
    `prefix`, the location text up to an attribute)."""
    rows = _sql(f"""
        select unnest(json_keys(j)) as loc, j from (
          select json_extract(content, '$."{label}"') as j from read_text('{file}'))""")
    for loc, j in rows:
        if (prefix and loc.startswith(prefix)) or loc.startswith(location + " (") \
                or loc == location:
            return Decimal(_sql(f"select json_extract_string(?, '$.\"{loc}\"')", [j])[0][0])
    return None


@pytest.fixture(scope="module")
def catalog() -> PriceCatalog:
    return PriceCatalog.load()


@pytest.mark.parametrize("region", sorted(FAMILIES))
def test_region_family_prices_equal_the_raw_snapshots(catalog, region):
    loc = FAMILIES[region]
    checks = {
        "ec2:t3.micro:linux:hour": _json_path(WATCHER / "ec2.json",
                                              "OnDemand Linux-instancetype-t3.micro", loc),
        "elb:application:hour": _json_path(WATCHER / "elb.json",
                                           "Application Load Balancer Hours", loc),
        "s3:standard:gb-month": _json_path(WATCHER / "s3.json",
                                           "Standard Storage First 50 TB per GB Mo", loc),
        "secretsmanager:secret:month": _json_path(WATCHER / "secretsmanager.json", "Secret", loc),
        "rds:db.t3.micro:mysql:hour": _rds_price(
            WATCHER / "rds-mysql-ondemand.json",
            "Database Instance MySQL No license required db t3.micro General purpose Single-AZ "
            "Current Generation", loc),
        "ebs:gp3:gb-month": _json_path(SHOP / "ebs" / "ebs.json", "regions", loc,
                                       "Storage General Purpose gp3 GB Mo", "price"),
    }
    for key, raw in checks.items():
        price = catalog.get(region, key)
        if raw is None:  # a documented gap (e.g. no EBS rows for mx-central-1): unknown, not 0
            assert price is None, (region, key)
            continue
        assert price is not None and price.amount == raw, (region, key, raw)
        assert " as of 20" in price.source


@pytest.mark.parametrize("region", sorted(FAMILIES))
def test_platform_service_prices_equal_the_raw_snapshots(catalog, region):
    """EKS, PrivateLink, Transit Gateway, OpenSearch and Studio-notebook rates (the platform idle
    checks' keys), read from the raw files with DuckDB."""
    loc = FAMILIES[region]
    notebook = _rds_price(WATCHER / "sagemaker-instances-studionotebook.json",
                          "[Standard Instances - ML Instance - Studio-Notebook]", "-",
                          prefix=f"{loc} (Instance: ml.t3.medium,")
    spellings = (_json_path(WATCHER / "eks.json", label, loc)
                 for label in ("Compute per hours", "Compute per Hours"))
    cluster_hour = sorted({p for p in spellings if p is not None})
    assert len(cluster_hour) <= 1, (region, cluster_hour)  # the two spellings agree
    checks = {
        "eks:cluster:hour": cluster_hour[0] if cluster_hour else None,
        "vpc:interface-endpoint:hour": _json_path(WATCHER / "vpc.json",
                                                  "Hourly charge for VPC Endpoints per Hrs", loc),
        "vpc:tgw-attachment-vpc:hour": _json_path(
            WATCHER / "vpc.json", "Hourly charge for Transit Gateway VPC Attachments per hour",
            loc),
        "opensearch:m5.large.search:hour": _rds_price(
            WATCHER / "es.json",
            "m5 large.search - General purpose - OnDemand - EBS Only - - - Hourly Cost", loc),
        "sagemaker:ml.t3.medium:studio-notebook:hour": notebook,
    }
    for key, raw in checks.items():
        price = catalog.get(region, key)
        if raw is None:  # e.g. no Studio-notebook rows for mx-central-1 (SOURCE.md): unknown
            assert price is None, (region, key)
            continue
        assert price is not None and price.amount == raw, (region, key, raw)


def test_gp3_throughput_is_converted_from_gibps_to_mibps(catalog):
    raw = _json_path(SHOP / "ebs" / "ebs.json", "regions", "EU (Ireland)",
                     "Provisioned Throughput gp3 per GiBps mo", "price")
    assert raw is not None
    assert catalog.get("eu-west-1", "ebs:gp3:mibps-month").amount == raw / 1024


def test_ec2_types_missing_from_the_newer_snapshot_come_from_ec2_shop(catalog):
    # i7ie is in the April 2025 ec2-shop files only (aws-price-watcher SOURCE.md)
    raw = _json_path(SHOP / "ec2" / "us-east-1-ondemand.json", "regions",
                     "US East (N. Virginia)", "i7ie large US East N. Virginia Linux", "price")
    price = catalog.get("us-east-1", "ec2:i7ie.large:linux:hour")
    assert raw is not None and price is not None and price.amount == raw
    assert price.source == "ec2-shop/ec2/us-east-1-ondemand.json as of 2025-04-04"


def test_keys_the_snapshots_lack_stay_transcribed_or_unknown(catalog):
    nat = catalog.get("us-east-1", "vpc:nat-gateway:hour")
    assert nat is not None and "transcribed" in nat.source
    assert catalog.get("ca-central-1", "vpc:nat-gateway:hour") is None
    assert catalog.get("ap-south-1", "ec2:m5.large:windows:hour") is None


def test_committed_catalog_is_what_the_build_command_derives(tmp_path):
    out = tmp_path / "built.json"
    assert main(["prices", "build", "--data-dir", str(DATA), "--out", str(out)]) == 0
    assert out.read_bytes() == BUILT_PATH.read_bytes()


@pytest.mark.parametrize("region", ["eu-west-1", "ap-south-1"])
def test_keys_of_the_data_service_checks_equal_the_raw_snapshots(catalog, region):
    loc = {"eu-west-1": "EU (Ireland)", "ap-south-1": "Asia Pacific (Mumbai)"}[region]
    checks = {
        "fargate:arm64:vcpu-hour": _json_path(WATCHER / "ecs.json", "ARM perCPU per hour", loc),
        "fargate:x86_64:gb-hour": _json_path(WATCHER / "ecs.json", "perGB per hour", loc),
        "dynamodb:rru:request": _json_path(WATCHER / "dynamodb.json",
                                           "PayPerRequest Read Request Units", loc),
        "rds:gp3:multi-az:gb-month": _rds_price(
            WATCHER / "rds-storage.json", "Database Storage Multi AZ General Purpose-GP3", loc),
        "rds:aurora-io:request": _rds_price(WATCHER / "rds-aurora-storage.json",
                                            "System Operation Aurora I O Operation", loc),
        "rds:db.r6g.large:aurora-postgresql:io-optimized:hour": _rds_price(
            WATCHER / "rds-aurora-ondemand.json",
            "[Database Instance Aurora PostgreSQL No license required Aurora IO Optimization Mode "
            "Memory optimized Single-AZ Current Generation] Database Instance Aurora PostgreSQL "
            "No license required Aurora IO Optimization Mode db r6g.large Memory optimized "
            "Single-AZ Current Generation", loc),
        # given once for location "Any": the same price in every region
        "cloudwatch:dashboard:month": _json_path(WATCHER / "cloudwatch.json",
                                                 "Dashboard Basic Dashboard", "Any"),
    }
    for key, raw in checks.items():
        price = catalog.get(region, key)
        assert raw is not None and price is not None and price.amount == raw, (region, key, raw)
    standard = catalog.get(region, "rds:db.r6g.large:aurora-postgresql:hour")
    optimized = catalog.get(region, "rds:db.r6g.large:aurora-postgresql:io-optimized:hour")
    assert standard is not None and optimized is not None and optimized.amount > standard.amount
