"""Meta-tests over every registered check (Cloud Custodian style): a check without metadata,
permissions, a savings formula or its own test file fails here."""

from __future__ import annotations

import ast
import inspect
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from checks.model import SAVINGS_CATEGORIES, Check, MetadataError
from checks.registry import PACKAGE_DIR, class_name_for, load_check, load_checks, verify
from contracts.arn import ARN_FORMS

TESTS = Path(__file__).resolve().parent
CHECKS = load_checks()
IAM_ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")


def test_at_least_thirty_checks():
    assert len(CHECKS) >= 30


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_metadata_is_complete(check_id):
    meta = CHECKS[check_id].meta
    assert meta.title and meta.description and meta.remediation and meta.remediation_cli
    assert meta.resource_type in ARN_FORMS, f"{meta.resource_type} has no ARN form"
    assert meta.savings_category in SAVINGS_CATEGORIES
    assert meta.permissions and all(IAM_ACTION.match(p) for p in meta.permissions)
    assert type(CHECKS[check_id]).__name__ == class_name_for(check_id)


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_every_check_has_its_own_test_file(check_id):
    service = CHECKS[check_id].meta.service
    path = TESTS / service / f"test_{check_id}.py"
    assert path.is_file(), f"missing {path.relative_to(TESTS.parent.parent)}"
    tree = ast.parse(path.read_text())
    tests = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
             and n.name.startswith("test_")]
    assert len(tests) >= 2, "need a positive and a negative case"


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_every_finding_states_a_savings_formula(check_id):
    """Each check builds findings with `estimate=` (which always carries a formula) and the
    thresholds it reads are declared in its metadata."""
    source = (PACKAGE_DIR / CHECKS[check_id].meta.service / check_id / "check.py").read_text()
    # a check of a shared shape (checks/modernize.py, ...) builds its finding in the base class
    evaluate = inspect.unwrap(type(CHECKS[check_id]).evaluate)  # (price-lookup recorder)
    shape = Path(inspect.getsourcefile(evaluate) or "").read_text()
    assert "estimate=" in source or "estimate=" in shape
    declared = set(CHECKS[check_id].meta.thresholds)
    used = set(re.findall(r"""\.get\(\s*["']([a-z_]+)["']\s*\)""", source))
    assert used <= declared, f"undeclared thresholds {used - declared}"


def _meta(**changes):
    return replace(CHECKS["ec2_eip_unassociated"].meta, **changes)


def _cls(name, meta):
    return type(name, (Check,), {"meta": meta})


def test_loader_refuses_id_folder_and_class_mismatch():
    folder = PACKAGE_DIR / "ec2" / "ec2_eip_unassociated"
    good = _cls("Ec2EipUnassociated", _meta())
    assert verify(folder, [good]) is good
    with pytest.raises(MetadataError, match="metadata id"):
        verify(folder, [_cls("Ec2EipUnassociated", _meta(id="ec2_eip_other"))])
    with pytest.raises(MetadataError, match="metadata service"):
        verify(folder, [_cls("Ec2EipUnassociated", _meta(service="rds"))])
    with pytest.raises(MetadataError, match="named Ec2EipUnassociated"):
        verify(folder, [_cls("EipCheck", _meta())])
    with pytest.raises(MetadataError, match="exactly one"):
        verify(folder, [good, _cls("Other", _meta())])


def test_metadata_missing_keys_is_an_error(tmp_path):
    from checks.model import CheckMeta

    path = tmp_path / "metadata.json"
    path.write_text(json.dumps({"id": "x", "title": "t"}))
    with pytest.raises(MetadataError, match="lacks"):
        CheckMeta.from_file(path)
    path.write_text(json.dumps({
        "id": "x", "title": "t", "severity": "medium", "service": "ec2",
        "resource_type": "AWS::EC2::Volume", "savings_category": "delete", "thresholds": {},
        "permissions": [], "remediation": "r", "remediation_cli": "c", "description": "d",
        "price_keys": ["ebs:gp2:gb-month"]}))
    with pytest.raises(MetadataError, match="permissions"):
        CheckMeta.from_file(path)


def test_folder_without_check_module_is_refused(tmp_path):
    folder = tmp_path / "ec2" / "ec2_ghost"
    folder.mkdir(parents=True)
    (folder / "metadata.json").write_text("{}")
    with pytest.raises(MetadataError, match="no check.py"):
        load_check(folder)
