import json
import shutil
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from checks.prices.catalog import DEFAULT_PATH, PriceCatalog
from finops.cli import main
from finops.commands.prices import fetch_from_api

DATA = Path("/work/shared/data/netflix-ice-jimroth-fork")


@pytest.mark.skipif(not DATA.is_dir(), reason="shared Price List sample not present")
def test_refresh_from_offer_files_merges_into_a_copy(tmp_path):
    cat = tmp_path / "catalog.json"
    shutil.copy(DEFAULT_PATH, cat)
    rc = main(["prices", "refresh", "--catalog", str(cat), "--all-types",
               "--offer-file", str(DATA / "PriceListTestData.json"),
               "--offer-file", str(DATA / "RdsPriceListTestData.json")])
    assert rc == 0
    merged = PriceCatalog.load(cat)
    assert str(merged.get("us-east-1", "ec2:t2.small:linux:hour").amount) == "0.023"
    assert str(merged.get("us-east-1", "rds:db.m4.4xlarge:mysql:multi-az:hour").amount) == "2.802"
    doc = json.loads(cat.read_text())
    assert "offer files" in doc["history"][-1]["source"]
    # untouched keys survive the merge
    assert merged.get("eu-west-1", "ebs:gp3:gb-month") is not None


def test_fetch_from_api_pages_get_products():
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x")
    client = session.client("pricing", region_name="us-east-1")
    item = {"product": {"sku": "S1", "productFamily": "Compute Instance", "attributes": {
        "regionCode": "eu-west-1", "instanceType": "m5.large", "tenancy": "Shared",
        "operatingSystem": "Linux", "preInstalledSw": "NA", "licenseModel": "No License required",
        "capacitystatus": "Used"}},
        "terms": {"OnDemand": {"S1.T": {"priceDimensions": {"S1.T.R": {
            "unit": "Hrs", "beginRange": "0", "pricePerUnit": {"USD": "0.107"}}}}}}}
    stub = Stubber(client)
    stub.add_response("get_products", {"PriceList": [json.dumps(item)]})
    for _ in range(3):
        stub.add_response("get_products", {"PriceList": []})

    class FakeSession:
        def client(self, *a, **k):
            return client

    with stub:
        entries = fetch_from_api(["eu-west-1"], FakeSession())
    assert [(e.region, e.key, str(e.amount)) for e in entries] == [
        ("eu-west-1", "ec2:m5.large:linux:hour", "0.107")]


def test_show_prints_matching_prices(capsys):
    assert main(["prices", "show", "ebs:gp3", "--region", "eu-central-1"]) == 0
    out = capsys.readouterr().out
    assert "ebs:gp3:gb-month\t0.0952" in out
    assert main(["prices", "show", "no-such-key"]) == 1


def test_refresh_without_credentials_leaves_catalog_alone(tmp_path, monkeypatch):
    from botocore.exceptions import NoCredentialsError

    import finops.commands.prices as prices

    cat = tmp_path / "catalog.json"
    shutil.copy(DEFAULT_PATH, cat)
    before = cat.read_text()

    def no_creds(regions, session=None):
        raise NoCredentialsError()

    monkeypatch.setattr(prices, "fetch_from_api", no_creds)
    assert main(["prices", "refresh", "--catalog", str(cat)]) == 1
    assert cat.read_text() == before
