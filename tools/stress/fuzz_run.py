"""The fuzz run: hostile messages mixed with valid ones through a real stream worker on the real broker.

    python -m tools.stress.fuzz_run --n 15000 --engine faust --workdir .fuzz --clean   # ~10,500 hostile

Checks, each message against the outcome it was built for (`tools.stress.fuzz`): every valid one
stored exactly once; every hostile one stored exactly once with its canonical values, or
dead-lettered exactly once (distinct DLQ keys) with an allowed reason; nothing both; no file outside
the output directory; the worker never exited until stopped, and exits 0; a replay of the topic
writes byte-identical files and the same dead letters (key and reason). The report gives lost,
duplicated, wrong outcomes, dead letters by reason and worker exits.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import duckdb
from confluent_kafka import Consumer, Producer

from streams.replay import replay
from tools.stress import harness
from tools.stress.fuzz import FuzzMessage, generate_fuzz

_SLUG_DIR = re.compile(r"^tenant_id=[a-z0-9][a-z0-9_.-]{0,62}\Z")
_DAY_DIR = re.compile(r"^dt=[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def _say(msg: str) -> None:
    print(f"[fuzz {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def produce(bootstrap: str, topic: str, messages: list[FuzzMessage]) -> None:
    """Raw bytes and raw headers as given (the publisher would str() header values)."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                         "message.max.bytes": 2 * 1024 * 1024, "linger.ms": 20})
    failures: list[str] = []

    def on_delivery(err: Any, msg: Any) -> None:
        if err is not None:
            failures.append(str(err))

    for m in messages:
        while True:
            try:
                producer.produce(topic, value=m.value, key=f"fuzz-{m.index}".encode(), headers=list(m.headers),
                                 on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.5)
        producer.poll(0)
    if producer.flush(120) or failures:
        raise RuntimeError(f"fuzz produce failed: {failures[:3]}")


def read_dead_letters(bootstrap: str, topic: str, expected: int, timeout: float = 120.0) -> dict[str, tuple[str, str]]:
    """Distinct DLQ keys -> (reason, sha256 of the value); the first `dlq.reason` header counts."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"fuzz-dlq-{uuid.uuid4().hex[:6]}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    out: dict[str, tuple[str, str]] = {}
    try:
        c.subscribe([topic])
        deadline = time.monotonic() + timeout
        idle_until = None
        while time.monotonic() < deadline:
            for m in c.consume(1000, timeout=1.0):
                if m.error():
                    continue
                reason = next((v.decode() for k, v in (m.headers() or []) if k == "dlq.reason"), "?")
                out[m.key().decode()] = (reason, hashlib.sha256(m.value() or b"").hexdigest())
            if len(out) >= expected:
                idle_until = idle_until or time.monotonic() + 3.0
                if time.monotonic() >= idle_until:
                    break
        return out
    finally:
        c.close()


def stored_rows(out: Path) -> dict[str, list[dict[str, Any]]]:
    files = sorted(str(p) for p in out.rglob("*.parquet"))
    if not files:
        return {}
    rel = duckdb.connect().execute(
        "select run_id, source_partition, source_offset, tenant_id, region, currency, title, tags, resource_name, "
        "estimated_monthly_savings, confidence from read_parquet($files, hive_partitioning=false)",
        {"files": files},
    )
    names = [d[0] for d in rel.description]
    rows: dict[str, list[dict[str, Any]]] = {}
    for values in rel.fetchall():
        row = dict(zip(names, values, strict=True))
        if isinstance(row["tags"], dict):  # duckdb returns maps as dicts
            row["tags"] = sorted(row["tags"].items())
        rows.setdefault(row["run_id"], []).append(row)
    return rows


def files_outside(workdir: Path, out: Path, allowed: list[Path]) -> list[str]:
    """Every file under workdir that is neither in the output (in a well-formed tenant/day
    directory) nor under an allowed path (logs, the worker's own state)."""
    bad = []
    out = out.resolve()
    for path in sorted(workdir.resolve().rglob("*")):
        if path.is_dir() or any(path.is_relative_to(a.resolve()) for a in allowed):
            continue
        if path.is_relative_to(out):
            parts = path.relative_to(out).parts
            if len(parts) == 3 and _SLUG_DIR.match(parts[0]) and _DAY_DIR.match(parts[1]):
                continue
        bad.append(str(path))
    return bad


def check(messages: list[FuzzMessage], rows: dict[str, list[dict[str, Any]]],
          dead: dict[str, tuple[str, str]]) -> dict[str, Any]:
    by_sha = {hashlib.sha256(m.value).hexdigest(): m.index for m in messages}
    letters: dict[int, list[str]] = {}
    unknown_letters = 0
    for reason, sha in dead.values():
        if sha in by_sha:
            letters.setdefault(by_sha[sha], []).append(reason)
        else:
            unknown_letters += 1
    lost, duplicated, wrong = [], [], []
    for m in messages:
        got_rows, got_dead = rows.get(m.run_id, []), letters.get(m.index, [])
        if len(got_rows) + len(got_dead) == 0:
            lost.append(m.index)
        elif len(got_rows) + len(got_dead) > 1:
            duplicated.append(m.index)
        elif m.stored and got_dead:
            wrong.append((m.index, m.kind, f"dead-lettered as {got_dead[0]}, must be stored"))
        elif not m.stored and got_rows:
            wrong.append((m.index, m.kind, "stored, must be dead-lettered"))
        elif got_dead and got_dead[0] not in m.reasons:
            wrong.append((m.index, m.kind, f"reason {got_dead[0]} not in {sorted(m.reasons)}"))
        elif got_rows:
            row = got_rows[0]
            for name, want in m.expect.items():
                have = row[name]
                if name == "estimated_monthly_savings" and have is not None:
                    have = float(have)
                if have != want:
                    wrong.append((m.index, m.kind, f"{name}: stored {str(have)[:60]!r}, expected {str(want)[:60]!r}"))
    return {"lost": lost, "duplicated": duplicated, "wrong": wrong, "unknown_letters": unknown_letters}


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir: Path = args.workdir.resolve()
    if args.clean and workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    messages = list(generate_fuzz(args.n, seed=args.seed, valid_share=args.valid_share))
    kinds = Counter(m.kind for m in messages)
    report: dict[str, Any] = {"n": len(messages), "engine": args.engine, "seed": args.seed,
                              "valid": kinds["valid"], "hostile": len(messages) - kinds["valid"],
                              "kinds": dict(sorted(kinds.items()))}
    out, logs, cwd = workdir / "out", workdir / "logs", workdir / "cwd"
    with ExitStack() as stack:
        bootstrap = args.bootstrap or harness_bootstrap(stack)
        topics = harness.Topics.unique("fuzz")
        topics.create(bootstrap, args.partitions)
        worker = harness.StreamWorker(bootstrap, topics, out, logs / "stream.log", chunk_records=args.chunk_records,
                                      partitions=args.partitions, engine=args.engine, cwd=cwd).start()
        stack.callback(worker.stop)
        t0 = time.monotonic()
        step = max(1, len(messages) // 10)
        for i in range(0, len(messages), step):
            produce(bootstrap, topics.raw, messages[i : i + step])
            _say(f"produced {min(i + step, len(messages))}/{len(messages)}")
            if not worker.alive():
                break
        ends = harness.end_offsets(bootstrap, topics.raw)
        exits: list[int | None] = []
        try:
            harness.wait_until_committed(bootstrap, topics.group, topics.raw, ends, timeout=args.timeout, worker=worker)
            committed_all = True
        except (TimeoutError, RuntimeError) as exc:
            _say(f"not every offset committed: {exc}")
            committed_all = False
        alive_at_end = worker.alive()
        exits.append(worker.stop())
        report["stream_seconds"] = round(time.monotonic() - t0, 1)
        rows = stored_rows(out)
        expected_dead = sum(not m.stored for m in messages)
        dead = read_dead_letters(bootstrap, topics.dlq, expected_dead)
        result = check(messages, rows, dead)
        # the shared processor: a replay gives the same files and the same dead letters
        replay_dir = workdir / "replay"
        shutil.rmtree(replay_dir, ignore_errors=True)
        replayed = replay(bootstrap, topics.raw, replay_dir, chunk_records=args.chunk_records)
        replay_same_files = bool(rows) and harness.tree_digest(out) == harness.tree_digest(replay_dir)
        replay_same_letters = {d.key: d.reason for d in replayed.dead_letters} == {k: r for k, (r, _) in dead.items()}
        state = workdir / "worker-state"  # the worker's --data-dir (harness.StreamWorker)
        outside = files_outside(workdir, out, [logs, state, replay_dir])  # the worker's cwd must stay empty
    reasons = Counter(reason for reason, _ in dead.values())
    report.update(
        produced=sum(ends.values()), committed_all=committed_all, worker_alive_at_end=alive_at_end,
        worker_exit_codes=exits, stored_rows=sum(len(v) for v in rows.values()),
        dead_letters=len(dead), dead_letters_by_reason=dict(sorted(reasons.items())),
        lost=len(result["lost"]), duplicated=len(result["duplicated"]), wrong=len(result["wrong"]),
        wrong_examples=result["wrong"][:10], lost_examples=result["lost"][:10],
        unknown_dead_letters=result["unknown_letters"], files_outside_output=outside[:20],
        files_in_worker_cwd=sorted(str(p.relative_to(cwd)) for p in cwd.rglob("*"))[:20] if cwd.exists() else [],
    )
    checks = {
        "every offset committed": committed_all,
        "worker never exited, exit 0 on stop": alive_at_end and exits == [0],
        "nothing lost": report["lost"] == 0,
        "nothing duplicated": report["duplicated"] == 0,
        "every outcome as built": report["wrong"] == 0 and report["unknown_dead_letters"] == 0,
        "no file outside the output directory": not outside,
        "replay: byte-identical files, same dead letters": replay_same_files and replay_same_letters,
    }
    report["checks"] = checks
    report["ok"] = all(checks.values())
    (workdir / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True, default=str))
    for name, ok in checks.items():
        _say(f"{'PASS' if ok else 'FAIL'}  {name}")
    _say(f"lost {report['lost']}, duplicated {report['duplicated']}, wrong {report['wrong']}, dead letters "
         f"{report['dead_letters_by_reason']}, exits {exits}; report {workdir / 'report.json'}")
    return report


def harness_bootstrap(stack: ExitStack) -> str:
    from tools.stress.stress_engine import local_bootstrap

    return local_bootstrap(stack, Path("."))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=15_000, help="messages (about 70%% hostile)")
    p.add_argument("--valid-share", type=float, default=0.3)
    p.add_argument("--engine", choices=("faust", "kafka"), default="faust")
    p.add_argument("--workdir", type=Path, default=Path(".fuzz"))
    p.add_argument("--clean", action="store_true")
    p.add_argument("--seed", type=int, default=99)
    p.add_argument("--partitions", type=int, default=3)
    p.add_argument("--chunk-records", type=int, default=2000)
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--bootstrap", default=None)
    report = run(p.parse_args(argv))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
