"""Golden vectors for finding identity: committed 64-hex fingerprints and finding ids.

An accidental change to canonicalization, the identity fields, the separator or the id salts
would re-key every finding (losing lifecycle and suppression history) while every property test
stays green; these literals catch it. They were computed once with plain `hashlib` from the
preimages written out below (not with `contracts.identity`), and every identity path (the
producer's `Finding.to_wire`, the stream's `to_row`, the column batch) must reproduce them.
Changing one is a data migration, not a test fix.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from contracts.batch import to_table_batch
from contracts.cast import Provenance, to_row
from contracts.finding import Finding

SEP = "\x1f"
RUN_ID = "2026-06-01T12:00Z-0a1b2c3d"
OBSERVED = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # per-day salt: 2026-06-01

# name -> (check_id, tenant, account, region, canonical resource ARN, scope), fingerprint,
# per-run id (RUN_ID), per-day id (2026-06-01). Stable ids equal the fingerprint.
GOLDEN = {
    "volume": (
        ("ec2_ebs_volume_unattached", "acme", "123456789012", "us-east-1",
         "arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc123def4567890", ""),
        "eca99ee87781bcf362b2996806112072e30060a0c6ddc0a70c3e6da2b5f536d5",
        "fafe3fa3b46f00081bffd65f143be9181c45f8a2f328a2dd8930f7097b9cf2cc",
        "dbf982244025af3e9e66aec603d227468dce40d745a3665d8e293c5a0fa5e0e8"),
    "bucket": (
        ("s3_bucket_no_lifecycle", "acme", "123456789012", "us-east-1",
         "arn:aws:s3:::logs-archive", ""),
        "1e3cf1a279a81592b9fb4f1146badd2767982865015ea8d9a9f6beec3aeacc64",
        "e0818770acbea3b43c4d7379e672d11530868c9cd35ae8070a068ba65395a258",
        "35633649bd19814cebca3b742f19c356cad521483023819eff6d52b94d3c8983"),
    "rds": (
        ("rds_instance_idle", "globex", "210987654321", "eu-west-1",
         "arn:aws:rds:eu-west-1:210987654321:db:orders-db", ""),
        "b99cb4e99c17c7c7d61c3ad6462bb91b2fa2763a00bcfe966e81451efbba7db5",
        "b57c51c1bf5f61a62232073d3b4eb87e5d95e8f29866c52a7c3f184f2b8b7f82",
        "c7caaa5fa431291294b6a297b1b47d9d5f204cbf7d780d9c76b1d4380c0cfbc5"),
    "lambda_scoped": (
        ("lambda_function_memory_overprovisioned", "acme", "123456789012", "ap-southeast-2",
         "arn:aws:lambda:ap-southeast-2:123456789012:function:resize", "memory"),
        "5210ab1705d927128fbb4475678b6c0a1b686b023dc8fa71437b8ae2141b2271",
        "287dd715fc5249cbe51882bf078aa35c8fbb13dc6a652ff1ff4e02fb889c2cc4",
        "76319f62a890343b9ea4adbcaf2de3aeb789740dca917080374501b2946b1ecc"),
    "govcloud": (
        ("ec2_eip_unassociated", "acme", "123456789012", "us-gov-west-1",
         "arn:aws-us-gov:ec2:us-gov-west-1:123456789012:elastic-ip/eipalloc-0123456789abcdef0", ""),
        "947aa22ff8cf88c502ca986ac4c6638d07906d40a011f452ac23f99c426beb77",
        "6e403e7e5a48e404049e2b0890a8cb8c874cefa912d4d5274a02a3393fb859fa",
        "518f2e1396e6a2faa04d6052bb2d8237d8e003eec7766ad9599d25ccb268947a"),
}
SNAPSHOT_FP = "7a8e02e544927cae368a54fcb4548a7385af8b13b8f4821525da847ba5584d0c"
# unused_volume_snapshots over the volume and snap-0feed (sources sorted, comma-joined)
META = (
    ("unused_volume_snapshots", "acme", "123456789012", "us-east-1",
     "arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc123def4567890", ""),
    "9dfba2e9eb0185b6065701a32e1a549b4910547e752547359779b17790212f15",
    "75b9a933383e5555ed46c46c1ae07a4e330650b8f95bd85c1439d8d9ec8ee752",
    "c62c90275e78c14c470cb46ee789d806a243d19244b8d897551509c2170a631c")

# How each canonical record arrives: bare ids, mixed case, dashed accounts, padded strings.
INPUTS = {
    "volume": dict(check_id="EC2_EBS_VOLUME_UNATTACHED", tenant_id="Acme",
                   account_id="1234-5678-9012", region="US-EAST-1", service="ec2",
                   resource_type="AWS::EC2::Volume", resource_id=" vol-0ABC123DEF4567890 "),
    "bucket": dict(check_id="s3_bucket_no_lifecycle", tenant_id="acme", account_id="123456789012",
                   region="us-east-1", service="s3", resource_type="AWS::S3::Bucket",
                   resource_id="logs-archive"),
    "rds": dict(check_id="rds_instance_idle", tenant_id="globex", account_id="210987654321",
                region="eu-west-1", service="rds", resource_type="AWS::RDS::DBInstance",
                resource_id="arn:aws:rds:eu-west-1:210987654321:db:Orders-DB"),
    "lambda_scoped": dict(check_id="lambda_function_memory_overprovisioned", tenant_id="acme",
                          account_id="123456789012", region="ap-southeast-2", service="lambda",
                          resource_type="AWS::Lambda::Function", scope=" memory ",
                          resource_id="arn:aws:lambda:ap-southeast-2:123456789012:function:resize:7"),
    "govcloud": dict(check_id="ec2_eip_unassociated", tenant_id="acme", account_id="123456789012",
                     region="us-gov-west-1", service="ec2", resource_type="AWS::EC2::EIP",
                     resource_id="eipalloc-0123456789ABCDEF0"),
}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _finding(name: str, mode: str, **extra) -> Finding:
    return Finding(title="golden", observed_at=OBSERVED, estimated_monthly_savings=1,
                   savings_formula="x", run_id=RUN_ID, id_mode=mode, **INPUTS[name], **extra)


def _expected_id(golden: tuple, mode: str) -> str:
    return {"stable": golden[1], "per-run": golden[2], "per-day": golden[3]}[mode]


def test_literals_are_the_documented_preimages() -> None:
    """Pins the formula itself: sha256 of the domain and identity fields joined by U+001F;
    ids salt the fingerprint with the mode and the run id or the UTC day."""
    for identity, fp, per_run, per_day in [*GOLDEN.values(), META]:
        sources = [GOLDEN["volume"][1], SNAPSHOT_FP] if identity == META[0] else []
        parts = ["finops.finding.v1", *identity] + ([",".join(sorted(sources))] if sources else [])
        assert _sha(SEP.join(parts)) == fp
        assert _sha(f"{fp}{SEP}per-run{SEP}{RUN_ID}") == per_run
        assert _sha(f"{fp}{SEP}per-day{SEP}2026-06-01") == per_day


@pytest.mark.parametrize("mode", ["stable", "per-run", "per-day"])
@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_every_identity_path_reproduces_the_golden_vectors(name: str, mode: str) -> None:
    golden = GOLDEN[name]
    wire = _finding(name, mode).to_wire()
    assert (wire["fingerprint"], wire["finding_id"]) == (golden[1], _expected_id(golden, mode))
    row = to_row(wire, Provenance("golden", 0, 0))
    assert row["resource_id"] == golden[0][4]
    assert (row["fingerprint"], row["finding_id"]) == (golden[1], _expected_id(golden, mode))
    table, invalid = to_table_batch([dict(wire)], "golden", 0, [0])
    assert invalid == []
    assert table.column("fingerprint").to_pylist() == [golden[1]]
    assert table.column("finding_id").to_pylist() == [_expected_id(golden, mode)]


def test_snapshot_source_fingerprint() -> None:
    snap = Finding(check_id="ec2_ebs_snapshot_old", tenant_id="acme", account_id="123456789012",
                   region="us-east-1", service="ec2", resource_type="AWS::EC2::Snapshot",
                   resource_id="snap-0FEED", title="golden", observed_at=OBSERVED,
                   savings_formula="x")
    assert snap.to_wire()["fingerprint"] == SNAPSHOT_FP


@pytest.mark.parametrize("mode", ["stable", "per-run", "per-day"])
def test_correlated_finding_golden_vectors(mode: str) -> None:
    """A meta-finding's identity adds its sorted sources: order and case do not matter."""
    wire = Finding(check_id="unused_volume_snapshots", tenant_id="acme", account_id="123456789012",
                   region="us-east-1", service="ec2", resource_type="AWS::EC2::Volume",
                   resource_id="vol-0abc123def4567890", title="golden", observed_at=OBSERVED,
                   savings_formula="x", run_id=RUN_ID, id_mode=mode,
                   source_fingerprints=[SNAPSHOT_FP.upper(), GOLDEN["volume"][1]]).to_wire()
    row = to_row(wire, Provenance("finops.correlation", 0, 0))
    assert (row["fingerprint"], row["finding_id"]) == (META[1], _expected_id(META, mode))
    table, _ = to_table_batch([dict(wire)], "finops.correlation", 0, [0])
    assert table.column("finding_id").to_pylist() == [_expected_id(META, mode)]
