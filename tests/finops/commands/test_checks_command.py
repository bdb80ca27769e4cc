import json

from finops.cli import main


def test_list_json_has_every_check(capsys):
    assert main(["checks", "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) >= 30 and {"id", "thresholds"} <= set(rows[0])


def test_validate_config(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"checks": {"ec2_ebs_snapshot_old": {"max_age_days": 30}}}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"checks": {"ec2_ebs_snapshot_old": {"max_age_days": "x"}}}))
    assert main(["checks", "validate-config", str(good)]) == 0
    assert main(["checks", "validate-config", str(bad)]) == 1
