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


def test_partly_priced_saving_is_a_flagged_lower_bound():
    """An idle EMR node: its EC2 part is priced, its EMR fee is not. The finding saves at least
    the EC2 part (3 x 730 h x $0.5 = $1095.00), flagged as a lower bound with the missing key."""
    cat = PriceCatalog.from_mapping({"regions": {"eu-west-1": {"ec2:m5.xlarge:linux:hour": "0.5"}}})
    terms = [Term(Decimal(2190), "3 x 730 h", "ec2:m5.xlarge:linux:hour"),
             Term(Decimal(2190), "3 x 730 h", "emr:m5.xlarge:hour")]
    est = estimate(cat, "eu-west-1", terms)
    assert est.amount == Decimal("1095.00") and est.lower_bound
    assert est.evidence()["savings_bound"] == "lower"
    assert est.evidence()["missing_prices"] == ["emr:m5.xlarge:hour"]
    assert ">= $1095.00/month (lower bound: emr:m5.xlarge:hour not priced)" in est.formula
    # a missing price on a subtracted term could make the saving smaller: no bound, unknown
    minus = estimate(cat, "eu-west-1", [terms[0], Term(Decimal(1), "1", "emr:m5.xlarge:hour",
                                                       sign=-1)])
    assert minus.amount is None and not minus.lower_bound
    # nothing priced: unknown, not a zero lower bound
    assert estimate(cat, "eu-west-1", terms[1:]).amount is None
    # an upper-bounded estimate never becomes a lower bound as well
    assert estimate(cat, "eu-west-1", terms, upper_bound=True).amount is None
