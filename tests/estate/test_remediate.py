"""`finops estate remediate`: a deterministic share of each waste kind is fixed on the moto estate,
checked through the AWS API (describe calls), the rest is left as it was."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from estate import start_estate
from estate.clients import ClientFactory
from estate.manifest import WasteItem
from estate.remediate import choose
from finops.cli import main


def test_choose_takes_the_same_first_share_of_each_kind():
    items = [WasteItem("unattached_volume", "1", "us-east-1", f"vol-{i}") for i in (3, 1, 2)]
    items += [WasteItem("old_ami", "1", "us-east-1", "ami-1")]
    assert [i.resource_id for i in choose(items, 0.3)] == ["ami-1", "vol-1"]
    assert choose(items, 0.0) == []
    with pytest.raises(ValueError):
        choose(items, 1.5)


def test_remediate_fixes_the_chosen_share_and_only_it(tmp_path, capsys):
    path = tmp_path / "manifest.json"
    with start_estate(seed=7, accounts=2, resources=80, regions=("us-east-1",),
                      manifest_path=path) as estate:
        assert main(["estate", "remediate", "--share", "0.5", "--manifest", str(path)]) == 0
        out = json.loads(capsys.readouterr().out)
        fixed = {(f["kind"], f["resource_id"]) for f in out["fixed"]}
        clients = ClientFactory(estate.endpoint)
        by_kind = estate.manifest.waste_by_kind()
        volumes = by_kind["unattached_volume"]
        assert len(volumes) >= 2
        for v in volumes:
            ec2 = clients.get("ec2", "us-east-1", v.account_id)
            if ("unattached_volume", v.resource_id) in fixed:
                with pytest.raises(ClientError, match="NotFound"):
                    ec2.describe_volumes(VolumeIds=[v.resource_id])
            else:
                assert ec2.describe_volumes(VolumeIds=[v.resource_id])["Volumes"]
        for e in by_kind["unassociated_eip"]:
            ec2 = clients.get("ec2", "us-east-1", e.account_id)
            eips = {a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]}
            assert (e.resource_id in eips) == (("unassociated_eip", e.resource_id) not in fixed)
        for g in by_kind["log_group_without_retention"]:
            logs = clients.get("logs", "us-east-1", g.account_id)
            [group] = [x for x in logs.describe_log_groups(logGroupNamePrefix=g.resource_id)
                       ["logGroups"] if x["logGroupName"] == g.resource_id]
            expected = 90 if ("log_group_without_retention", g.resource_id) in fixed else None
            assert group.get("retentionInDays") == expected
        # half of each kind (rounded up) was chosen; kinds without a fix are listed, not touched
        chosen = len(out["fixed"]) + sum(out["not_remediable"].values())
        assert chosen == sum(-(-len(v) // 2) for v in by_kind.values())
        assert out["failed"] == []
