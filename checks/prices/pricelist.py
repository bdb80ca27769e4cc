"""Parse AWS Price List data (offer files and pricing:GetProducts items) into catalog keys.

Only the on-demand, shared-tenancy, no-pre-installed-software, license-included-or-none SKUs
map to a key: those are the prices the checks quote. Every other SKU (reserved terms, SQL Server
images, dedicated hosts, BYOL) is ignored on purpose, not by accident: a Linux + SQL Enterprise
hour is not the price of a Linux hour.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Price List "location" names -> region codes (newer data also carries `regionCode`).
LOCATIONS: dict[str, str] = {
    "US East (N. Virginia)": "us-east-1",
    "US East (Ohio)": "us-east-2",
    "US West (N. California)": "us-west-1",
    "US West (Oregon)": "us-west-2",
    "Canada (Central)": "ca-central-1",
    "EU (Ireland)": "eu-west-1",
    "EU (London)": "eu-west-2",
    "EU (Paris)": "eu-west-3",
    "EU (Frankfurt)": "eu-central-1",
    "EU (Stockholm)": "eu-north-1",
    "Asia Pacific (Singapore)": "ap-southeast-1",
    "Asia Pacific (Sydney)": "ap-southeast-2",
    "Asia Pacific (Tokyo)": "ap-northeast-1",
    "Asia Pacific (Seoul)": "ap-northeast-2",
    "Asia Pacific (Mumbai)": "ap-south-1",
    "South America (Sao Paulo)": "sa-east-1",
}
RDS_ENGINES = {
    "MySQL": "mysql",
    "MariaDB": "mariadb",
    "PostgreSQL": "postgresql",
    "Aurora MySQL": "aurora-mysql",
    "Aurora PostgreSQL": "aurora-postgresql",
}
EBS_UNITS = {"GB-Mo": "gb-month", "IOPS-Mo": "iops-month", "GiBps-mo": "gibps-month"}


@dataclass(frozen=True)
class PriceEntry:
    region: str
    key: str
    amount: Decimal
    sku: str


class PriceListError(ValueError):
    """Price List content that does not have the documented shape."""


def region_of(attrs: Mapping[str, str]) -> str | None:
    return attrs.get("regionCode") or LOCATIONS.get(attrs.get("location", ""))


def key_for(family: str, attrs: Mapping[str, str]) -> str | None:
    """The catalog key of a product, or None when the SKU is not one the checks price."""
    if family == "Compute Instance":
        if attrs.get("tenancy") != "Shared" or attrs.get("preInstalledSw", "NA") != "NA":
            return None
        if attrs.get("capacitystatus", "Used") != "Used":
            return None
        os_name = {"Linux": "linux", "Windows": "windows"}.get(attrs.get("operatingSystem", ""))
        license_ok = attrs.get("licenseModel") in ("No License required", "License Included",
                                                    None)
        if os_name is None or not license_ok or "instanceType" not in attrs:
            return None
        return f"ec2:{attrs['instanceType']}:{os_name}:hour"
    if family == "Database Instance":
        engine = RDS_ENGINES.get(attrs.get("databaseEngine", ""))
        if engine is None or attrs.get("licenseModel", "No license required").lower() != \
                "no license required":
            return None
        deployment = attrs.get("deploymentOption", "Single-AZ")
        if deployment not in ("Single-AZ", "Multi-AZ"):
            return None
        suffix = ":multi-az" if deployment == "Multi-AZ" else ""
        return f"rds:{attrs['instanceType']}:{engine}{suffix}:hour"
    if family == "Storage" and attrs.get("volumeApiName"):
        return f"ebs:{attrs['volumeApiName']}:gb-month"
    return None


def _on_demand_price(terms: Mapping[str, Any], sku: str) -> Decimal | None:
    offers = (terms.get("OnDemand") or {}).get(sku) or {}
    prices: list[Decimal] = []
    for offer in offers.values():
        for dim in (offer.get("priceDimensions") or {}).values():
            usd = (dim.get("pricePerUnit") or {}).get("USD")
            if usd is None or dim.get("beginRange", "0") != "0":
                continue  # tiered prices: the first tier is the list price
            prices.append(Decimal(usd))
    if not prices:
        return None
    if len(set(prices)) > 1:
        raise PriceListError(f"sku {sku}: several first-tier on-demand prices {sorted(prices)}")
    return prices[0]


def _entry(product: Mapping[str, Any], terms: Mapping[str, Any]) -> PriceEntry | None:
    try:
        sku = product["sku"]
        attrs = product.get("attributes") or {}
        family = product.get("productFamily", "")
    except (KeyError, TypeError) as exc:
        raise PriceListError(f"product without sku/attributes: {exc}") from exc
    key = key_for(family, attrs)
    region = region_of(attrs)
    if key is None or region is None:
        return None
    amount = _on_demand_price(terms, sku)
    if amount is None:
        return None
    return PriceEntry(region, key, amount.normalize(), sku)


def parse_offer_file(doc: Mapping[str, Any]) -> list[PriceEntry]:
    """An offer file (`products` + `terms`), e.g. `offers/v1.0/aws/AmazonEC2/current/...json`."""
    if "products" not in doc or "terms" not in doc:
        raise PriceListError("not an offer file: needs 'products' and 'terms'")
    out = []
    for product in doc["products"].values():
        entry = _entry(product, doc["terms"])
        if entry is not None:
            out.append(entry)
    return sorted(out, key=lambda e: (e.region, e.key, e.sku))


def parse_get_products(items: Iterable[str | Mapping[str, Any]]) -> list[PriceEntry]:
    """Items of pricing:GetProducts `PriceList` (each a JSON string of product + terms)."""
    out = []
    for item in items:
        doc = json.loads(item) if isinstance(item, str) else item
        product = doc.get("product") or {}
        terms = {
            kind: {product.get("sku"): offers}
            for kind, offers in (doc.get("terms") or {}).items()
        }
        entry = _entry(product, terms)
        if entry is not None:
            out.append(entry)
    return sorted(out, key=lambda e: (e.region, e.key, e.sku))


def merge(catalog: Mapping[str, Any], entries: Iterable[PriceEntry], as_of: str,
          source: str) -> tuple[dict[str, Any], list[str]]:
    """A new catalog mapping with the entries applied; returns it with the conflicts found
    (two SKUs mapping to one key with different prices keep the lower, and are reported)."""
    out = json.loads(json.dumps(catalog))
    regions: dict[str, dict[str, str]] = out.setdefault("regions", {})
    seen: dict[tuple[str, str], PriceEntry] = {}
    conflicts: list[str] = []
    for e in entries:
        prev = seen.get((e.region, e.key))
        if prev is not None and prev.amount != e.amount:
            conflicts.append(f"{e.region} {e.key}: {prev.sku}={prev.amount} vs {e.sku}={e.amount}")
            if e.amount >= prev.amount:
                continue
        seen[(e.region, e.key)] = e
    for (region, key), e in sorted(seen.items()):
        regions.setdefault(region, {})[key] = format(e.amount, "f")
    for region in regions:
        regions[region] = dict(sorted(regions[region].items()))
    out.setdefault("history", []).append(
        {"as_of": as_of, "source": source, "prices": len(seen)}
    )
    out["as_of"] = as_of
    return out, conflicts
