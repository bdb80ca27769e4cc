import json
from decimal import Decimal
from pathlib import Path

import pytest

from checks.prices.pricelist import (
    PriceListError,
    merge,
    parse_get_products,
    parse_offer_file,
)

DATA = Path("/work/shared/data/netflix-ice-jimroth-fork")
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="shared Price List sample not present")


@needs_data
def test_ec2_offer_file_keeps_only_plain_linux_on_demand():
    entries = parse_offer_file(json.loads((DATA / "PriceListTestData.json").read_text()))
    # t2.small Linux in us-east-1 at $0.023; the Singapore c5.9xlarge is Linux + SQL Enterprise
    assert [(e.region, e.key, e.amount) for e in entries] == [
        ("us-east-1", "ec2:t2.small:linux:hour", Decimal("0.023"))]


@needs_data
def test_rds_offer_file_single_and_multi_az():
    entries = parse_offer_file(json.loads((DATA / "RdsPriceListTestData.json").read_text()))
    assert {e.key: e.amount for e in entries} == {
        "rds:db.m4.4xlarge:mysql:hour": Decimal("1.401"),
        "rds:db.m4.4xlarge:mysql:multi-az:hour": Decimal("2.802"),
    }


@needs_data
def test_get_products_items_parse_like_offer_files():
    doc = json.loads((DATA / "PriceListTestData.json").read_text())
    items = [json.dumps({"product": p, "terms": {k: v[sku] for k, v in doc["terms"].items()
                                                 if sku in v}})
             for sku, p in doc["products"].items()]
    assert [e.key for e in parse_get_products(items)] == ["ec2:t2.small:linux:hour"]


def test_not_an_offer_file():
    with pytest.raises(PriceListError):
        parse_offer_file({"products": {}})


def test_merge_keeps_lower_on_conflict_and_records_history():
    from checks.prices.pricelist import PriceEntry

    entries = [PriceEntry("us-east-1", "ec2:a.large:linux:hour", Decimal("0.2"), "S1"),
               PriceEntry("us-east-1", "ec2:a.large:linux:hour", Decimal("0.1"), "S2")]
    out, conflicts = merge({"regions": {"us-east-1": {"ebs:gp2:gb-month": "0.10"}}}, entries,
                           "2026-01-01", "test")
    assert out["regions"]["us-east-1"] == {"ebs:gp2:gb-month": "0.10",
                                           "ec2:a.large:linux:hour": "0.1"}
    assert len(conflicts) == 1 and out["history"][-1]["source"] == "test"
