"""Build the price catalog from the shared snapshots of AWS's published on-demand prices.

Two snapshot folders are read (each described by its SOURCE.md):
- `aws-price-watcher/processed/<service>.json`: `{label: {location: price}}`, AWS pricing-calculator
  metered-unit maps flattened (snapshot 2025-06-18); the preferred source, it is the newer one.
- `ec2-shop/ec2/<region>-ondemand.json` (AWS map of 2025-04-04) for EC2 instance types the
  newer snapshot lacks, and `ec2-shop/ebs/ebs.json` (2024-07-18), the only EBS prices there are.

Both name locations ("EU (Ireland)"), never region codes: the code comes from the ec2-shop file
names, which carry both. Every price keeps the file it came from, the label it was read under and
that file's date, so a finding can say which price it used and how old it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from checks.prices.catalog import CatalogError, parse_price, plain, read_object

WATCHER = "aws-price-watcher"
SHOP = "ec2-shop"
MIB_PER_GIB = Decimal(1024)


class SnapshotError(CatalogError):
    """A snapshot file is missing or does not have the shape its SOURCE.md documents."""


@dataclass(frozen=True)
class SourcePrice:
    region: str
    key: str
    amount: Decimal
    file: str  # relative to the data dir, e.g. "aws-price-watcher/processed/ec2.json"
    label: str  # the label (metric / entry name) the price was read under
    as_of: str  # date of the file's data (ISO date)


def regions_by_location(data_dir: Path) -> dict[str, str]:
    """AWS location name -> commercial region code, from the ec2-shop file names."""
    out: dict[str, str] = {}
    for path in sorted((data_dir / SHOP / "ec2").glob("*-ondemand.json")):
        region = path.name.removesuffix("-ondemand.json")
        doc = read_object(path, "price snapshot")
        locations = list((doc.get("regions") or {}).keys())
        if len(locations) != 1:
            raise SnapshotError(f"{path}: expected one location, found {locations}")
        out[locations[0]] = region
    if not out:
        raise SnapshotError(f"{data_dir / SHOP / 'ec2'}: no <region>-ondemand.json files")
    return out


def base_location(text: str) -> str:
    """'US East (N. Virginia) (Instance Type: db.m5.large, ...)' -> 'US East (N. Virginia)'."""
    end = text.find(")")
    return text[: end + 1] if end >= 0 else text


def attributes(text: str) -> dict[str, str]:
    """The '(Name: value, ...)' attributes appended to a location, as a dict."""
    rest = text[len(base_location(text)):].strip()
    if not (rest.startswith("(") and rest.endswith(")")):
        return {}
    out = {}
    for part in rest[1:-1].split(", "):
        name, sep, value = part.partition(": ")
        if sep:
            out[name.strip()] = value.strip()
    return out


# --- aws-price-watcher: label -> key rules ------------------------------------------------

Rule = Callable[[str, str], "str | None"]  # (label, location text) -> key or None


def _exact(table: Mapping[str, str]) -> Rule:
    return lambda label, _loc: table.get(label)


def _ec2(label: str, _loc: str) -> str | None:
    m = re.fullmatch(r"OnDemand Linux-instancetype-(\S+)", label)
    return f"ec2:{m.group(1)}:linux:hour" if m else None


def _emr(label: str, _loc: str) -> str | None:
    m = re.fullmatch(r"Instance-instancetype-(\S+)", label)
    return f"emr:{m.group(1)}:hour" if m else None


_RDS_INSTANCE = re.compile(
    r"Database Instance (?P<engine>MySQL|MariaDB|PostgreSQL) No license required "
    r"db (?P<cls>\S+) .* (?P<dep>Single-AZ|Multi-AZ) (?:Current|Previous) Generation")
_RDS_ENGINES = {"MySQL": "mysql", "MariaDB": "mariadb", "PostgreSQL": "postgresql",
                "Aurora MySQL": "aurora-mysql", "Aurora PostgreSQL": "aurora-postgresql"}
_AURORA = re.compile(
    r"\[[^]]*\] Database Instance (?P<engine>Aurora MySQL|Aurora PostgreSQL) No license required "
    r"db (?P<cls>\S+) [^[]* Single-AZ (?:Current|Previous) Generation")


def _rds(label: str, _loc: str) -> str | None:
    """Single-AZ / Multi-AZ instance hours without licence; 'Multi-AZ readable standbys'
    (Multi-AZ DB clusters) is another product and is not matched."""
    m = _RDS_INSTANCE.fullmatch(label)
    if not m or "readable standbys" in label:
        return None
    suffix = ":multi-az" if m.group("dep") == "Multi-AZ" else ""
    return f"rds:db.{m.group('cls')}:{_RDS_ENGINES[m.group('engine')]}{suffix}:hour"


def _aurora(label: str, _loc: str) -> str | None:
    """Aurora Standard instance hours (I/O-Optimized rows carry 'IO Optimized' and differ)."""
    m = _AURORA.fullmatch(label)
    if not m or "IO Optimized" in label or "IO-Optimized" in label:
        return None
    return f"rds:db.{m.group('cls')}:{_RDS_ENGINES[m.group('engine')]}:hour"


_AURORA_IOPT = re.compile(
    r"\[[^]]*\] Database Instance (?P<engine>Aurora MySQL|Aurora PostgreSQL) No license required "
    r"Aurora IO Optimization Mode db (?P<cls>\S+) [^[]* Single-AZ (?:Current|Previous) Generation")
_AURORA_STORAGE = {
    "Any IO Optimized Aurora": "rds:aurora-iopt1:gb-month",
    "System Operation Aurora I O Operation": "rds:aurora-io:request",
}


def _aurora_iopt(label: str, _loc: str) -> str | None:
    """Aurora I/O-Optimized instance hours ('Aurora IO Optimization Mode' rows)."""
    m = _AURORA_IOPT.fullmatch(label)
    if not m:
        return None
    return f"rds:db.{m.group('cls')}:{_RDS_ENGINES[m.group('engine')]}:io-optimized:hour"


def _aurora_any(label: str, loc: str) -> str | None:
    return _aurora(label, loc) or _aurora_iopt(label, loc)


def _elasticache(label: str, _loc: str) -> str | None:
    m = re.fullmatch(r"\[OnDemand Cache Instance [^]]* Redis (?:Current|Previous) Generation\] "
                     r"OnDemand Cache Instance .+? cache (\S+) Redis (?:Current|Previous) "
                     r"Generation", label)
    return f"elasticache:cache.{m.group(1)}:hour" if m else None


def _redshift(label: str, loc: str) -> str | None:
    if not label.startswith("[OnDemand Compute Instance"):
        return None
    node = attributes(loc).get("Instance Type")
    return f"redshift:{node}:hour" if node else None


def _opensearch(label: str, _loc: str) -> str | None:
    """'m7i large.search - General purpose - OnDemand - EBS Only - - - Hourly Cost' (the
    family and size are split by a space) -> opensearch:m7i.large.search:hour."""
    m = re.fullmatch(r"(\S+) (\S+\.search) - [^-]+ - OnDemand - .* - Hourly Cost", label)
    return f"opensearch:{m.group(1)}.{m.group(2)}:hour" if m else None


def _studio_notebook(label: str, loc: str) -> str | None:
    if not label.endswith("- Studio-Notebook]"):
        return None
    kind = attributes(loc).get("Instance")
    return f"sagemaker:{kind}:studio-notebook:hour" if kind else None


WATCHER_RULES: dict[str, Rule] = {
    "ec2.json": _ec2,
    "elasticmapreduce.json": _emr,
    "rds-mysql-ondemand.json": _rds,
    "rds-mariadb-ondemand.json": _rds,
    "rds-postgresql-ondemand.json": _rds,
    "rds-aurora-ondemand.json": _aurora_any,
    "rds-aurora-storage.json": _exact(_AURORA_STORAGE),
    "elasticache.json": _elasticache,
    "redshift.json": _redshift,
    "rds-storage.json": _exact({
        "Database Storage Single AZ General Purpose": "rds:gp2:gb-month",
        "Database Storage Single AZ General Purpose-GP3": "rds:gp3:gb-month",
        "Database Storage Multi AZ General Purpose": "rds:gp2:multi-az:gb-month",
        "Database Storage Multi AZ General Purpose-GP3": "rds:gp3:multi-az:gb-month",
        "Provisioned GP3 IOPS Single AZ": "rds:gp3:iops-month",
        "Provisioned GP3 IOPS Multi AZ": "rds:gp3:multi-az:iops-month",
        "Database Storage Single AZ Provisioned IOPS": "rds:io1:gb-month",
        "Database Storage Single AZ Provisioned IOPS-IO2": "rds:io2:gb-month",
        "Database Storage Single AZ Magnetic": "rds:standard:gb-month",
        "Storage Snapshot": "rds:snapshot:gb-month",
        "Database Storage Single AZ General Purpose-Aurora": "rds:aurora:gb-month",
    }),
    "elb.json": _exact({
        "Application Load Balancer Hours": "elb:application:hour",
        "Network Load Balancer Hours": "elb:network:hour",
        "Classic Load Balancer Hours": "elb:classic:hour",
    }),
    "vpc.json": _exact({
        "Hourly charge for Idle Public IPv4 Addresses per Hrs": "ec2:public-ipv4:hour",
        "Hourly charge for VPC Endpoints per Hrs": "vpc:interface-endpoint:hour",  # per AZ
        "Hourly charge for Transit Gateway VPC Attachments per hour":
            "vpc:tgw-attachment-vpc:hour",
        "Hourly charge for Transit Gateway Site to-Site VPN attachments per hour":
            "vpc:tgw-attachment-vpn:hour",
        "Hourly charge for Transit Gateway Peering Attachments per hour":
            "vpc:tgw-attachment-peering:hour",
        "Hourly charge for Transit Gateway Connect attachments per hour":
            "vpc:tgw-attachment-connect:hour",
        "Hourly charge for Transit Gateway AWS Direct Connect Gateway attachments per hour":
            "vpc:tgw-attachment-direct-connect-gateway:hour",
    }),
    # both spellings are the standard-support cluster-hour
    "eks.json": _exact({"Compute per hours": "eks:cluster:hour",
                        "Compute per Hours": "eks:cluster:hour"}),
    "es.json": _opensearch,
    "sagemaker-instances-studionotebook.json": _studio_notebook,
    "s3.json": _exact({
        "Standard Storage First 50 TB per GB Mo": "s3:standard:gb-month",
        "Standard Infrequent Access Storage per GB-Mo": "s3:standard-ia:gb-month",
    }),
    "cloudwatch.json": _exact({
        "Metric for the first 10000": "cloudwatch:metric:month",
        "Logs Collected Data Ingestion": "logs:ingest:gb",
        "Stored Data": "logs:storage:gb-month",
    }),
    "lambda.json": _exact({
        "Lambda Duration": "lambda:x86_64:gb-second",
        "Lambda Duration-ARM": "lambda:arm64:gb-second",
    }),
    "kms.json": _exact({"Encryption Key": "kms:key:month"}),
    "ecr.json": _exact({"EC2 Container Registry": "ecr:storage:gb-month"}),
    "ecs.json": _exact({
        "perCPU per hour": "fargate:x86_64:vcpu-hour",
        "perGB per hour": "fargate:x86_64:gb-hour",
        "ARM perCPU per hour": "fargate:arm64:vcpu-hour",
        "ARM perGB per hour": "fargate:arm64:gb-hour",
    }),
    "secretsmanager.json": _exact({"Secret": "secretsmanager:secret:month"}),
    "dynamodb.json": _exact({
        "Provisioned Read Units": "dynamodb:rcu:hour",
        "Provisioned Write Units": "dynamodb:wcu:hour",
        "PayPerRequest Read Request Units": "dynamodb:rru:request",
        "PayPerRequest Write Request Units": "dynamodb:wru:request",
    }),
}

# prices given once for location "Any" (not per region): (file, label) -> key
ANY = "Any"
GLOBAL_LABELS: dict[tuple[str, str], str] = {
    ("cloudwatch.json", "Dashboard Basic Dashboard"): "cloudwatch:dashboard:month",
}

# ebs.json labels -> (key, divisor): gp3 throughput is sold per GiB/s-month, the checks count MiB/s.
EBS_LABELS: dict[str, tuple[str, Decimal]] = {
    "Storage General Purpose gp2 GB Mo": ("ebs:gp2:gb-month", Decimal(1)),
    "Storage General Purpose gp3 GB Mo": ("ebs:gp3:gb-month", Decimal(1)),
    "Storage Provisioned IOPS io1 GB Mo": ("ebs:io1:gb-month", Decimal(1)),
    "Storage Provisioned IOPS io2 GB month": ("ebs:io2:gb-month", Decimal(1)),
    "Storage Cold HDD sc1 GB Mo": ("ebs:sc1:gb-month", Decimal(1)),
    "Storage Throughput Optimized HDD st1 GB Mo": ("ebs:st1:gb-month", Decimal(1)),
    "Storage Magnetic standard GB Mo": ("ebs:standard:gb-month", Decimal(1)),
    "Storage Snapshot Amazon S3 GB Mo": ("ebs:snapshot:gb-month", Decimal(1)),
    "Storage Snapshot Amazon S3 SnapshotArchiveStorage GB Mo":
        ("ebs:snapshot-archive:gb-month", Decimal(1)),
    "Provisioned EBS IOPS gp3 Volumes per IOPS Mo": ("ebs:gp3:iops-month", Decimal(1)),
    "Provisioned EBS IOPS io1 Volumes per IOPS Mo": ("ebs:io1:iops-month", Decimal(1)),
    "Provisioned EBS IOPS io2 Volumes per IOPS Mo": ("ebs:io2:iops-month", Decimal(1)),
    "Provisioned Throughput gp3 per GiBps mo": ("ebs:gp3:mibps-month", MIB_PER_GIB),
}


def watcher_date(data_dir: Path) -> str:
    """The snapshot date SOURCE.md gives for aws-price-watcher ("snapshot of YYYY-MM-DD")."""
    text = (data_dir / WATCHER / "SOURCE.md").read_text()
    m = re.search(r"snapshot of (\d{4}-\d{2}-\d{2})", text)
    if not m:
        raise SnapshotError(f"{data_dir / WATCHER / 'SOURCE.md'}: no 'snapshot of <date>'")
    return m.group(1)


def watcher_prices(data_dir: Path, regions: Mapping[str, str]) -> Iterator[SourcePrice]:
    as_of = watcher_date(data_dir)
    for name, rule in WATCHER_RULES.items():
        path = data_dir / WATCHER / "processed" / name
        rel = f"{WATCHER}/processed/{name}"
        for label, by_location in read_object(path, "price snapshot").items():
            if not isinstance(by_location, dict):
                raise SnapshotError(f"{path}: {label!r} is not a location -> price map")
            for loc, value in by_location.items():
                if loc == ANY and (name, label) in GLOBAL_LABELS:  # one price, every region
                    amount = parse_price(value, f"{path}: {label!r}")
                    everywhere = GLOBAL_LABELS[(name, label)]
                    yield from (SourcePrice(r, everywhere, amount, rel, label, as_of)
                                for r in sorted(set(regions.values())))
                    continue
                region = regions.get(base_location(loc))
                if region is None:
                    continue  # Local Zones, Wavelength, GovCloud, "Any"
                key = rule(label, loc)
                if key is not None:
                    yield SourcePrice(region, key, parse_price(value, f"{path}: {label!r}"), rel, label, as_of)


def shop_ec2_prices(data_dir: Path, regions: Mapping[str, str]) -> Iterator[SourcePrice]:
    for path in sorted((data_dir / SHOP / "ec2").glob("*-ondemand.json")):
        doc = read_object(path, "price snapshot")
        as_of = str(doc["manifest"]["hawkFilePublicationDate"])[:10]
        rel = f"{SHOP}/ec2/{path.name}"
        for loc, entries in doc["regions"].items():
            region = regions[loc]
            for label, entry in entries.items():
                if entry.get("Operating System") != "Linux" or entry.get("Pre Installed S/W") != "NA":
                    continue
                key = f"ec2:{entry['Instance Type']}:linux:hour"
                yield SourcePrice(region, key, parse_price(entry["price"], f"{path}: {label!r}"), rel, label,
                                  as_of)


def shop_ebs_prices(data_dir: Path, regions: Mapping[str, str]) -> Iterator[SourcePrice]:
    path = data_dir / SHOP / "ebs" / "ebs.json"
    doc = read_object(path, "price snapshot")
    as_of = str(doc["manifest"]["hawkFilePublicationDate"])[:10]
    for loc, entries in doc["regions"].items():
        region = regions.get(loc)
        if region is None:
            continue
        for label, (key, divisor) in EBS_LABELS.items():
            if label in entries:
                amount = parse_price(entries[label]["price"], f"{path}: {label!r}") / divisor
                yield SourcePrice(region, key, amount, f"{SHOP}/ebs/ebs.json", label, as_of)


def build(data_dir: Path) -> dict[tuple[str, str], SourcePrice]:
    """(region, key) -> price. The newer aws-price-watcher snapshot wins; ec2-shop fills the
    EC2 types it lacks. Two labels mapping to one key with different prices is an error."""
    regions = regions_by_location(data_dir)
    out: dict[tuple[str, str], SourcePrice] = {}
    for stream, overwrite in ((watcher_prices(data_dir, regions), True),
                              (shop_ec2_prices(data_dir, regions), False),
                              (shop_ebs_prices(data_dir, regions), True)):
        chosen: dict[tuple[str, str], SourcePrice] = {}
        for p in stream:
            prev = chosen.get((p.region, p.key))
            if prev is not None and prev.amount != p.amount:
                raise SnapshotError(f"{p.file}: {p.region} {p.key}: {prev.label!r}={prev.amount}"
                                    f" vs {p.label!r}={p.amount}")
            chosen[(p.region, p.key)] = p
        for k, p in chosen.items():
            if overwrite or k not in out:
                out[k] = p
    return out


def catalog_document(prices: Mapping[tuple[str, str], SourcePrice],
                     fallback: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """The generated catalog: per price [amount, source id], each source a file and its date.
    Transcribed keys the snapshots lack are not copied: the loader adds them from catalog.json,
    cited as transcribed (so an edit there needs no rebuild). Returns (document, that count)."""
    sources: dict[str, dict[str, str]] = {}
    ids: dict[tuple[str, str], str] = {}
    regions: dict[str, dict[str, list[str]]] = {}
    for (region, key), p in sorted(prices.items()):
        sid = ids.setdefault((p.file, p.as_of), f"s{len(ids) + 1}")
        sources[sid] = {"file": p.file, "as_of": p.as_of}
        regions.setdefault(region, {})[key] = [plain(p.amount), sid]
    kept = sum(1 for region, table in (fallback.get("regions") or {}).items()
               for key in table if key not in regions.get(region, {}))
    dates = sorted({p.as_of for p in prices.values()})
    doc = {
        "currency": "USD",
        "source": "AWS Price List public on-demand prices, shared snapshots "
                  + ", ".join(sorted({p.file.split("/")[0] for p in prices.values()})),
        "as_of": dates[-1] if dates else "",
        "generated_by": "finops prices build",
        "note": ("AWS published on-demand (list) prices read from the shared snapshots "
                 "(aws-price-watcher, ec2-shop). Keys the snapshots lack (Windows EC2, NAT gateway, "
                 "RDS extended support) are read from the transcribed catalog.json at load time."),
        "sources": dict(sorted(sources.items())),
        "regions": {r: dict(sorted(t.items())) for r, t in sorted(regions.items())},
    }
    return doc, kept


def dumps(doc: Mapping[str, Any]) -> str:
    """One price per line: diffs of a rebuild show exactly which prices moved."""
    lines = ["{"]
    head = {k: v for k, v in doc.items() if k != "regions"}
    for k, v in head.items():
        lines.append(f" {json.dumps(k)}: {json.dumps(v, sort_keys=True)},")
    lines.append(' "regions": {')
    regions = list(doc["regions"].items())
    for i, (region, table) in enumerate(regions):
        lines.append(f"  {json.dumps(region)}: {{")
        items = list(table.items())
        for j, (key, value) in enumerate(items):
            comma = "," if j < len(items) - 1 else ""
            lines.append(f"   {json.dumps(key)}: {json.dumps(value)}{comma}")
        lines.append("  }" + ("," if i < len(regions) - 1 else ""))
    lines.append(" }")
    lines.append("}")
    return "\n".join(lines) + "\n"
