"""Avro schemas of the wire, resolved by name (for writers) and by fingerprint (for readers).

Every `schemas/<name>.v<N>.avsc` is loaded; its CRC-64-AVRO fingerprint of the Parsing Canonical
Form is what Avro single-object encoding puts in each message, so any consumer can find the writer
schema of any record without a registry service.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastavro import parse_schema
from fastavro.schema import fingerprint, to_parsing_canonical_form

SCHEMA_DIR = Path(__file__).resolve().parent
_NAME = re.compile(r"^(?P<name>[a-z_]+)\.v(?P<version>\d+)\.avsc$")


@dataclass(frozen=True)
class WireSchema:
    name: str
    version: int
    path: Path
    parsed: Any  # fastavro parsed schema
    fingerprint: bytes  # 8 bytes, little-endian, as on the wire

    @property
    def fingerprint_hex(self) -> str:
        return self.fingerprint.hex()


def load_schema_file(path: Path) -> WireSchema:
    match = _NAME.match(path.name)
    if not match:
        raise ValueError(f"{path}: schema files are named <name>.v<N>.avsc")
    try:
        raw = json.loads(path.read_text())
        # Parsed once, with fastavro's hint left on: a schema parsed with `_write_hint=False` is
        # parsed again by every schemaless_reader/writer call (~20 us a record, half the cost).
        parsed = parse_schema(raw)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a broken schema file
        raise ValueError(f"{path}: not a valid Avro schema: {exc}") from exc
    fp_hex = fingerprint(to_parsing_canonical_form(parsed), "CRC-64-AVRO")
    # fastavro's hex is the fingerprint's little-endian bytes: exactly what the wire carries
    # (checked against the spec's vector for "int", 0x7275d51a3f395c8f, in tests).
    fp = bytes.fromhex(fp_hex)
    return WireSchema(match["name"], int(match["version"]), path, parsed, fp)


@cache
def all_schemas(directory: Path = SCHEMA_DIR) -> tuple[WireSchema, ...]:
    return tuple(load_schema_file(p) for p in sorted(directory.glob("*.avsc")))


def latest(name: str, directory: Path = SCHEMA_DIR) -> WireSchema:
    """The newest version of a schema: what writers use."""
    found = [s for s in all_schemas(directory) if s.name == name]
    if not found:
        raise KeyError(f"no schema named {name!r} in {directory}")
    return max(found, key=lambda s: s.version)


def by_fingerprint(directory: Path = SCHEMA_DIR) -> dict[bytes, WireSchema]:
    return {s.fingerprint: s for s in all_schemas(directory)}
