"""The column-wise findings.v1 encoder gives, byte for byte, what the row-wise reference gave:
`encode(row_to_wire(row))` with fastavro, per stored row. Rows come from the contract itself
(`convert_batch`) over the generator's findings and over the hostile, messy wire records of the
contract equivalence tests, so every stored shape the stream can publish is covered: null and
present optionals, empty and non-empty tags, sources and details, odd Unicode, every id mode."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.batch import convert_batch
from schemas.registry import latest
from schemas.wire import Decoder, WireError, encode
from streams.publish import row_to_wire
from streams.publish_wire import FindingEncoder, zigzag_varint
from tests.contracts.test_batch_equivalence import messy_but_valid, wire_record
from tools.stress.generator import generate

SCHEMA = latest("finding")
ENCODER = FindingEncoder(SCHEMA)


def reference(table: pa.Table) -> list[bytes]:
    return [encode(row_to_wire(row), SCHEMA) for row in table.to_pylist()]


def stored(records: list[dict[str, Any]]) -> pa.Table:
    return convert_batch(records, "raw.findings", 4, [10 + i for i in range(len(records))]).table


def test_generator_findings_encode_as_the_reference_does() -> None:
    decoder = Decoder()
    records = []
    for msg in generate(3000, seed=33, invalid_share=0.1):
        try:
            records.append(decoder.decode(msg.value)[1])
        except WireError:
            continue
    table = stored(records)
    assert table.num_rows > 2500
    assert ENCODER.values(table) == reference(table)
    # sliced and multi-chunk tables (what the publishing sink concatenates) encode the same
    part = table.slice(17, 400)
    assert ENCODER.values(part) == reference(part)
    chunked = pa.concat_tables([table.slice(0, 5), table.slice(900, 3), table.slice(5, 1)])
    assert ENCODER.values(chunked) == reference(chunked)


def test_messy_valid_records_encode_as_the_reference_does() -> None:
    table = stored([messy_but_valid(i) for i in range(60)])
    assert table.num_rows == 60
    assert table.column("estimated_monthly_savings").null_count > 0  # both union branches
    assert ENCODER.values(table) == reference(table)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(wire_record(), min_size=1, max_size=20))
def test_hostile_records_encode_as_the_reference_does(records: list[dict]) -> None:
    try:
        table = stored(records)
    except Exception:  # noqa: BLE001 - a batch the contract cannot store is never published
        return
    assert ENCODER.values(table) == reference(table)


def test_empty_table_gives_no_messages() -> None:
    assert ENCODER.values(stored([messy_but_valid(0)]).slice(0, 0)) == []


@pytest.mark.parametrize("n", [0, 1, -1, 63, -64, 64, 2**31, -(2**63), 2**63 - 1])
def test_zigzag_varint_is_avro_long(n: int) -> None:
    import io

    from fastavro import schemaless_writer

    buf = io.BytesIO()
    schemaless_writer(buf, "long", n)
    assert zigzag_varint(n) == buf.getvalue()


def test_a_schema_it_does_not_know_fails_loudly(tmp_path: Any) -> None:
    from schemas.registry import load_schema_file

    raw = SCHEMA.path.read_text().replace('"name": "confidence", "type": ["null", "double"]',
                                          '"name": "confidence", "type": ["null", "float"]')
    assert raw != SCHEMA.path.read_text()
    path = tmp_path / "finding.v9.avsc"
    path.write_text(raw)
    with pytest.raises(ValueError, match="confidence"):
        FindingEncoder(load_schema_file(path))
