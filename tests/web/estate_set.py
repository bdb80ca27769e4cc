"""A snapshot set the jobs really wrote: the checks scan the simulated estate, every finding and
scan summary is Avro-encoded and taken in by the stream's own Processor (decode, contract,
ChunkSink Parquet), the shared workshop CUR is mapped onto the estate and normalized as the demo
does, and one window of the JobRunner writes the tenant's set. Only the Kafka transport is left
out (the stream's tests cover it): the bytes the processor sees are the ones the broker carries.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import boto3

from checks.prices.catalog import PriceCatalog
from contracts.finding import Finding
from producers.accounts import AccountDirectory
from producers.scan_summary import ScanSummary
from producers.scanner import Scanner, ScanRequest
from schemas.registry import latest
from schemas.topics import RAW_TOPIC, SCANS_TOPIC
from schemas.wire import encode
from streams.processor import Incoming, processor_for

REGIONS = ("us-east-1", "eu-west-1")
# The catalog as issue 11 found it in eu-west-1 (no r7g, ra3, EMR fee or RDS snapshot prices),
# so a set always has findings the totals must leave out (or only bound) and say why, however
# complete the shipped catalog becomes.
GAPS = {"eu-west-1": ("ec2:r7g.", "redshift:", "emr:", "rds:snapshot:")}


def catalog_with_gaps() -> PriceCatalog:
    shipped = PriceCatalog.load()
    regions = {r: {k: v for k, v in prices.items()
                   if not any(k.startswith(g) for g in GAPS.get(r, ()))}
               for r, prices in shipped.regions.items()}
    return dataclasses.replace(shipped, regions=regions)
SHARED_CUR = (Path(__file__).resolve().parents[3] / "shared" / "data" / "aws-well-architected-labs"
              / "Nov2018-WorkshopCUR-00001.snappy.parquet")


@dataclass
class EstateSet:
    data_dir: Path
    tenant: str
    findings_sent: int
    scans_sent: int
    cur: bool
    suppressed_fingerprint: str


class EncodingSink:
    """The scanner's sink: records encoded with the wire schemas, in send order per topic."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.records: dict[str, list[bytes]] = {RAW_TOPIC: [], SCANS_TOPIC: []}
        # (run_id, account_id, region, check_id, fingerprint) of each record ("" for a scan's
        # last two), to stream a run in parts
        self.scopes: dict[str, list[tuple[str, ...]]] = {RAW_TOPIC: [], SCANS_TOPIC: []}

    def finding(self, finding: Finding) -> None:
        wire = finding.to_wire()
        data = encode(wire, latest("finding"))
        with self.lock:
            self.records[RAW_TOPIC].append(data)
            self.scopes[RAW_TOPIC].append((finding.run_id, finding.account_id, finding.region,
                                           finding.check_id, wire["fingerprint"]))

    def summary(self, summary: ScanSummary) -> None:
        data = encode(summary.to_wire(), latest("scan"))
        with self.lock:
            self.records[SCANS_TOPIC].append(data)
            self.scopes[SCANS_TOPIC].append((summary.run_id, summary.account_id, summary.region,
                                             "", ""))

    def flush(self) -> None:
        pass


def _stream(sink: EncodingSink, data: Path) -> None:
    """The stream's processors over the encoded records (one partition each, offsets 0..n)."""
    for topic, schema, out in ((RAW_TOPIC, "finding", data / "findings"),
                               (SCANS_TOPIC, "scan", data / "scans")):
        dead: list[object] = []
        proc = processor_for(schema, out, 10_000, dead.append)
        batch = [Incoming(i, value) for i, value in enumerate(sink.records[topic])]
        proc.process(topic, 0, batch)
        proc.sink.finish()
        assert not dead, f"dead letters from the scan's own records: {dead[:3]}"


def _cur(estate: object, data: Path, tenant: str) -> bool:
    if not SHARED_CUR.exists():
        return False
    from finops.cli import main as finops_main

    manifest = data / "estate" / "manifest.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    estate.manifest.write(manifest)  # type: ignore[attr-defined]
    raw = data / "raw_cur" / f"tenant_id={tenant}"
    rc = finops_main(["cur", "map-sample", "--input", str(SHARED_CUR), "--accounts",
                      ",".join(estate.accounts), "--output",  # type: ignore[attr-defined]
                      str(raw / "workshop.parquet"), "--manifest", str(manifest)])
    rc = rc or finops_main(["cur", "normalize", "--input", str(data / "raw_cur"), "--output",
                            str(data / "cur_facts"), "--tenant", tenant])
    assert rc == 0, "the CUR sample did not map/normalize"
    return True


def build(data: Path, *, tenant: str = "acme", resources: int = 300, seed: int = 7,
          rounds: int = 2) -> EstateSet:
    """Scan a fresh estate `rounds` times (a second round makes findings `open`), stream the
    output, add the CUR facts and run one jobs window; returns where the set is."""
    from estate import start_estate
    from jobs.window import JobPaths, JobRunner

    sink = EncodingSink()
    with start_estate(seed=seed, resources=resources, regions=REGIONS, accounts=2) as estate:
        base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        directory = AccountDirectory(base, endpoint_url=estate.endpoint)
        scanner = Scanner(directory, ScanRequest(tenant, "prod", REGIONS, org=True), sink,
                          prices=catalog_with_gaps())
        for _ in range(rounds):
            scanner.scan_round()
        cur = _cur(estate, data, tenant)
    _stream(sink, data)
    runner = JobRunner(JobPaths.under(data), threads=1)
    try:
        report = runner.run_window()
        assert report.error is None and tenant in report.tenants_written, report
        suppressed = _suppress_one(data, tenant)
        report = runner.run_window()  # the suppression file changed: the tenant is rebuilt
        assert report.error is None and tenant in report.tenants_written, report
    finally:
        runner.close()
    return EstateSet(data, tenant, len(sink.records[RAW_TOPIC]), len(sink.records[SCANS_TOPIC]),
                     cur, suppressed)


def _suppress_one(data: Path, tenant: str) -> str:
    """Accept the first counted, priced finding (in the writer's order) through the tenant's
    suppression store, as a user would; returns its fingerprint."""
    findings = json.loads((data / "snapshots" / tenant / "findings.json").read_text())
    first = next(f for f in findings if f["counted"] and f["estimated_monthly_savings"])
    folder = data / "suppressions"
    folder.mkdir(exist_ok=True)
    (folder / f"{tenant}.json").write_text(json.dumps({"suppressions": [
        {"check_id": first["check_id"], "resource_id": first["resource_id"],
         "reason": "accepted: test", "author": "tests"}]}))
    return str(first["fingerprint"])
