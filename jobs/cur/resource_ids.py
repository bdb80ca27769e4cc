"""Resource ids from the bill in the same canonical ARN form the findings carry.

CUR writes a bare `i-…` / `vol-…` for EC2, a bucket name for S3 and full ARNs elsewhere; findings
carry `contracts.arn.canonical_arn`. Normalizing here with the very same function (on the few
distinct ids, not on every line item) is what makes an exact match possible and keeps the two sides
from drifting apart.
"""

from __future__ import annotations

import re

from contracts.arn import ARN_FORMS, canonical_arn

_BARE_EC2 = {
    "i": "AWS::EC2::Instance",
    "vol": "AWS::EC2::Volume",
    "snap": "AWS::EC2::Snapshot",
    "ami": "AWS::EC2::Image",
    "eipalloc": "AWS::EC2::EIP",
    "nat": "AWS::EC2::NatGateway",
    "vpc": "AWS::EC2::VPC",
}
_BARE_RE = re.compile(r"^(i|vol|snap|ami|eipalloc|nat|vpc)-[0-9a-f]{8,17}$", re.I)
_ARN_RE = re.compile(r"^arn:[^:]+:(?P<service>[^:]+):[^:]*:[^:]*:(?P<resource>.+)$", re.I)
_REGION_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d+$")
_S3_CODES = {"amazons3", "s3"}

# (arn service, resource prefix) -> CloudFormation type, from the contract's own ARN forms.
_ARN_TYPES: dict[tuple[str, str], str] = {}
for _cfn, _form in ARN_FORMS.items():
    _prefix = _form.template.split("{id}", 1)[0]
    if _prefix:
        _ARN_TYPES.setdefault((_form.service, _prefix), _cfn)


def arn_resource_type(arn: str) -> str | None:
    """CloudFormation type of an ARN when the contract knows its form (case rules depend on it)."""
    match = _ARN_RE.match(arn)
    if not match:
        return None
    service = match["service"].lower()
    resource = match["resource"]
    for (svc, prefix), cfn in _ARN_TYPES.items():
        if svc == service and resource.lower().startswith(prefix):
            return cfn
    if service == "s3" and "/" not in resource:
        return "AWS::S3::Bucket"
    return None


def normalize_resource_id(
    raw: str | None, product_code: str | None, account_id: str | None, region: str | None
) -> str | None:
    """Canonical ARN of a billed resource id; ids of unknown shape pass through trimmed."""
    if raw is None or not raw.strip():
        return None
    rid = raw.strip()
    account = account_id or ""
    if _ARN_RE.match(rid):
        return canonical_arn(arn_resource_type(rid) or "", rid, account, region or "")
    if (product_code or "").lower() in _S3_CODES:
        return canonical_arn("AWS::S3::Bucket", rid, account, region or "")
    bare = _BARE_RE.match(rid)
    if bare and region and _REGION_RE.match(region) and account:
        return canonical_arn(_BARE_EC2[bare.group(1).lower()], rid, account, region)
    return rid
