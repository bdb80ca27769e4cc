from pathlib import Path

from checks.docs import _formula, render
from checks.registry import load_checks

DOC = Path(__file__).resolve().parents[2] / "docs" / "checks.md"


def test_docs_match_metadata():
    assert DOC.read_text() == render(load_checks()), \
        "docs/checks.md is stale: run `finops checks docs > docs/checks.md`"


def test_every_check_documents_its_savings_formula():
    for check_id, check in load_checks().items():
        assert _formula(check.meta.description).startswith("Savings"), check_id
