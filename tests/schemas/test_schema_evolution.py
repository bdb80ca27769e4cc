"""Old records stay readable: a v2 reader resolves v1 records by the writer fingerprint."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.finding import Finding
from schemas.registry import all_schemas, latest, load_schema_file
from schemas.wire import Decoder, WireError, encode

V2 = Path(__file__).resolve().parents[1] / "data" / "finding.v2.avsc"


def v1_message() -> bytes:
    f = Finding(
        tenant_id="acme", account_id="123456789012", region="eu-west-1", service="ec2",
        check_id="ec2_eip_unassociated", resource_type="AWS::EC2::EIP", resource_id="eipalloc-1",
        title="Unassociated EIP", observed_at=datetime(2026, 5, 1, tzinfo=UTC),
        estimated_monthly_savings=3.65, savings_formula="730 h x $0.005",
    )
    return encode(f.to_wire(), latest("finding"))


def test_v2_reader_reads_v1_records() -> None:
    v2 = load_schema_file(V2)
    writer, record = Decoder(reader=v2).decode(v1_message())
    assert writer.version == 1
    assert record["remediation"] is None and record["labels"] == []
    assert record["resource_id"] == "eipalloc-1"


def test_v2_has_its_own_fingerprint_and_unknown_writers_are_refused() -> None:
    v2 = load_schema_file(V2)
    assert v2.fingerprint != latest("finding").fingerprint
    msg = encode({**Decoder().decode(v1_message())[1], "remediation": "release it", "labels": []}, v2)
    with pytest.raises(WireError) as err:
        Decoder().decode(msg)  # v2 is not in schemas/: a consumer cannot know its writer schema
    assert err.value.reason == "unknown_schema"


def test_every_shipped_schema_loads() -> None:
    names = {(s.name, s.version) for s in all_schemas()}
    assert ("finding", 1) in names
