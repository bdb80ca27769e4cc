"""Hostile input for the stream, each message with the outcome it must have, known by construction.

Kinds (deterministic for a seed): random bytes of 0-100 KB; a valid wire header with a random body;
valid Avro carrying hostile values (10 KB strings, NUL bytes, 1,000 tags, NaN / 1e308 / negative
savings, years 1 and 9999, path traversal in tenant / workspace / check ids, Unicode digits and
case-folding tricks, null values, odd headers); and plain valid findings. Every Avro message has a
unique `run_id` (`fuzz-<i>`) so a stored row maps back to its message; every message has unique
bytes, so a dead letter (which carries the original bytes) maps back too.

`python -m tools.stress.fuzz_run --n 10000` runs it through a real worker; see `fuzz_run`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from schemas.registry import latest
from schemas.wire import MAGIC, encode
from tools.stress.generator import make_finding

WIRE_REASONS = frozenset({"truncated", "bad_marker", "unknown_schema", "bad_body"})
KELVIN, LONG_S = "\u212a", "\u017f"


@dataclass(frozen=True)
class FuzzMessage:
    index: int
    kind: str
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()
    stored: bool = False  # True: must be stored exactly once; False: dead-lettered exactly once
    reasons: frozenset[str] = frozenset()  # acceptable dead-letter reasons
    expect: dict[str, Any] = field(default_factory=dict)  # stored column -> value it must have

    @property
    def run_id(self) -> str:
        return f"fuzz-{self.index}"


Mutation = Callable[[random.Random, dict[str, Any]], tuple[bool, dict[str, Any]]]
CONTRACT = frozenset({"contract"})


def _set(**values: Any) -> Mutation:
    """A mutation that sets wire fields and must be rejected by the contract."""
    def mutate(rng: random.Random, wire: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        wire.update(values)
        return False, {}
    return mutate


def _long_title(rng: random.Random, wire: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    title = "".join(rng.choice("abcdefghij \u00e9\u4e2d\U0001f600") for _ in range(10_240)).strip()
    wire["title"] = title
    return True, {"title": title}


def _long_tag(rng: random.Random, wire: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    value = "v" * 10_240
    wire["tags"] = {"team": value}
    return True, {"tags": [("team", value)]}


def _many_tags(rng: random.Random, wire: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    wire["tags"] = {f"k{j:04d}": f"v{j}" for j in range(1000)}
    return True, {"tags": [(f"k{j:04d}", f"v{j}") for j in range(1000)]}


def _nulls(rng: random.Random, wire: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    wire.update(resource_name=None, estimated_monthly_savings=None, savings_formula=None, confidence=None,
                alternative_group=None, fingerprint=None, finding_id=None)
    return True, {"resource_name": None, "estimated_monthly_savings": None, "confidence": 0.5}


def _upper_ids(rng: random.Random, wire: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    tenant, region = wire["tenant_id"], wire["region"]
    wire.update(tenant_id=f"  {tenant.upper()}\t", region=region.upper(), currency="usd")
    return True, {"tenant_id": tenant, "region": region, "currency": "USD"}


def _tab_newline_title(rng: random.Random, wire: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    wire["title"] = "\u3000line one\nline\ttwo\r\n"
    return True, {"title": "line one\nline\ttwo"}


HOSTILE_AVRO: dict[str, Mutation] = {
    "long_title": _long_title,
    "long_tag_value": _long_tag,
    "many_tags": _many_tags,
    "nulls": _nulls,
    "ascii_case_and_blanks": _upper_ids,
    "tab_newline_title": _tab_newline_title,
    "nul_title": _set(title="unattached\x00volume"),
    "nul_tag": _set(tags={"team": "pay\x00ments"}),
    "control_details": _set(details={"price": "\x1b[31m0.08"}),
    "nel_resource_name": _set(resource_name="\x85web"),
    "savings_nan": _set(estimated_monthly_savings=float("nan"), savings_formula="nan"),
    "savings_1e308": _set(estimated_monthly_savings=1e308, savings_formula="huge"),
    "savings_negative": _set(estimated_monthly_savings=-5.0, savings_formula="negative"),
    "savings_arabic_digits": _set(estimated_monthly_savings="\u0661\u0662.5", savings_formula="x"),
    "year_1": _set(observed_at="0001-01-01T00:00:00+00:00"),
    "year_9999": _set(observed_at="9999-12-31T23:59:59+00:00"),
    "year_1_micros": _set(observed_at=-62_135_596_800_000_000),
    "tenant_traversal": _set(tenant_id="../../etc"),
    "tenant_slash": _set(tenant_id="acme/../globex"),
    "workspace_traversal": _set(workspace=".."),
    "check_traversal": _set(check_id="../../../tmp/x"),
    "tenant_kelvin": _set(tenant_id=f"{KELVIN}orp"),
    "currency_long_s": _set(currency=f"u{LONG_S}d"),
    "account_arabic_digits": _set(account_id="\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662"),
    "region_unicode_digit": _set(region="us-east-\u0661"),
    "tenant_nbsp": _set(tenant_id="acme\u00a0"),
}

ODD_HEADERS: tuple[tuple[str, bytes], ...] = (
    ("", b""),
    ("tenant", b"\xff\xfe\x00"),
    ("dlq.reason", b"forged"),  # a producer may not forge the dead letter's own headers
    ("x" * 200, b"\x00" * 1000),
    ("\u212a", "\u0661".encode()),
)


def generate_fuzz(n: int, *, seed: int = 99, valid_share: float = 0.3,
                  base: datetime = datetime(2026, 11, 1, tzinfo=UTC)) -> Iterator[FuzzMessage]:
    rng = random.Random(seed)
    schema = latest("finding")
    header = MAGIC + schema.fingerprint
    kinds = sorted(HOSTILE_AVRO)
    for i in range(n):
        roll = rng.random()
        headers: tuple[tuple[str, bytes], ...] = ()
        if rng.random() < 0.1:
            headers = ODD_HEADERS
        if roll < 0.15:
            size = rng.choice((0, 1, 2, 6, 7, rng.randrange(0, 102_400)))
            # the index as a suffix keeps every message's bytes unique (dead letters map back by value)
            value = rng.randbytes(size) + i.to_bytes(4, "big")
            yield FuzzMessage(i, "random_bytes", value, headers, False, WIRE_REASONS)
            continue
        if roll < 0.3:
            body = rng.randbytes(rng.randrange(0, 4096)) + i.to_bytes(4, "big")
            yield FuzzMessage(i, "header_random_body", header + body, headers, False,
                              frozenset({"bad_body", "contract", "cast"}))
            continue
        wire = make_finding(rng, i, base=base, run_id=f"fuzz-{i}").to_wire()
        wire.pop("fingerprint", None)
        wire["run_id"] = f"fuzz-{i}"
        if roll < 0.3 + valid_share:
            yield FuzzMessage(i, "valid", encode(wire, schema), headers, True, frozenset(), {})
            continue
        kind = kinds[rng.randrange(len(kinds))]
        stored, expect = HOSTILE_AVRO[kind](rng, wire)
        yield FuzzMessage(i, kind, encode(wire, schema), headers, stored, frozenset() if stored else CONTRACT, expect)
