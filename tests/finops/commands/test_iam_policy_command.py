import json

from checks.registry import load_checks
from finops.cli import main


def test_policy_is_sorted_deduplicated_union_of_metadata(capsys):
    assert main(["iam-policy"]) == 0
    policy = json.loads(capsys.readouterr().out)
    actions = policy["Statement"][0]["Action"]
    assert actions == sorted(set(actions))
    expected = {p for c in load_checks().values() for p in c.meta.permissions}
    assert set(actions) == expected
    assert all(a.split(":")[1].startswith(("Describe", "List", "Get", "Filter"))
               for a in actions), "the scanner policy must stay read-only"


def test_policy_for_selected_checks(capsys):
    assert main(["iam-policy", "--checks", "ec2_eip_unassociated"]) == 0
    policy = json.loads(capsys.readouterr().out)
    assert policy["Statement"][0]["Action"] == ["ec2:DescribeAddresses"]
