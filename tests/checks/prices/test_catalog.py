from decimal import Decimal

import pytest

from checks.prices.catalog import CatalogError, PriceCatalog
from checks.pricing import Term, estimate


def test_shipped_catalog_covers_the_commercial_regions_and_cites_its_sources(catalog):
    assert len(catalog.regions) >= 32
    assert "Price List" in catalog.source and catalog.as_of
    for region in catalog.regions:
        price = catalog.get(region, "elb:application:hour")
        assert price is not None and " as of 20" in price.source
    # the three regions that opened after the EBS snapshot (2024-07-18) have no EBS prices
    assert catalog.get("mx-central-1", "ebs:gp3:gb-month") is None
    assert catalog.get("eu-west-1", "ebs:gp3:gb-month").source == \
        "ec2-shop/ebs/ebs.json as of 2024-07-18"


def test_estimate_sums_terms_and_shows_numbers(catalog):
    est = estimate(catalog, "us-east-1", [
        Term(Decimal(500), "500 GiB", "ebs:gp2:gb-month"),
        Term(Decimal(500), "500 GiB", "ebs:gp3:gb-month", sign=-1)])
    assert est.amount == Decimal("10.00")
    assert est.formula.startswith("500 GiB x $0.1/gb-month (ebs:gp2:gb-month, us-east-1) - 500")
    assert est.evidence()["prices"] == {"ebs:gp2:gb-month": "0.1 USD/gb-month",
                                        "ebs:gp3:gb-month": "0.08 USD/gb-month"}


def test_missing_price_is_unknown_not_zero(catalog):
    est = estimate(catalog, "us-east-1", [Term(Decimal(1), "1 h", "ec2:zz.large:linux:hour")])
    assert est.amount is None and est.missing == ("ec2:zz.large:linux:hour",)


@pytest.mark.parametrize("bad", ["-1", "abc", "NaN"])
def test_bad_catalog_price_rejected(bad):
    with pytest.raises(CatalogError):
        PriceCatalog.from_mapping({"regions": {"us-east-1": {"ebs:gp2:gb-month": bad}}})
