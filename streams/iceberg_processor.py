"""The stream's processors with the Iceberg sink (`finops stream --sink iceberg`): the same decode,
validate and cast as the Parquet path, appending to `finops.findings` / `finops.scans` in the
catalog of `sinks.iceberg_tables` (embedded SQLite under the data dir unless one is configured)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from contracts.batch import Converter, convert_batch, rowwise
from contracts.scan_schema import scan_rows_to_table, scan_wire_to_row
from sinks.iceberg_sink import IcebergSink
from sinks.iceberg_tables import FINDINGS, SCANS, TableSpec, ensure_table, open_catalog
from streams.dead_letter import DeadLetter
from streams.processor import Processor

if TYPE_CHECKING:
    from pyiceberg.table import Table

    from streams.app import StreamSettings


def iceberg_processor_for(
    schema: str, iceberg_root: Path, commit_rows: int, on_dead: Callable[[DeadLetter], None]
) -> Processor:
    """The processor of a wire schema ("finding" or "scan") appending to its Iceberg table; the
    table is opened (created on first use) when the first batch arrives."""
    convert: Converter
    if schema == "finding":
        convert, spec = convert_batch, FINDINGS
    elif schema == "scan":
        convert, spec = rowwise(scan_wire_to_row, scan_rows_to_table), SCANS
    else:
        raise ValueError(f"unknown schema {schema!r} (finding or scan)")

    def load(spec: TableSpec = spec) -> Table:
        return ensure_table(open_catalog(iceberg_root), spec)

    sink = IcebergSink(load, spec.schema, commit_rows=commit_rows)
    return Processor(schema, convert, sink, on_dead)


def iceberg_processors(settings: StreamSettings, on_dead: Callable[[DeadLetter], None]) -> dict[str, Processor]:
    processors = {
        settings.raw_topic: iceberg_processor_for("finding", settings.iceberg_dir, settings.chunk_records, on_dead)
    }
    if settings.with_scans:
        processors[settings.scans_topic] = iceberg_processor_for(
            "scan", settings.iceberg_dir, settings.chunk_records, on_dead
        )
    return processors
