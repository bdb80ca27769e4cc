"""The estate's Cost Optimization Hub and Compute Optimizer, asked through real boto3 clients:
botocore serializes each request and parses each answer against its service model (a field or
type AWS does not have fails here), filters and pages answer as AWS documents them, and what the
estate does not simulate is a fast `UnsupportedOperation`, never a silent partial answer."""

from __future__ import annotations

import boto3
import botocore.model
import pytest
from botocore.exceptions import ClientError

from estate import start_estate

MANAGEMENT = "123456789012"
REGIONS = ("us-east-1", "eu-west-1")
# the resource actions the COH check asks for (checks/services/costoptimizationhub.py)
RESOURCE_ACTIONS = ["Rightsize", "Stop", "Delete", "Upgrade", "MigrateToGraviton", "ScaleIn"]


@pytest.fixture(scope="module")
def estate():
    with start_estate(seed=7, resources=40, regions=REGIONS, accounts=2) as e:
        yield e


def _client(estate, service: str, account: str, region: str = "us-east-1"):
    c = boto3.client(service, region_name=region, endpoint_url=estate.endpoint,
                     aws_access_key_id="testing", aws_secret_access_key="testing")
    c.meta.events.register("before-sign.*.*", lambda request, **_: request.headers.__setitem__(
        "x-moto-account-id", account))
    return c


def _advised(estate, account: str) -> tuple[str, str]:
    """(instance id, volume id) the manifest says AWS advises on in the account."""
    by_kind = {w.kind: w.resource_id for w in estate.manifest.waste if w.account_id == account
               and w.kind in ("aws_advised_instance", "aws_advised_volume")}
    return by_kind["aws_advised_instance"], by_kind["aws_advised_volume"]


def _error(call, **kw) -> dict:
    with pytest.raises(ClientError) as err:
        call(**kw)
    assert err.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    return err.value.response["Error"]


def test_cost_optimization_hub_filters_deduplicates_and_pages(estate) -> None:
    member = estate.accounts[1]
    inst, vol = _advised(estate, member)
    coh = _client(estate, "cost-optimization-hub", member)
    items = coh.list_recommendations(filter={"accountIds": [member]})["items"]
    # one per resource (the top saving): the lower MigrateToGraviton on the instance is hidden
    assert sorted((r["resourceId"], r["actionType"]) for r in items) == sorted([
        (inst, "Rightsize"), (vol, "Upgrade"), (member, "PurchaseSavingsPlans")])
    every = coh.list_recommendations(includeAllRecommendations=True)["items"]
    assert sorted(r["actionType"] for r in every if r["resourceId"] == inst) == [
        "MigrateToGraviton", "Rightsize"]
    assert {r["accountId"] for r in every} == {member}  # a member sees only its own
    assert coh.list_recommendations(filter={"accountIds": [MANAGEMENT]})["items"] == []

    # the check's filter: resource actions only, its account and region
    check = coh.list_recommendations(filter={
        "accountIds": [member], "regions": ["us-east-1"], "actionTypes": RESOURCE_ACTIONS})
    assert sorted(r["resourceArn"].rsplit("/", 1)[-1] for r in check["items"]) == sorted(
        [inst, vol])
    assert all(r["region"] == "us-east-1" for r in check["items"])
    assert coh.list_recommendations(filter={"regions": ["eu-west-1"]})["items"] == []
    assert [r["resourceId"] for r in coh.list_recommendations(filter={
        "resourceTypes": ["EbsVolume"], "restartNeeded": False})["items"]] == [vol]

    # the management account sees the organization; pages of one hold the same items
    org = _client(estate, "cost-optimization-hub", MANAGEMENT)
    whole = org.list_recommendations(maxResults=1000)["items"]
    assert {r["accountId"] for r in whole} == set(estate.accounts) and len(whole) == 6
    pages = list(org.get_paginator("list_recommendations").paginate(
        PaginationConfig={"PageSize": 1}))
    assert [len(p["items"]) for p in pages] == [1] * 6
    assert [r["recommendationId"] for p in pages for r in p["items"]] == [
        r["recommendationId"] for r in whole]
    assert "nextToken" in pages[0] and "nextToken" not in pages[-1]
    assert _error(org.list_recommendations, nextToken="nonsense")["Code"] == "ValidationException"


def test_compute_optimizer_answers_per_account_region_and_finding(estate) -> None:
    member = estate.accounts[1]
    inst, vol = _advised(estate, member)
    co = _client(estate, "compute-optimizer", member)
    got = co.get_ec2_instance_recommendations(accountIds=[member])
    assert got["errors"] == [] and "nextToken" not in got
    findings = {r["instanceArn"].rsplit("/", 1)[-1]: r["finding"]
                for r in got["instanceRecommendations"]}
    assert findings[inst] == "Overprovisioned"
    assert sorted(findings.values()) == ["Optimized", "Overprovisioned"]
    only = co.get_ec2_instance_recommendations(
        filters=[{"name": "Finding", "values": ["Overprovisioned"]}])["instanceRecommendations"]
    assert [r["instanceArn"].rsplit("/", 1)[-1] for r in only] == [inst]
    assert co.get_ec2_instance_recommendations(filters=[
        {"name": "FindingReasonCodes", "values": ["CPUUnderprovisioned"]}]
    )["instanceRecommendations"] == []
    first = co.get_ec2_instance_recommendations(maxResults=1)
    second = co.get_ec2_instance_recommendations(maxResults=1, nextToken=first["nextToken"])
    assert "nextToken" not in second
    assert sorted(r["instanceArn"] for r in first["instanceRecommendations"]
                  + second["instanceRecommendations"]) == sorted(
        r["instanceArn"] for r in got["instanceRecommendations"])

    volumes = co.get_ebs_volume_recommendations()["volumeRecommendations"]
    assert sorted((r["volumeArn"].rsplit("/", 1)[-1] == vol, r["finding"]) for r in volumes) == [
        (False, "Optimized"), (True, "NotOptimized")]
    arn = next(r["volumeArn"] for r in volumes if r["finding"] == "Optimized")
    assert [r["volumeArn"] for r in co.get_ebs_volume_recommendations(volumeArns=[arn])[
        "volumeRecommendations"]] == [arn]
    # regional: the look-alike pairs live in each account's first region only
    assert _client(estate, "compute-optimizer", member, "eu-west-1"
                   ).get_ebs_volume_recommendations()["volumeRecommendations"] == []

    # one account per request; another account's only from the management account
    assert _error(co.get_ec2_instance_recommendations, accountIds=[member, MANAGEMENT])[
        "Code"] == "InvalidParameterValueException"
    assert _error(co.get_ec2_instance_recommendations, accountIds=[MANAGEMENT])[
        "Code"] == "AccessDeniedException"
    org = _client(estate, "compute-optimizer", MANAGEMENT)
    assert {r["accountId"] for r in org.get_ec2_instance_recommendations(accountIds=[member])[
        "instanceRecommendations"]} == {member}


def test_what_the_estate_does_not_simulate_is_unsupported(estate) -> None:
    account = estate.accounts[0]
    coh = _client(estate, "cost-optimization-hub", account)
    co = _client(estate, "compute-optimizer", account)
    for call, kw in ((coh.get_preferences, {}), (co.get_enrollment_status, {}),
                     (coh.list_recommendations, {"orderBy": {"dimension": "EstimatedSavings"}}),
                     (coh.list_recommendations, {"filter": {"tags": [{"key": "env"}]}}),
                     (co.get_ec2_instance_recommendations,
                      {"filters": [{"name": "InferredWorkloadTypes", "values": ["Redis"]}]})):
        error = _error(call, **kw)
        assert error["Code"] == "UnsupportedOperation", (call, kw, error)
        assert "not simulated by the estate" in error["Message"]


def test_smithy_rpc_v2_cbor_gets_the_same_answers(estate, monkeypatch) -> None:
    """botocore prefers JSON for Compute Optimizer; an SDK that speaks its CBOR protocol gets
    the same recommendations and errors."""
    account = estate.accounts[0]
    as_json = _client(estate, "compute-optimizer", account)
    monkeypatch.setattr(botocore.model, "PRIORITY_ORDERED_SUPPORTED_PROTOCOLS",
                        ("smithy-rpc-v2-cbor", "json"))
    as_cbor = _client(estate, "compute-optimizer", account)
    assert as_cbor.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
    assert as_json.meta.service_model.resolved_protocol == "json"
    for op in ("get_ec2_instance_recommendations", "get_ebs_volume_recommendations"):
        got = getattr(as_cbor, op)(accountIds=[account])
        assert got["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/cbor"
        got.pop("ResponseMetadata")
        want = getattr(as_json, op)(accountIds=[account])
        want.pop("ResponseMetadata")
        assert got == want and got[next(k for k in got if k.endswith("Recommendations"))]
    assert _error(as_cbor.get_enrollment_status)["Code"] == "UnsupportedOperation"
    assert _error(as_cbor.get_ec2_instance_recommendations, maxResults=1, nextToken="x")[
        "Code"] == "ValidationException"
