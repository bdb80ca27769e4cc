"""The real Trino server over the stream's Iceberg table: findings streamed through the real broker
into `finops.findings`, then Trino's answers equal DuckDB's over the same snapshot's data files.

Slow: the first run on a machine fetches Trino (~820 MB from Maven Central, then cached in ~/.m2
and `.cache/trino/`); start-up takes one to two minutes on these 2-core machines.
    .venv/bin/pytest -m trino tests/finops/test_trino_iceberg.py
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("pyiceberg")

from contracts.finding import Finding  # noqa: E402
from finops.broker import free_ports  # noqa: E402
from finops.trino import JAVA_HOME, LocalTrino  # noqa: E402
from jobs.cur.iceberg_facts import publish_facts  # noqa: E402
from jobs.cur.normalize import normalize  # noqa: E402
from schemas.registry import latest  # noqa: E402
from schemas.wire import encode  # noqa: E402
from sinks.iceberg_tables import FINDINGS, ensure_table, open_catalog  # noqa: E402
from tools.stress import harness  # noqa: E402
from tools.stress.generator import Message, generate  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
WORKSHOP_CUR = [SHARED / "aws-well-architected-labs" / f"{m}2018-WorkshopCUR-00001.snappy.parquet"
                for m in ("Oct", "Nov")]

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.trino]


@pytest.fixture(scope="module")
def trino(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTrino]:
    if not (JAVA_HOME / "bin" / "java").exists():
        pytest.skip(f"no JDK 25 at {JAVA_HOME} (Trino needs Java 24+)")
    root = tmp_path_factory.mktemp("trino")
    server = LocalTrino(root / "iceberg", port=free_ports(1)[0], run_dir=root / "run")
    server.start(wait=900)
    try:
        yield server
    finally:
        server.stop()


def _stream(bootstrap: str, topics: harness.Topics, root: Path, msgs: list) -> None:
    harness.produce(bootstrap, topics.raw, msgs)
    worker = harness.StreamWorker(bootstrap, topics, root, root.parent / "stream.log", chunk_records=1000,
                                  partitions=3, engine="kafka", sink="iceberg").start()
    try:
        ends = harness.end_offsets(bootstrap, topics.raw)
        harness.wait_until_committed(bootstrap, topics.group, topics.raw, ends, timeout=240, worker=worker)
    finally:
        worker.stop()


def _duckdb(root: Path, snapshot_id: int) -> duckdb.DuckDBPyConnection:
    """DuckDB over exactly the data files of one snapshot (as a view `findings`)."""
    table = ensure_table(open_catalog(root), FINDINGS)
    files = [t.file.file_path.removeprefix("file://") for t in table.scan(snapshot_id=snapshot_id).plan_files()]
    con = duckdb.connect()
    con.register("findings", con.read_parquet(files).to_arrow_table())
    return con


def _answers_equal(trino: LocalTrino, root: Path, snapshot_id: int) -> dict[str, object]:
    con = _duckdb(root, snapshot_id)
    at = f"finops.findings for version as of {snapshot_id}"
    got_count = trino.query(f"select count(*), count(distinct fingerprint) from {at}")
    want_count = con.execute("select count(*), count(distinct fingerprint) from findings").fetchall()
    assert [tuple(r) for r in got_count] == want_count
    got = trino.query(f"select tenant_id, count(*), sum(estimated_monthly_savings) from {at} group by 1 order by 1")
    want = con.execute(
        "select tenant_id, count(*), sum(estimated_monthly_savings) from findings group by 1 order by 1"
    ).fetchall()
    assert [(t, n, Decimal(s)) for t, n, s in got] == [(t, n, Decimal(s)) for t, n, s in want]
    got_days = trino.query(f"select tenant_id, cast(observed_at as date), check_id, count(*) from {at} "
                           "group by 1, 2, 3 order by 1, 2, 3")
    want_days = con.execute("select tenant_id, cast(observed_at as date)::varchar, check_id, count(*) "
                            "from findings group by 1, 2, 3 order by 1, 2, 3").fetchall()
    assert [tuple(r) for r in got_days] == want_days
    return {"rows": want_count[0][0], "savings": want}


def test_trino_answers_equal_duckdb_over_the_same_snapshot(kafka_bootstrap: str, trino: LocalTrino) -> None:
    root = trino.iceberg_root
    topics = harness.Topics.unique("trino")
    topics.create(kafka_bootstrap, 3)
    first = list(generate(3000, seed=51, invalid_share=0.02))
    _stream(kafka_bootstrap, topics, root, first)
    table = ensure_table(open_catalog(root), FINDINGS)
    snap1 = table.current_snapshot().snapshot_id
    one = _answers_equal(trino, root, snap1)
    assert one["rows"] == sum(m.valid for m in first)

    # more findings: a newer snapshot; Trino's latest equals DuckDB's latest, the old one is unchanged
    more = list(generate(2000, seed=52, invalid_share=0.02))
    _stream(kafka_bootstrap, topics, root, more)
    table.refresh()
    snap2 = table.current_snapshot().snapshot_id
    assert snap2 != snap1
    two = _answers_equal(trino, root, snap2)
    assert two["rows"] == one["rows"] + sum(m.valid for m in more)
    latest = trino.query("select count(*) from finops.findings")
    assert latest == [[two["rows"]]]
    assert _answers_equal(trino, root, snap1) == one


# Findings x cost per (tenant, resource): the bill's lines and cost of every resource a finding names.
JOIN = """
with cost as (
    select tenant_id, resource_id, count(*) as lines, sum(cost_primary) as cost, sum(cost_effective) as effective
    from {facts} where resource_id is not null group by tenant_id, resource_id)
select f.tenant_id, f.resource_id, count(*) as findings, sum(f.estimated_monthly_savings) as savings,
       c.lines, c.cost, c.effective
from {findings} f join cost c on c.tenant_id = f.tenant_id and c.resource_id = f.resource_id
group by f.tenant_id, f.resource_id, c.lines, c.cost, c.effective
order by 1, 2
"""


def _billed_resources(facts_dir: Path, n: int) -> list[tuple[str, str, str, str]]:
    """(account, region, resource type, bare id) of `n` EC2 instances and volumes the real bill names."""
    files = sorted(str(p) for p in facts_dir.rglob("*.parquet"))
    rows = duckdb.connect().execute(
        "select distinct account_id, region, resource_id from read_parquet($f) "
        "where regexp_full_match(resource_id, 'arn:aws:ec2:[a-z0-9-]+:[0-9]{12}:(instance/i|volume/vol)-[0-9a-f]+') "
        "order by 3", {"f": files}).fetchall()
    out = []
    for account, region, arn in rows[:n]:
        kind, rid = arn.rsplit(":", 1)[1].split("/")
        out.append((account, region, "AWS::EC2::Instance" if kind == "instance" else "AWS::EC2::Volume", rid))
    return out


def _findings_on(resources: list[tuple[str, str, str, str]], tenant: str) -> list[Message]:
    """Two findings per billed resource (two checks), as the producers would send them."""
    rng = random.Random(5)
    schema = latest("finding")
    msgs = []
    for i, (account, region, rtype, rid) in enumerate(resources):
        checks = ("ec2_stopped_long", "ec2_low_utilization") if rtype.endswith("Instance") else (
            "ebs_unattached", "ebs_gp2_to_gp3")
        for check in checks:
            savings = Decimal(str(round(rng.uniform(1, 300), 2)))
            wire = Finding(
                tenant_id=tenant, account_id=account, region=region, service="ec2", check_id=check,
                resource_type=rtype, resource_id=rid, title=f"{check} on a billed resource",
                observed_at=datetime(2018, 11, 20, i % 24, tzinfo=UTC), estimated_monthly_savings=savings,
                savings_formula=f"{savings} USD/month (test)", run_id="trino-join",
            ).to_wire()
            msgs.append(Message(str(wire["fingerprint"]), encode(wire, schema), True))
    return msgs


def test_trino_joins_findings_with_the_cost_facts_as_duckdb_does(
    kafka_bootstrap: str, trino: LocalTrino, tmp_path: Path
) -> None:
    """The real Workshop CUR normalized and published as `finops.cost_facts` in the same catalog,
    findings on its resources streamed in: Trino's join equals DuckDB's over the facts files."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in WORKSHOP_CUR:
        (raw / path.name).symlink_to(path.resolve())
    facts_dir = tmp_path / "cur_facts"
    normalize(raw, facts_dir, "acme")
    root = trino.iceberg_root
    published = publish_facts(open_catalog(root), facts_dir)
    assert [m.billing_month for m in published] == ["2018-10", "2018-11"]

    resources = _billed_resources(facts_dir, 60)
    assert len(resources) == 60
    topics = harness.Topics.unique("trinojoin")
    topics.create(kafka_bootstrap, 3)
    # plus findings the bill does not know (other tenants, made-up ids): they must not join
    _stream(kafka_bootstrap, topics, root, _findings_on(resources, "acme") + list(generate(500, seed=53)))

    snapshot = ensure_table(open_catalog(root), FINDINGS).current_snapshot().snapshot_id
    con = _duckdb(root, snapshot)
    facts_files = sorted(str(p) for p in facts_dir.rglob("*.parquet"))
    want = con.execute(JOIN.format(facts=f"read_parquet({facts_files!r})", findings="findings")).fetchall()
    got = trino.query(JOIN.format(facts="finops.cost_facts", findings=f"finops.findings for version as of {snapshot}"))
    assert len(want) == 60 and {r[0] for r in want} == {"acme"}
    assert all(r[2] == 2 for r in want), "each billed resource carries its two findings"
    assert [(t, r, n, Decimal(s), lines) for t, r, n, s, lines, _, _ in got] == [
        (t, r, n, Decimal(s), lines) for t, r, n, s, lines, _, _ in want]
    for g, w in zip(got, want, strict=True):
        assert math.isclose(g[5], w[5], rel_tol=1e-9, abs_tol=1e-9), (g, w)
        assert math.isclose(g[6], w[6], rel_tol=1e-9, abs_tol=1e-9), (g, w)
    assert sum(w[5] for w in want) > 1.0  # real money on the joined resources
