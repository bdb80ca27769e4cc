"""Scanning the simulated estate: the injected waste is found, healthy resources are not flagged,
regions run concurrently (one scan at a time each), failures are reported, stops are graceful."""

from __future__ import annotations

import io
import json
import re
import threading
from collections import defaultdict
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest

from checks.registry import load_checks
from estate import start_estate
from finops.cli import main
from producers.accounts import AccountDirectory
from producers.scan_sinks import StdoutSink
from producers.scan_summary import ScanSummary
from producers.scanner import Scanner, ScanRequest, parse_interval
from tests.checks.price_lookups import record_price_lookups

REGIONS = ("us-east-1", "eu-west-1")
# waste kind in the manifest -> the checks that must report every resource of that kind
COVERS = {
    "unattached_volume": ("ec2_ebs_volume_unattached",),
    "stopped_instance": ("ec2_instance_stopped_long",),
    "idle_instance": ("ec2_instance_low_utilization",),
    "previous_generation_instance": ("ec2_instance_previous_generation",),
    "graviton_candidate_instance": ("ec2_instance_graviton_candidate",),
    "old_snapshot": ("ec2_ebs_snapshot_old",),
    "orphaned_snapshot": ("ec2_ebs_snapshot_old",),
    "old_ami": ("ec2_ami_unused_old",),
    "unassociated_eip": ("ec2_eip_unassociated",),
    "idle_nat_gateway": ("ec2_nat_gateway_idle",),
    "lb_without_targets": ("elb_load_balancer_no_targets", "elb_load_balancer_idle"),
    "lb_with_stopped_targets": ("elb_load_balancer_no_targets", "elb_load_balancer_idle"),
    "clb_without_instances": ("elb_classic_load_balancer_idle",),
    "idle_rds_instance": ("rds_instance_idle",),
    "old_rds_snapshot": ("rds_snapshot_manual_old",),
    "log_group_without_retention": ("logs_log_group_no_retention",),
    "bucket_without_lifecycle": ("s3_bucket_no_lifecycle", "s3_multipart_upload_incomplete"),
    "provisioned_table_without_autoscaling": ("dynamodb_table_no_autoscaling",
                                              "dynamodb_table_underused_capacity"),
    "overprovisioned_lambda": ("lambda_function_memory_overprovisioned",),
    "ecr_repository_without_lifecycle": ("ecr_repository_no_lifecycle",),
    "unused_secret": ("secretsmanager_secret_unused",),
    "idle_redshift_cluster": ("redshift_cluster_idle",),
    "idle_emr_cluster": ("emr_cluster_idle",),
    "reserved_instance_expiring": ("ec2_reserved_instance_expiring",),
    "previous_generation_rds_instance": ("rds_instance_previous_generation",),
    "graviton_candidate_rds_instance": ("rds_instance_graviton_candidate",),
    "low_cpu_rds_instance": ("rds_instance_low_cpu",),
    "multi_az_non_production_rds_instance": ("rds_instance_multi_az_non_production",),
    "extended_support_rds_instance": ("rds_instance_extended_support",),
    "orphaned_rds_snapshot": ("rds_snapshot_orphaned",),
    "detailed_monitoring_instance": ("ec2_instance_detailed_monitoring",),
    "low_use_volume": ("ec2_ebs_volume_low_use",),
    "overprovisioned_gp3_volume": ("ec2_ebs_gp3_overprovisioned_performance",),
    "x86_lambda_function": ("lambda_function_graviton_candidate",),
    "long_timeout_lambda_function": ("lambda_function_timeout_excessive",),
    "disabled_kms_key": ("kms_key_disabled",),
    "stale_log_group": ("logs_log_group_stale",),
    "idle_cache_cluster": ("elasticache_cluster_idle",),
    "orphaned_alarm": ("cloudwatch_alarm_orphaned",),
    "efs_without_ia_lifecycle": ("efs_file_system_no_ia_lifecycle",),
    "empty_hosted_zone": ("route53_hosted_zone_empty",),
    "idle_eks_cluster": ("eks_cluster_idle",),
    "idle_vpc_endpoint": ("ec2_vpc_endpoint_interface_idle",),
    "idle_tgw_attachment": ("ec2_transit_gateway_attachment_idle",),
    "idle_sagemaker_endpoint": ("sagemaker_endpoint_idle",),
    "long_running_notebook_instance": ("sagemaker_notebook_instance_idle",),
    "idle_opensearch_domain": ("opensearch_domain_idle",),
    "idle_fsx_file_system": ("fsx_file_system_idle",),
    "snapshot_of_deregistered_ami": ("ec2_ebs_snapshot_of_deregistered_ami",),
    "old_ecr_image": ("ecr_image_old",),
    "gp2_storage_rds_instance": ("rds_instance_storage_gp2_to_gp3",),
    "steady_on_demand_table": ("dynamodb_table_on_demand_to_provisioned",),
    "x86_fargate_service": ("ecs_fargate_graviton_candidate",),
    "unused_dashboard": ("cloudwatch_dashboard_unused",),
    "io_heavy_aurora_cluster": ("rds_aurora_io_optimized_candidate",),
    "uncovered_on_demand_instance": ("ec2_instance_no_commitment_coverage",),
    "non_production_always_on_instance": ("ec2_instance_non_production_always_on",),
    # AWS's own advice (estate/seed_advice.py) on resources our checks flag too
    "aws_advised_instance": ("cost_optimization_hub_recommendation",
                             "compute_optimizer_ec2_instance", "ec2_instance_previous_generation"),
    "aws_advised_volume": ("cost_optimization_hub_recommendation",
                           "compute_optimizer_ebs_volume"),
}
# (kind, detail, value) -> checks that must report the waste resource when its manifest detail
# has that value (the estate records facts, e.g. volume_type; it never names checks)
DETAIL_COVERS = {
    ("unattached_volume", "volume_type", "gp2"): ("ec2_ebs_gp2_to_gp3",),
    ("unattached_volume", "volume_type", "io1"): ("ec2_ebs_io_to_gp3",),
    ("aws_advised_volume", "volume_type", "gp2"): ("ec2_ebs_gp2_to_gp3",),
}
# kind -> (checks, id prefix): checks that must report each related resource with that prefix
RELATED_COVERS = {
    "stopped_instance": (("ec2_ebs_volume_on_stopped_instance",), "vol-"),
}
# checks whose estate findings need no catalog price at all (so they look up none here)
NO_PRICE_ON_ESTATE = {
    "s3_bucket_no_lifecycle": "moto publishes no BucketSizeBytes: size unknown before any price",
    "dynamodb_table_no_autoscaling": "the seeded tables have no consumed-capacity datapoints",
    "cloudwatch_dashboard_unused": "each account keeps within the 3 free dashboards: $0.00",
    **{c: "AWS's own figure, never re-priced from the catalog" for c in (
        "cost_optimization_hub_recommendation", "compute_optimizer_ec2_instance",
        "compute_optimizer_ebs_volume")},
}
RUN_ID = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\dZ-[0-9a-f]{8}$")


@pytest.fixture(scope="module")
def estate():
    with start_estate(seed=21, resources=100, regions=REGIONS, accounts=2) as e:
        yield e


@pytest.fixture
def aws_env(monkeypatch, estate):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", estate.endpoint)
    return estate


def _expected(item) -> list[tuple[str, str]]:
    """(check, resource id) pairs the manifest says must be reported for one waste item."""
    pairs = [(c, item.resource_id) for c in COVERS.get(item.kind, ())]
    for (kind, key, value), checks in DETAIL_COVERS.items():
        if item.kind == kind and item.details.get(key) == value:
            pairs += [(c, item.resource_id) for c in checks]
    if item.kind in RELATED_COVERS:
        checks, prefix = RELATED_COVERS[item.kind]
        pairs += [(c, r) for c in checks for r in item.related if r.startswith(prefix)]
    return pairs


def exercised_checks() -> set[str]:
    """Every check the estate scan test proves (recall and precision)."""
    return ({c for cs in COVERS.values() for c in cs}
            | {c for cs in DETAIL_COVERS.values() for c in cs}
            | {c for cs, _ in RELATED_COVERS.values() for c in cs})


def _names(resource_id: str, wanted: str) -> bool:
    """A finding's resource id (an ARN or a bare id) names the manifest's id."""
    pattern = rf"(^|[:/]){re.escape(wanted)}($|[-/:])"
    return re.search(pattern, resource_id) is not None


def _directory(estate, **kw) -> AccountDirectory:
    base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    return AccountDirectory(base, endpoint_url=estate.endpoint, **kw)


def test_scan_stdout_finds_the_injected_waste_and_nothing_healthy(aws_env, capsys,
                                                                  monkeypatch) -> None:
    estate = aws_env
    registry = load_checks()
    checks = sorted(exercised_checks() & set(registry))
    lookups = record_price_lookups(monkeypatch)
    assert len(checks) >= 15, f"too few checks registered to judge the estate: {checks}"
    rc = main(["scan", "--tenant", "acme", "--workspace", "prod", "--regions", ",".join(REGIONS),
               "--org", "--stdout", "--checks", ",".join(checks)])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rc == 0
    findings = [r for r in out if r["record"] == "finding"]
    scans = [r for r in out if r["record"] == "scan"]
    assert {(s["account_id"], s["region"]) for s in scans} == {
        (a, r) for a in estate.accounts for r in REGIONS}
    assert all(s["status"] == "ok" and not s["errors"] for s in scans)
    assert len({s["run_id"] for s in scans}) == 1 and RUN_ID.match(scans[0]["run_id"])
    assert sum(sum(s["check_counts"].values()) for s in scans) == len(findings)
    assert all(f["tenant_id"] == "acme" and f["workspace"] == "prod" for f in findings)

    by_check: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        by_check[f["check_id"]].append(f)
    missed = []
    for item in estate.manifest.waste:
        for check, rid in _expected(item):
            if not any(f["account_id"] == item.account_id and f["region"] == item.region
                       and _names(f["resource_id"], rid) for f in by_check[check]):
                missed.append((check, item.kind, item.account_id, item.region, rid))
    assert not missed, missed

    waste_where = defaultdict(set)  # every id that is waste (or wasted along with it)
    for item in estate.manifest.waste:
        waste_where[(item.account_id, item.region)].update((item.resource_id, *item.related))
    flagged_healthy = [
        (c, f["resource_id"]) for c in checks for f in by_check[c]
        if not any(_names(f["resource_id"], w)
                   for w in waste_where[(f["account_id"], f["region"])])
    ]
    assert not flagged_healthy, flagged_healthy

    # price keys: each check priced only with keys its metadata declares, and a check that
    # reported something priced with at least one of them
    undeclared = {c: sorted(k for k in keys if not registry[c].meta.declares(k))
                  for c, keys in lookups.by_check.items()}
    assert not {c: k for c, k in undeclared.items() if k}, undeclared
    unpriced = sorted(c for c in checks if by_check[c] and not lookups.by_check.get(c))
    assert unpriced == sorted(NO_PRICE_ON_ESTATE), unpriced


class _Recording(Scanner):
    """Records how many scans are in flight per region; the first scan of each region waits at
    a barrier every region must reach, which only concurrent region scanners can pass."""

    def __init__(self, *a, barrier: threading.Barrier | None = None,
                 barrier_timeout: float = 60, **kw) -> None:
        super().__init__(*a, **kw)
        self.barrier = barrier
        self.barrier_timeout = barrier_timeout
        self.lock = threading.Lock()
        self.in_flight: dict[str, int] = defaultdict(int)
        self.max_in_flight: dict[str, int] = defaultdict(int)
        self.met: set[str] = set()

    def scan_one(self, account: str, region: str, run_id: str, now: datetime) -> ScanSummary:
        with self.lock:
            self.in_flight[region] += 1
            self.max_in_flight[region] = max(self.max_in_flight[region], self.in_flight[region])
            first = region not in self.met
            self.met.add(region)
        if first and self.barrier is not None:
            self.barrier.wait(self.barrier_timeout)  # broken if regions run one by one
        try:
            return super().scan_one(account, region, run_id, now)
        finally:
            with self.lock:
                self.in_flight[region] -= 1


CHEAP = ("ec2_eip_unassociated", "ec2_ebs_volume_unattached")


def test_regions_scan_concurrently_one_scan_at_a_time_each(estate) -> None:
    sink = StdoutSink(io.StringIO())
    scanner = _Recording(_directory(estate), ScanRequest("acme", "prod", REGIONS, org=True,
                                                         check_ids=CHEAP),
                         sink, barrier=threading.Barrier(len(REGIONS)))
    summaries = scanner.scan_round()
    assert len(summaries) == len(REGIONS) * len(estate.accounts)
    assert dict(scanner.max_in_flight) == {r: 1 for r in REGIONS}
    assert sink.findings == sum(s.findings for s in summaries) > 0

    # the same barrier cannot be passed when regions run one after another
    serial = _Recording(_directory(estate), ScanRequest("acme", "prod", REGIONS, org=True,
                                                        check_ids=CHEAP),
                        StdoutSink(io.StringIO()), barrier=threading.Barrier(len(REGIONS)),
                        barrier_timeout=1, concurrent=False)
    with pytest.raises(threading.BrokenBarrierError):
        serial.scan_round()


class _AccessDenied(BaseHTTPRequestHandler):
    """An endpoint that refuses everything, as a region blocked by an SCP would."""

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (b"<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>"
                b"denied by policy</Message></Error></Errors><RequestID>1</RequestID></Response>")
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_failing_region_is_reported_and_the_others_still_deliver(estate) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AccessDenied)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        bad = f"http://127.0.0.1:{server.server_address[1]}"
        directory = _directory(estate, region_endpoints={"eu-west-1": bad})
        out = io.StringIO()
        scanner = Scanner(directory, ScanRequest("acme", "prod", REGIONS, org=True,
                                                 check_ids=CHEAP), StdoutSink(out))
        summaries = scanner.scan_round()
    finally:
        server.shutdown()
    by_region = defaultdict(list)
    for s in summaries:
        by_region[s.region].append(s)
    assert all(s.status == "ok" and s.findings > 0 for s in by_region["us-east-1"])
    for s in by_region["eu-west-1"]:
        assert s.status == "failed" and s.findings == 0
        assert {e.code for e in s.errors} == {"UnauthorizedOperation"}
        assert {e.check_id for e in s.errors} == set(CHEAP)
        assert all(e.region == "eu-west-1" and e.account_id == s.account_id for e in s.errors)
    wire = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {r["region"] for r in wire if r["record"] == "finding"} == {"us-east-1"}
    failed = [r for r in wire if r["record"] == "scan" and r["status"] == "failed"]
    assert len(failed) == len(estate.accounts) and all(r["errors"] for r in failed)


class _StopAfterFirst(StdoutSink):
    def __init__(self, stop: threading.Event) -> None:
        super().__init__(io.StringIO())
        self.stop, self.flushes = stop, 0

    def summary(self, summary: ScanSummary) -> None:
        super().summary(summary)
        self.stop.set()

    def flush(self) -> None:
        super().flush()
        self.flushes += 1


def test_interval_scanning_stops_gracefully(estate) -> None:
    stop = threading.Event()
    sink = _StopAfterFirst(stop)
    scanner = Scanner(_directory(estate), ScanRequest("acme", "prod", REGIONS, org=True,
                                                      check_ids=CHEAP), sink, stop=stop)
    summaries = scanner.run(interval_s=3600)  # returns at the stop, not an hour later
    # each region finishes the scan it was in, starts no other; the sink is flushed
    assert sorted(s.region for s in summaries) == sorted(REGIONS)
    assert all(s.status == "ok" for s in summaries)
    assert sink.flushes == 1


def test_no_credentials_and_no_endpoint_points_at_the_estate(monkeypatch, tmp_path,
                                                             capsys) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    rc = main(["scan", "--tenant", "acme", "--regions", "us-east-1", "--stdout"])
    assert rc == 1
    assert "finops estate up" in capsys.readouterr().err


def test_parse_interval() -> None:
    assert [parse_interval(t) for t in ("15m", "30s", "1h", "90")] == [900, 30, 3600, 90]
    for bad in ("", "soon", "-5m", "0"):
        with pytest.raises(ValueError):
            parse_interval(bad)


def test_unknown_check_ids_fail_before_any_aws_call(aws_env, capsys) -> None:
    rc = main(["scan", "--tenant", "acme", "--regions", "us-east-1", "--stdout",
               "--checks", "ec2_eip_unassociated,no_such_check"])
    assert rc == 1
    captured = capsys.readouterr()
    assert "no_such_check" in captured.err and captured.out == ""


class _FlakyDirectory(AccountDirectory):
    """Organizations is down for the first round."""

    calls = 0

    def resolve(self, accounts, org):  # type: ignore[no-untyped-def]
        type(self).calls += 1
        if type(self).calls == 1:
            from producers.accounts import AccountError

            raise AccountError("organizations:ListAccounts failed: ServiceUnavailable")
        return super().resolve(accounts, org)


def test_interval_mode_survives_a_round_that_cannot_list_accounts(estate) -> None:
    base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    directory = _FlakyDirectory(base, endpoint_url=estate.endpoint)
    stop = threading.Event()
    scanner = Scanner(directory, ScanRequest("acme", "prod", REGIONS, org=True,
                                             check_ids=CHEAP), _StopAfterFirst(stop), stop=stop)
    summaries = scanner.run(interval_s=0.01)
    assert _FlakyDirectory.calls == 2
    assert sorted(s.region for s in summaries) == sorted(REGIONS)


def test_finops_scan_interval_stops_on_sigterm(estate, tmp_path) -> None:
    """The real command: SIGTERM during `--interval` ends the round in flight, flushes, exits."""
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_ENDPOINT_URL": estate.endpoint}
    proc = subprocess.Popen(
        [sys.executable, "-m", "finops.cli", "scan", "--tenant", "acme", "--regions",
         ",".join(REGIONS), "--org", "--interval", "1h", "--stdout", "--checks", ",".join(CHEAP)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr is not None
    for line in proc.stderr:  # the first progress line: a scan has completed
        if "scanned" in line:
            break
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    scans = [json.loads(line) for line in out.splitlines() if '"record": "scan"' in line]
    assert 1 <= len(scans) <= len(REGIONS) * len(estate.accounts)
    assert "stopping" in err and "scan finished" in err


def test_an_account_that_cannot_be_entered_is_a_failed_scan() -> None:
    """STS refuses: each (account, region) gets a `failed` summary naming sts, nothing else."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AccessDenied)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="x")
        refusing = f"http://127.0.0.1:{server.server_address[1]}"
        directory = AccountDirectory(base, endpoint_url=refusing)
        out = io.StringIO()
        summaries = Scanner(directory, ScanRequest("acme", "prod", REGIONS,
                                                   accounts=("111111111111",),
                                                   check_ids=CHEAP), StdoutSink(out)).scan_round()
    finally:
        server.shutdown()
    assert [(s.region, s.status) for s in summaries] == [(r, "failed") for r in REGIONS]
    for s in summaries:
        assert [(e.service, e.code, e.account_id) for e in s.errors] == [
            ("sts", "AccountError", "111111111111")]
        assert "GetCallerIdentity" in s.errors[0].message
    assert '"record": "finding"' not in out.getvalue()


def test_tenant_config_reaches_the_checks(aws_env, tmp_path, capsys) -> None:
    """--config: a disabled check does not run; a threshold override changes what is found."""
    config = tmp_path / "tenant.json"
    config.write_text(json.dumps({"checks": {
        "ec2_eip_unassociated": {"enabled": False},
        "ec2_ebs_volume_unattached": {"min_unattached_days": 365},  # the estate's are 21-56 d
    }}))
    rc = main(["scan", "--tenant", "acme", "--regions", "us-east-1", "--stdout",
               "--checks", ",".join(CHEAP), "--config", str(config)])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rc == 0
    assert [r["check_counts"] for r in out if r["record"] == "scan"] == [
        {"ec2_ebs_volume_unattached": 0}]
    assert not [r for r in out if r["record"] == "finding"]


def test_every_check_is_proven_on_the_estate() -> None:
    """A new check comes with estate waste, a healthy look-alike and an entry in COVERS /
    DETAIL_COVERS / RELATED_COVERS (the AWS-advice checks too: the estate serves COH and
    Compute Optimizer, estate/advice.py)."""
    assert set(load_checks()) - exercised_checks() == set()


def test_aws_advice_on_the_estate_is_reported_with_aws_figures(aws_env, capsys) -> None:
    """Each AWS-advice finding carries the figure the estate seeded (the manifest's), after
    discounts where AWS gave one (instances; COH always), before where Compute Optimizer gave
    only that (volumes)."""
    estate = aws_env
    checks = {"cost_optimization_hub_recommendation": "coh_monthly_savings",
              "compute_optimizer_ec2_instance": "co_monthly_savings",
              "compute_optimizer_ebs_volume": "co_monthly_savings"}
    rc = main(["scan", "--tenant", "acme", "--regions", ",".join(REGIONS), "--org", "--stdout",
               "--checks", ",".join(checks)])
    assert rc == 0
    found = {(f["check_id"], f["account_id"], f["resource_id"].rsplit("/", 1)[-1]): f
             for f in map(json.loads, capsys.readouterr().out.splitlines())
             if f["record"] == "finding"}
    expected = {}
    for item in estate.manifest.waste:
        if item.kind in ("aws_advised_instance", "aws_advised_volume"):
            for check in COVERS[item.kind]:
                if check in checks:
                    expected[(check, item.account_id, item.resource_id)] = (
                        item.details[checks[check]], item.kind == "aws_advised_instance"
                        or check == "cost_optimization_hub_recommendation")
    assert len(expected) == 4 * len(estate.accounts)
    assert sorted(found) == sorted(expected)
    for key, (savings, after_discounts) in expected.items():
        f = found[key]
        assert f["estimated_monthly_savings"] == savings
        basis = "after discounts" if after_discounts else "before discounts"
        assert f"savings {basis}" in f["savings_formula"], f["savings_formula"]
