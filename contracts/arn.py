"""ARN normal form per resource type, so that `vol-0abc`, `VOL-0ABC` and
`arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc` are one resource.

Resource types use the CloudFormation names (`AWS::EC2::Volume`); common aliases are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contracts.text import ascii_lower, id_text, trim_text


@dataclass(frozen=True, slots=True)
class ArnForm:
    service: str  # ARN service segment
    template: str  # resource part; {id} is the bare identifier
    regional: bool = True
    has_account: bool = True
    lower_id: bool = False  # AWS-generated ids (vol-…, i-…) are lower-case by definition


ARN_FORMS: dict[str, ArnForm] = {
    "AWS::EC2::Instance": ArnForm("ec2", "instance/{id}", lower_id=True),
    "AWS::EC2::Volume": ArnForm("ec2", "volume/{id}", lower_id=True),
    "AWS::EC2::Snapshot": ArnForm("ec2", "snapshot/{id}", lower_id=True),
    "AWS::EC2::Image": ArnForm("ec2", "image/{id}", lower_id=True),
    "AWS::EC2::EIP": ArnForm("ec2", "elastic-ip/{id}", lower_id=True),
    "AWS::EC2::NatGateway": ArnForm("ec2", "natgateway/{id}", lower_id=True),
    "AWS::EC2::VPC": ArnForm("ec2", "vpc/{id}", lower_id=True),
    "AWS::EC2::ReservedInstances": ArnForm("ec2", "reserved-instances/{id}"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ArnForm("elasticloadbalancing", "loadbalancer/{id}"),
    "AWS::ElasticLoadBalancing::LoadBalancer": ArnForm("elasticloadbalancing", "loadbalancer/{id}"),
    "AWS::RDS::DBInstance": ArnForm("rds", "db:{id}", lower_id=True),
    "AWS::RDS::DBCluster": ArnForm("rds", "cluster:{id}", lower_id=True),
    "AWS::RDS::DBSnapshot": ArnForm("rds", "snapshot:{id}", lower_id=True),
    "AWS::RDS::DBClusterSnapshot": ArnForm("rds", "cluster-snapshot:{id}", lower_id=True),
    "AWS::RDS::ReservedDBInstance": ArnForm("rds", "ri:{id}"),
    "AWS::Logs::LogGroup": ArnForm("logs", "log-group:{id}"),
    "AWS::S3::Bucket": ArnForm("s3", "{id}", regional=False, has_account=False, lower_id=True),
    "AWS::DynamoDB::Table": ArnForm("dynamodb", "table/{id}"),
    "AWS::Lambda::Function": ArnForm("lambda", "function:{id}"),
    "AWS::ECR::Repository": ArnForm("ecr", "repository/{id}"),
    "AWS::ECR::Image": ArnForm("ecr", "repository/{id}"),  # id: <repo>/sha256:<digest>
    "AWS::ECS::Service": ArnForm("ecs", "service/{id}"),  # id: <cluster>/<service>
    "AWS::SecretsManager::Secret": ArnForm("secretsmanager", "secret:{id}"),
    "AWS::EMR::Cluster": ArnForm("elasticmapreduce", "cluster/{id}"),
    "AWS::Redshift::Cluster": ArnForm("redshift", "cluster:{id}", lower_id=True),
    "AWS::ElastiCache::CacheCluster": ArnForm("elasticache", "cluster:{id}", lower_id=True),
    "AWS::KMS::Key": ArnForm("kms", "key/{id}", lower_id=True),
    "AWS::CloudWatch::Alarm": ArnForm("cloudwatch", "alarm:{id}"),
    "AWS::CloudWatch::Dashboard": ArnForm("cloudwatch", "dashboard/{id}", regional=False),
    "AWS::EFS::FileSystem": ArnForm("elasticfilesystem", "file-system/{id}", lower_id=True),
    "AWS::Route53::HostedZone": ArnForm("route53", "hostedzone/{id}", regional=False,
                                        has_account=False),
    "AWS::EKS::Cluster": ArnForm("eks", "cluster/{id}"),
    "AWS::EC2::VPCEndpoint": ArnForm("ec2", "vpc-endpoint/{id}", lower_id=True),
    "AWS::EC2::TransitGatewayAttachment": ArnForm("ec2", "transit-gateway-attachment/{id}",
                                                  lower_id=True),
    "AWS::SageMaker::Endpoint": ArnForm("sagemaker", "endpoint/{id}", lower_id=True),
    "AWS::SageMaker::NotebookInstance": ArnForm("sagemaker", "notebook-instance/{id}",
                                                lower_id=True),
    "AWS::OpenSearchService::Domain": ArnForm("es", "domain/{id}"),
    "AWS::FSx::FileSystem": ArnForm("fsx", "file-system/{id}", lower_id=True),
    "AWS::SavingsPlans::SavingsPlan": ArnForm("savingsplans", "savingsplan/{id}", regional=False),
    "AWS::Account::Account": ArnForm("organizations", "account/{id}", regional=False),
    "FinOps::Correlation::Group": ArnForm("finops", "correlation/{id}"),
}

_ALIASES: dict[str, str] = {}
for _cfn in ARN_FORMS:
    _short = _cfn.split("::", 1)[1].replace("::", ":").lower()  # ec2:volume
    _ALIASES[_short] = _cfn
    _ALIASES[_cfn.lower()] = _cfn
_ALIASES.update(
    {
        "ec2:elasticip": "AWS::EC2::EIP",
        "ec2:elastic-ip": "AWS::EC2::EIP",
        "ec2:ami": "AWS::EC2::Image",
        "elbv2:loadbalancer": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "elb:loadbalancer": "AWS::ElasticLoadBalancing::LoadBalancer",
        "ebs:volume": "AWS::EC2::Volume",
        "ebs:snapshot": "AWS::EC2::Snapshot",
    }
)

_ARN_RE = re.compile(r"^arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.+)\Z", re.I | re.A)


def canonical_resource_type(value: str) -> str:
    """CloudFormation type name for a resource type or one of its aliases; unknown types pass
    through trimmed (validation decides whether they are acceptable)."""
    text = id_text(value)
    return _ALIASES.get(ascii_lower(text), text)


def partition_for(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def canonical_arn(resource_type: str, resource_id: str, account_id: str, region: str) -> str:
    """The ARN normal form of a resource, built from a bare id or normalized from an ARN."""
    rid = trim_text(resource_id)
    form = ARN_FORMS.get(resource_type)
    match = _ARN_RE.match(rid)
    if match:
        return _normalize_arn(match, form)
    if form is None:
        return rid  # unknown type and not an ARN: validation reports it
    if form.lower_id:
        rid = ascii_lower(rid)
    region_part = region if form.regional else ""
    account_part = account_id if form.has_account else ""
    return f"arn:{partition_for(region)}:{form.service}:{region_part}:{account_part}:" + form.template.format(id=rid)


def _normalize_arn(match: re.Match[str], form: ArnForm | None) -> str:
    partition = ascii_lower(match["partition"])
    service = ascii_lower(match["service"])
    region = ascii_lower(match["region"])
    account = match["account"].replace("-", "")
    resource = match["resource"]
    if service == "logs" and resource.endswith(":*"):
        resource = resource[:-2]  # DescribeLogGroups returns the ARN with a trailing :*
    if service == "lambda":
        parts = resource.split(":")
        resource = ":".join(parts[:2])  # drop a version or alias qualifier
    if form is not None and form.lower_id:
        resource = ascii_lower(resource)
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"
