"""Avro single-object encoding as the spec defines it, and the failures a consumer must survive."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastavro.schema import fingerprint, to_parsing_canonical_form

from contracts.finding import Finding
from schemas.registry import latest
from schemas.wire import MAGIC, Decoder, WireError, encode


def message() -> bytes:
    f = Finding(
        tenant_id="acme", account_id="123456789012", region="us-east-1", service="ec2",
        check_id="ec2_ebs_volume_unattached", resource_type="AWS::EC2::Volume", resource_id="vol-1",
        title="t", observed_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    return encode(f.to_wire(), latest("finding"))


def test_crc64_avro_matches_the_spec_vector() -> None:
    # Avro spec / Java SchemaNormalization: fingerprint64 of "int" is 0x7275d51a3f395c8f,
    # written little-endian in single-object encoding.
    hexed = fingerprint(to_parsing_canonical_form("int"), "CRC-64-AVRO")
    assert bytes.fromhex(hexed) == (0x7275D51A3F395C8F).to_bytes(8, "little")


def test_layout_is_marker_fingerprint_body() -> None:
    msg = message()
    assert msg[:2] == MAGIC == b"\xc3\x01"
    assert msg[2:10] == latest("finding").fingerprint
    writer, record = Decoder().decode(msg)
    assert writer.name == "finding" and record["resource_id"] == "vol-1"


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda m: m[:5], "truncated"),
        (lambda m: b"\x00\x00" + m[2:], "bad_marker"),
        (lambda m: m[:2] + b"\x01" * 8 + m[10:], "unknown_schema"),
        (lambda m: m[:10] + b"\xff\xff\xff", "bad_body"),
        (lambda m: m + b"\x00\x00", "bad_body"),
    ],
)
def test_broken_messages_raise_wire_errors_with_a_reason(mutate, reason: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WireError) as err:
        Decoder().decode(mutate(message()))
    assert err.value.reason == reason


def test_schemas_are_parsed_once_for_fastavros_fast_path() -> None:
    """fastavro re-parses, on every read and write, a schema that lacks its parsed marker
    (`parse_schema(..., _write_hint=False)`): that doubled the decode and encode cost once."""
    from schemas.registry import all_schemas

    for schema in all_schemas():
        assert schema.parsed.get("__fastavro_parsed") is True, schema.path.name
