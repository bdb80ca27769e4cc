"""Rule loading and validation, prefiltering, and order independence of the engine."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from jobs.correlation.engine import RuleError, load_rules, parse_rule, validate_rule

HEADER = """-- id: {id}
-- title: t
-- severity: low
-- reads: ec2_instance_stopped_long
-- window: 1d
-- savings: s
"""
GOOD = """SELECT account_id, region, resource_type, resource_id,
       [fingerprint] AS source_fingerprints, estimated_monthly_savings FROM src"""


def _rule(tmp_path: Path, body: str, rid: str = "r1", header: str = HEADER) -> Path:
    path = tmp_path / f"{rid}.sql"
    path.write_text(header.format(id=rid) + body)
    return path


def test_a_valid_rule_loads(tmp_path):
    _rule(tmp_path, GOOD)
    (rule,) = load_rules(tmp_path)
    assert rule.reads == ("ec2_instance_stopped_long",) and rule.window.days == 1


@pytest.mark.parametrize(("body", "message"), [
    (GOOD.replace("estimated_monthly_savings FROM", "no_such_column FROM"), "no_such_column"),
    ("SELECT account_id FROM src", "required columns"),
    (GOOD.replace("[fingerprint]", "fingerprint"), "must be a list"),
    (GOOD + " WHERE check_id = 'rds_instance_idle'", "not declared in reads"),
    ("DELETE FROM src", "one SELECT"),
    (GOOD + "; " + GOOD, "one SELECT"),
])
def test_invalid_rules_are_refused_at_load(tmp_path, body, message):
    with pytest.raises(RuleError, match=message) as err:
        validate_rule(parse_rule(_rule(tmp_path, body)))
    assert "r1.sql" in str(err.value)


def test_header_must_be_complete_and_match_the_file(tmp_path):
    with pytest.raises(RuleError, match="lacks"):
        parse_rule(_rule(tmp_path, GOOD, header="-- id: {id}\n"))
    with pytest.raises(RuleError, match="file name"):
        parse_rule(_rule(tmp_path, GOOD, rid="r2", header=HEADER.replace("{id}", "other")))


def test_rules_see_only_the_check_ids_they_declare(kit, lake, tmp_path):
    _rule(tmp_path, GOOD)  # one meta per row of src
    lake.write_findings([
        kit.finding("ec2_instance_stopped_long", "AWS::EC2::Instance", "i-1"),
        kit.finding("ec2_ebs_volume_unattached", "AWS::EC2::Volume", "vol-1"),
    ])
    result = kit.correlate(lake, rules=load_rules(tmp_path))
    assert result.table.num_rows == 1
    assert result.table.column("resource_id")[0].as_py().endswith("instance/i-1")


def test_rules_ignore_findings_outside_their_window(kit, lake, tmp_path):
    from datetime import timedelta

    _rule(tmp_path, GOOD)
    lake.write_findings([
        kit.finding("ec2_instance_stopped_long", "AWS::EC2::Instance", "i-old",
                    at=kit.T0 - timedelta(days=2)),
        kit.finding("ec2_instance_stopped_long", "AWS::EC2::Instance", "i-new"),
    ])
    result = kit.correlate(lake, rules=load_rules(tmp_path))
    assert [r.endswith("i-new") for r in result.table.column("resource_id").to_pylist()] == [True]


def test_same_input_in_any_file_order_gives_the_same_meta_findings(kit, lake, tmp_path_factory,
                                                                   shipped_rules):
    from types import SimpleNamespace

    wires = []
    for n in range(6):
        wires += [
            kit.finding("ec2_instance_stopped_long", "AWS::EC2::Instance", f"i-{n}",
                        details={"vpc_id": "vpc-1"}),
            kit.finding("ec2_ebs_volume_on_stopped_instance", "AWS::EC2::Volume", f"vol-{n}",
                        details={"instances": [f"i-{n}"]}),
            kit.finding("ec2_instance_graviton_candidate", "AWS::EC2::Instance", f"i-{n}", savings="3.00"),
            kit.finding("ec2_instance_low_utilization", "AWS::EC2::Instance", f"i-{n}",
                        alternative_group=f"g{n % 2}"),
        ]
    results = []
    for seed in range(3):
        shuffled = list(wires)
        random.Random(seed).shuffle(shuffled)
        other = type(lake)(tmp_path_factory.mktemp(f"lake{seed}"))
        for k in range(0, len(shuffled), 5):  # several files, in shuffled order
            other.write_findings(shuffled[k:k + 5], partition=k % 3)
        res = kit.correlate(other, rules=shipped_rules)
        results.append(SimpleNamespace(
            ids=res.table.column("finding_id").to_pylist(),
            rows=res.table.drop_columns(["source_offset"]).to_pylist(), extra=res.extra))
    assert results[0].ids and len(set(results[0].ids)) == len(results[0].ids)
    assert all(r.ids == results[0].ids and r.extra == results[0].extra
               and r.rows == results[0].rows for r in results)


def test_every_shipped_rule_reads_checks_that_exist(shipped_rules):
    """A rule reading a renamed or removed check would silently never fire."""
    from checks.registry import load_checks

    known = set(load_checks())
    assert len(shipped_rules) >= 8
    for rule in shipped_rules:
        assert set(rule.reads) <= known, (rule.id, sorted(set(rule.reads) - known))
