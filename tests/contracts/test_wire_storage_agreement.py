"""The Avro wire schema and the Arrow storage schema describe the same finding, field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from contracts.schema import FINDING_SCHEMA, PROVENANCE_FIELDS, WIRE_FIELDS

AVSC = Path(__file__).resolve().parents[2] / "schemas" / "finding.v1.avsc"

# Which Avro wire types may feed which Arrow storage type (the wire is permissive at the edges).
COMPATIBLE: dict[str, set[str]] = {
    "string": {"string"},
    "decimal128(18, 2)": {"double", "string"},
    "double": {"double"},
    "int32": {"int"},
    "timestamp[us, tz=UTC]": {"long", "string"},
}


def _avro_types(avro_type: object) -> tuple[set[str], bool]:
    """Primitive names a wire field may carry, and whether it may be null."""
    types = avro_type if isinstance(avro_type, list) else [avro_type]
    names: set[str] = set()
    nullable = False
    for t in types:
        if t == "null":
            nullable = True
        elif isinstance(t, dict):
            names.add(t["type"])
        else:
            names.add(str(t))
    return names, nullable


def test_every_storage_field_is_on_the_wire_and_vice_versa() -> None:
    avro = json.loads(AVSC.read_text())
    wire_names = [f["name"] for f in avro["fields"]]
    assert wire_names == [f.name for f in WIRE_FIELDS], "same fields, same order"
    storage_only = {f.name for f in PROVENANCE_FIELDS}
    assert set(FINDING_SCHEMA.names) - set(wire_names) == storage_only


def test_types_agree_field_by_field() -> None:
    avro = {f["name"]: f for f in json.loads(AVSC.read_text())["fields"]}
    for field in WIRE_FIELDS:
        names, wire_nullable = _avro_types(avro[field.name]["type"])
        if pa.types.is_map(field.type):
            assert names == {"map"}, field.name
        elif pa.types.is_list(field.type):
            assert names == {"array"}, field.name
        elif field.name == "details":
            assert names == {"map"}, "details travel as a map and are stored as canonical JSON"
        else:
            allowed = COMPATIBLE[str(field.type)]
            assert names <= allowed, f"{field.name}: wire {names} cannot feed {field.type}"
        if not field.nullable and wire_nullable:
            # storage is strict: a nullable wire field feeding a non-null column needs a default
            # that canonicalization fills, or the stream derives it (identity fields).
            assert field.name in {"confidence", "fingerprint", "finding_id"}, field.name


def test_wire_defaults_make_optional_fields_optional() -> None:
    for f in json.loads(AVSC.read_text())["fields"]:
        _, nullable = _avro_types(f["type"])
        if nullable:
            assert f.get("default", "missing") is None, f"{f['name']}: optional without default"
