"""Identifiers are ASCII and exact; free text holds no control characters (contracts/text.py).

Golden cases with the exact hostile strings: each is rejected (or kept exactly) by the row-wise
reference and by the column path the stream runs, with the same problem, and a scan summary
with a hostile tenant is rejected before it can name a directory.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.batch import convert_batch
from contracts.cast import ContractError, Provenance, to_row
from contracts.scan_schema import scan_wire_to_row
from tools.stress.generator import make_finding

KELVIN = "\u212a"  # KELVIN SIGN: "\u212a".lower() == "k"
LONG_S = "\u017f"  # LATIN SMALL LETTER LONG S: "\u017f".upper() == "S"
ARABIC_INDIC = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662"  # ١٢٣٤٥٦٧٨٩٠١٢


def wire(**overrides: Any) -> dict[str, Any]:
    rec = make_finding(random.Random(1), 4, base=datetime(2026, 11, 1, tzinfo=UTC), run_id="golden").to_wire()
    rec.pop("fingerprint", None)
    rec.update(overrides)
    return rec


def problems_of(rec: dict[str, Any]) -> list[str]:
    """The reference's problems; the column path must report exactly the same ones."""
    try:
        to_row(rec, Provenance("raw", 0, 0))
        ref: list[str] = []
    except ContractError as exc:
        ref = [str(p) for p in exc.problems]
    result = convert_batch([wire(), rec], "raw", 0, [0, 1])
    batch = [str(p) for i, ps in result.invalid if i == 1 for p in ps]
    assert batch == ref, "column path and reference disagree"
    assert result.table.num_rows == (1 if ref else 2)
    return ref


REJECTED = [
    # field, hostile value, the problem the contract must report
    ("tenant_id", f"{KELVIN}orp", f"tenant_id: '{KELVIN}orp' is not a lower-case slug"),
    ("tenant_id", f"ACME{KELVIN}", f"tenant_id: 'acme{KELVIN}' is not a lower-case slug"),
    ("tenant_id", "\u0130nitech", "tenant_id: '\u0130nitech' is not a lower-case slug"),  # İ: lower() gives 'i̇'
    ("tenant_id", "../etc", "tenant_id: '../etc' is not a lower-case slug"),
    ("tenant_id", "acme/../globex", "tenant_id: 'acme/../globex' is not a lower-case slug"),
    ("tenant_id", "acme\x00", "tenant_id: 'acme\\x00' is not a lower-case slug"),
    ("tenant_id", "acme\u00a0", "tenant_id: 'acme\\xa0' is not a lower-case slug"),  # NBSP is not trimmed
    ("workspace", "prod\u3000", "workspace: 'prod\\u3000' is not a lower-case slug"),
    ("workspace", "..", "workspace: '..' is not a lower-case slug"),
    ("check_id", f"eb{LONG_S}_unattached", f"check_id: 'eb{LONG_S}_unattached' is not a lower-case slug"),
    ("check_id", "ebs_unattached\x1f", "check_id: 'ebs_unattached\\x1f' is not a lower-case slug"),
    ("account_id", ARABIC_INDIC, f"account_id: '{ARABIC_INDIC}' is not a 12-digit AWS account id"),
    ("account_id", "12345678901\uff12", "account_id: '12345678901\uff12' is not a 12-digit AWS account id"),
    ("region", "us-east-\u0661", "region: 'us-east-\u0661' is not an AWS region"),
    ("region", "us-east-\U0001d7d9", "region: 'us-east-\U0001d7d9' is not an AWS region"),  # MATHEMATICAL DOUBLE-STRUCK ONE
    ("region", f"eu-west-1{KELVIN}", f"region: 'eu-west-1{KELVIN}' is not an AWS region"),
    ("currency", f"U{LONG_S}D", f"currency: 'U{LONG_S}D' is not an ISO-4217 code"),  # 'uſd'.upper() == 'USD'
    ("currency", "\uff35\uff33\uff24", "currency: '\uff35\uff33\uff24' is not an ISO-4217 code"),  # full-width USD
    ("title", "unattached\x00volume", "title: control character U+0000 at position 10"),
    ("title", "\x1bitle", "title: control character U+001B at position 0"),
    ("resource_name", "\x85web-1", "resource_name: control character U+0085 at position 0"),  # NEL, once stripped
    ("resource_name", "web\x7f", "resource_name: control character U+007F at position 3"),
    ("savings_formula", "1 USD\x0b", "savings_formula: control character U+000B at position 5"),
    ("scope", "a\x00b", "scope: control character U+0000 at position 1"),
    ("run_id", "run\x1f", "run_id: control character U+001F at position 3"),
    ("tags", {"team": "pay\x00ments"}, "tags['team']: control character U+0000 at position 3"),
    ("tags", {"te\x07am": "payments"}, "tags['te\\x07am']: control character U+0007 at position 2"),
    ("details", {"price": "\x9b0.08"}, "details['price']: control character U+009B at position 0"),
]


@pytest.mark.parametrize(("field", "value", "problem"), REJECTED, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(REJECTED)])
def test_hostile_identifiers_and_text_are_rejected_not_folded(field: str, value: Any, problem: str) -> None:
    assert problem in problems_of(wire(**{field: value}))


def test_resource_id_with_a_control_character_is_rejected() -> None:
    problems = problems_of(wire(resource_type="AWS::EC2::Volume", resource_id="vol-0abc\n1"))
    # "arn:aws:ec2:us-west-2:100000001036:volume/vol-0abc" is 50 characters
    assert problems == ["resource_id: control character U+000A at position 50"]


KEPT = [
    # field, given, stored: ASCII folding and ASCII blanks only; TAB/LF/CR inside free text stay
    ("tenant_id", "  ACME\t", "acme"),
    ("region", "US-EAST-1\n", "us-east-1"),
    ("account_id", "1000-0000-0004", "100000000004"),
    ("currency", " usd ", "USD"),
    ("title", "\u3000two lines\nand\ta tab\u00a0", "two lines\nand\ta tab"),
]


@pytest.mark.parametrize(("field", "given", "stored"), KEPT)
def test_ascii_folding_and_blanks_are_canonicalized(field: str, given: str, stored: str) -> None:
    rec = wire(**{field: given})
    assert problems_of(rec) == []
    assert to_row(rec, Provenance("raw", 0, 0))[field] == stored


def test_a_kelvin_sign_resource_id_is_a_different_resource() -> None:
    """Unicode lower-casing would merge `vol-…K` (Kelvin) with `vol-…k`: one fingerprint for two ids."""
    kelvin = to_row(wire(resource_type="AWS::EC2::Volume", resource_id=f"vol-0ab{KELVIN}"), Provenance("raw", 0, 0))
    ascii_ = to_row(wire(resource_type="AWS::EC2::Volume", resource_id="vol-0abk"), Provenance("raw", 0, 1))
    assert kelvin["resource_id"].endswith(f"volume/vol-0ab{KELVIN}")
    assert ascii_["resource_id"].endswith("volume/vol-0abk")
    assert kelvin["fingerprint"] != ascii_["fingerprint"]


def test_arabic_indic_savings_are_not_an_amount() -> None:
    assert problems_of(wire(estimated_monthly_savings="\u0661\u0662.5")) == [
        "estimated_monthly_savings: '\u0661\u0662.5' is not a number"
    ]


SCAN = {
    "tenant_id": "acme", "account_id": "123456789012", "region": "us-east-1", "run_id": "r1",
    "workspace": "prod", "status": "ok", "started_at": "2026-11-01T00:00:00Z",
    "finished_at": "2026-11-01T00:01:00Z",
}


@pytest.mark.parametrize(("field", "value"), [
    ("tenant_id", "../../etc"), ("tenant_id", f"{KELVIN}orp"), ("workspace", "a/b"),
    ("account_id", ARABIC_INDIC), ("region", "us-east-\u0661"),
])
def test_scan_summaries_take_the_same_identifier_rules(field: str, value: str) -> None:
    assert scan_wire_to_row(SCAN, Provenance("scans", 0, 0))["tenant_id"] == "acme"
    with pytest.raises(ContractError) as err:
        scan_wire_to_row(SCAN | {field: value}, Provenance("scans", 0, 1))
    assert [p.field for p in err.value.problems] == [field]


def test_scan_free_text_takes_the_control_character_rule() -> None:
    ok = SCAN | {"errors": [{"service": "ec2", "code": "Throttling", "message": "Rate exceeded\nretry later"}]}
    assert scan_wire_to_row(ok, Provenance("scans", 0, 0))["errors"][0]["message"] == "Rate exceeded\nretry later"
    bad = SCAN | {"run_id": "r\x00", "errors": [{"service": "ec2", "message": "\x1b[31mdenied"}]}
    with pytest.raises(ContractError) as err:
        scan_wire_to_row(bad, Provenance("scans", 0, 1))
    assert [str(p) for p in err.value.problems] == [
        "run_id: control character U+0000 at position 1",
        "errors[0].message: control character U+001B at position 0",
    ]
