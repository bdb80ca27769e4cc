"""Realistic sample snapshot sets: for the web tests, the freshness bench and an offline demo.

The dashboard must not depend on the jobs code to be tested, so this writes sets in the
documented layout itself (data files first, each through a temporary name and a rename,
`manifest.json` last with a sha256 per file), from deterministic generated findings. Tags
can carry hostile values (markup, script, formula-injection, quotes) to prove escaping.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

HOSTILE = (
    '<script>window.__pwned=1</script>',
    '"><img src=x onerror="window.__pwned=1">',
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "'; DROP TABLE findings; --",
    "</table><b>bold</b>",
)
CHECKS = (
    ("ec2", "ec2_ebs_volume_unattached", "AWS::EC2::Volume", "vol-"),
    ("ec2", "ec2_elastic_ip_unassigned", "AWS::EC2::EIP", "eipalloc-"),
    ("ec2", "ec2_instance_idle", "AWS::EC2::Instance", "i-"),
    ("rds", "rds_instance_idle", "AWS::RDS::DBInstance", "db-"),
    ("s3", "s3_bucket_no_lifecycle", "AWS::S3::Bucket", "bucket-"),
    ("elb", "elb_no_targets", "AWS::ElasticLoadBalancingV2::LoadBalancer", "lb-"),
)
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
SEVERITIES = ("low", "medium", "high", "critical")


def _fp(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def make_finding(tenant: str, i: int, *, cur: bool = True, hostile: bool = False,
                 rng: random.Random | None = None, as_of: str = "2026-11-20T10:00:00Z"
                 ) -> dict[str, Any]:
    """One finding with every documented field; `i` picks check, region and account."""
    rng = rng or random.Random(i)
    service, check, rtype, prefix = CHECKS[i % len(CHECKS)]
    region = REGIONS[i % len(REGIONS)]
    account = f"1111222233{(i % 3):02d}"
    resource_id = f"{prefix}{_fp(tenant, str(i))[:12]}"
    fp = _fp(check, tenant, account, region, resource_id)
    savings = Decimal(rng.randint(100, 90000)) / 100
    tags = {"team": f"team-{i % 4}", "env": ("prod", "dev")[i % 2]}
    if hostile:
        tags["owner"] = HOSTILE[i % len(HOSTILE)]

    def actual(share: Decimal) -> str | None:
        return str((savings * share).quantize(Decimal("0.01"))) if cur else None

    method = ("exact_resource", "scoped_rollup", "none")[i % 3] if cur else "none"
    lifecycle = ("new", "open", "open", "resolved")[i % 4]
    return {
        "tenant_id": tenant, "workspace": "default", "account_id": account, "region": region,
        "service": service, "check_id": check, "resource_type": rtype,
        "resource_id": resource_id,
        "resource_name": (HOSTILE[(i + 1) % len(HOSTILE)] if hostile else f"{service}-{i}"),
        "scope": "resource", "title": f"{check.replace('_', ' ')} #{i}",
        "severity": SEVERITIES[i % len(SEVERITIES)], "status": "open",
        "estimated_monthly_savings": str(savings), "currency": "USD",
        "savings_formula": "size_gb * price_per_gb_month",
        "confidence": 0.9, "alternative_group": None, "tags": tags,
        "details": {"price": "0.08", "price_source": "bundled:aws-pricing-2026-10",
                    "size_gb": 100},
        "source_fingerprints": [], "observed_at": as_of, "run_id": f"run-{i % 5}",
        "fingerprint": fp, "finding_id": fp,
        "lifecycle_state": lifecycle, "first_seen": "2026-11-01T00:00:00Z", "last_seen": as_of,
        "resolved_at": as_of if lifecycle == "resolved" else None,
        "suppressed": i % 11 == 5,
        "superseded": False,
        "counted": lifecycle != "resolved" and i % 11 != 5,
        "suppression": ({"reason": "accepted risk", "author": "ops@example.com",
                         "expires_at": "2027-01-01T00:00:00Z"} if i % 11 == 5 else None),
        "actual_cost_7d": actual(Decimal("0.25")), "actual_cost_30d": actual(Decimal(1)),
        "actual_cost_mtd": actual(Decimal("0.6")), "actual_cost_prev_month": actual(Decimal(1)),
        "actual_currency": "USD" if cur else None, "attribution_method": method,
        "attribution_confidence": 0.95 if method == "exact_resource" else None,
    }


def make_findings(tenant: str, n: int, *, cur: bool = True, hostile: bool = False,
                  seed: int = 7, as_of: str = "2026-11-20T10:00:00Z") -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_finding(tenant, i, cur=cur, hostile=hostile, rng=rng, as_of=as_of)
            for i in range(n)]


def correlate(tenant: str, sources: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """A meta-finding over `sources` (its own fingerprint, the sorted source fingerprints)."""
    fps = sorted(s["fingerprint"] for s in sources)
    fp = _fp("correlated", tenant, *fps)
    base = dict(sources[0])
    base.update(check_id="corr_orphaned_stack", title=title, fingerprint=fp, finding_id=fp,
                source_fingerprints=fps, scope="account",
                estimated_monthly_savings=str(sum(Decimal(s["estimated_monthly_savings"])
                                                  for s in sources)))
    return base


def scans_for(tenant: str, findings: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    pairs = sorted({(str(f["account_id"]), str(f["region"])) for f in findings})
    out = []
    for n, (account, region) in enumerate(pairs):
        failed = n == 0
        out.append({
            "tenant_id": tenant, "account_id": account, "region": region, "run_id": f"run-{n}",
            "started_at": "2026-11-20T09:59:00Z", "finished_at": "2026-11-20T10:00:00Z",
            "status": "partial" if failed else "ok",
            "check_counts": {c[1]: 1 for c in CHECKS},
            "errors": ([{"service": "rds", "operation": "DescribeDBInstances",
                         "code": "AccessDenied", "message": "not authorized"}] if failed else []),
            "duration_s": 1.5 + n,
        })
    return out


def _write(path: Path, doc: Any) -> str:
    raw = json.dumps(doc, sort_keys=True, indent=1, default=str).encode()
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(raw)
    os.replace(tmp, path)
    return hashlib.sha256(raw).hexdigest()


def write_set(data_dir: Path | str, tenant: str, findings: list[dict[str, Any]], *,
              version: int, as_of: str = "2026-11-20T10:00:00Z", cur: bool = True,
              correlated: list[dict[str, Any]] | None = None,
              trend: list[dict[str, Any]] | None = None) -> Path:
    """Write one complete snapshot set, manifest last; returns the tenant directory."""
    directory = Path(data_dir) / "snapshots" / tenant
    directory.mkdir(parents=True, exist_ok=True)
    total = sum(Decimal(str(f["estimated_monthly_savings"])) for f in findings)
    docs: dict[str, Any] = {
        "findings.json": findings,
        "summary.json": {"findings": len(findings), "estimated_monthly_savings": str(total)},
        "top_savings.json": sorted(findings, key=lambda f: -Decimal(
            str(f["estimated_monthly_savings"])))[:10],
        "correlated_findings.json": correlated or [],
        "coverage.json": {"tenant_id": tenant, "as_of": as_of, "cur_available": cur},
        "scans.json": {"tenant_id": tenant, "as_of": as_of, "scans": scans_for(tenant, findings)},
        "trend.json": {"tenant_id": tenant, "as_of": as_of, "points": trend if trend is not None
                       else [{"at": f"2026-11-{d:02d}T10:00:00Z", "run_id": f"run-{d}",
                              "estimated_monthly_savings": str(
                                  (total * d / Decimal(20)).quantize(Decimal("0.01")))}
                             for d in range(1, 21)]},
    }
    files = {name: _write(directory / name, doc) for name, doc in docs.items()}
    manifest = {"tenant_id": tenant, "as_of": as_of, "version": version, "files": files,
                "watermark": {"files": len(findings), "offsets": {}}}
    _write(directory / "manifest.json", manifest)
    return directory
