"""The estate's own list prices for its generated bill (USD, on-demand), per region and key.

Transcribed from AWS's published price snapshots in ../shared/data (the source and its date are on
each value: aws-price-watcher processed/*.json of 2025-06-18, ec2-shop ebs.json of 2024-07-18),
and, where those lack a key (NAT gateway hours, alarms, EFS, hosted zones), from the values the
project transcribed from the AWS pricing pages as of 2025-01. Kept here, not read from checks/, so
the estate's ground truth never runs the checks' pricing code (tests/test_layers.py). Regions
without a table get no bill lines at all: the generated bill never invents a price.
"""

from __future__ import annotations

from decimal import Decimal

SOURCES = "../shared/data/aws-price-watcher, ../shared/data/ec2-shop, AWS pricing pages 2025-01"

SOURCE_FILES: dict[str, str] = {
    "apw-cloudwatch": "aws-price-watcher/processed/cloudwatch.json 2025-06-18",
    "apw-dynamodb": "aws-price-watcher/processed/dynamodb.json 2025-06-18",
    "apw-ec2": "aws-price-watcher/processed/ec2.json 2025-06-18",
    "apw-eks": "aws-price-watcher/processed/eks.json 2025-06-18",
    "apw-es": "aws-price-watcher/processed/es.json 2025-06-18",
    "apw-sagemaker": "aws-price-watcher/processed/sagemaker-instances-studionotebook.json "
                     "2025-06-18",
    "apw-ecr": "aws-price-watcher/processed/ecr.json 2025-06-18",
    "apw-elasticache": "aws-price-watcher/processed/elasticache.json 2025-06-18",
    "apw-elasticmapreduce": "aws-price-watcher/processed/elasticmapreduce.json 2025-06-18",
    "apw-elb": "aws-price-watcher/processed/elb.json 2025-06-18",
    "apw-kms": "aws-price-watcher/processed/kms.json 2025-06-18",
    "apw-lambda": "aws-price-watcher/processed/lambda.json 2025-06-18",
    "apw-rds-postgresql": "aws-price-watcher/processed/rds-postgresql-ondemand.json 2025-06-18",
    "apw-rds-storage": "aws-price-watcher/processed/rds-storage.json 2025-06-18",
    "apw-redshift": "aws-price-watcher/processed/redshift.json 2025-06-18",
    "apw-s3": "aws-price-watcher/processed/s3.json 2025-06-18",
    "apw-secretsmanager": "aws-price-watcher/processed/secretsmanager.json 2025-06-18",
    "apw-vpc": "aws-price-watcher/processed/vpc.json 2025-06-18",
    "pages": "transcribed, checks catalog.json as of 2025-01",
    "shop-ebs": "ec2-shop/ebs/ebs.json 2024-07-18",
}

_TABLE: dict[str, dict[str, tuple[str, str]]] = {
    "us-east-1": {
        "eks:cluster:hour": ("0.1", "apw-eks"),
        "vpc:interface-endpoint:hour": ("0.01", "apw-vpc"),
        "vpc:tgw-attachment-vpc:hour": ("0.05", "apw-vpc"),
        "opensearch:m5.large.search:hour": ("0.142", "apw-es"),
        "sagemaker:ml.t3.medium:studio-notebook:hour": ("0.05", "apw-sagemaker"),
        "ec2:t4g.medium:linux:hour": ("0.0336", "apw-ec2"),
        "ec2:m8g.large:linux:hour": ("0.08976", "apw-ec2"),
        "ec2:m7g.large:linux:hour": ("0.0816", "apw-ec2"),
        "ec2:c7g.xlarge:linux:hour": ("0.145", "apw-ec2"),
        "ec2:r7g.large:linux:hour": ("0.1071", "apw-ec2"),
        "ec2:m7g.xlarge:linux:hour": ("0.1632", "apw-ec2"),
        "ec2:m4.large:linux:hour": ("0.1", "apw-ec2"),
        "ec2:c4.xlarge:linux:hour": ("0.199", "apw-ec2"),
        "ec2:t2.medium:linux:hour": ("0.0464", "apw-ec2"),
        "ec2:r4.large:linux:hour": ("0.133", "apw-ec2"),
        "ec2:m6i.large:linux:hour": ("0.096", "apw-ec2"),
        "ec2:c6i.xlarge:linux:hour": ("0.17", "apw-ec2"),
        "ec2:r6i.large:linux:hour": ("0.126", "apw-ec2"),
        "ec2:m5.xlarge:linux:hour": ("0.192", "apw-ec2"),
        "rds:db.t4g.medium:postgresql:hour": ("0.065", "apw-rds-postgresql"),
        "rds:db.m7g.large:postgresql:hour": ("0.168", "apw-rds-postgresql"),
        "rds:db.r7g.large:postgresql:hour": ("0.239", "apw-rds-postgresql"),
        "rds:db.m4.large:postgresql:hour": ("0.182", "apw-rds-postgresql"),
        "rds:db.m5.large:postgresql:hour": ("0.178", "apw-rds-postgresql"),
        "rds:db.m7g.xlarge:postgresql:hour": ("0.337", "apw-rds-postgresql"),
        "rds:db.t4g.medium:postgresql:multi-az:hour": ("0.129", "apw-rds-postgresql"),
        "rds:db.m7g.large:postgresql:multi-az:hour": ("0.337", "apw-rds-postgresql"),
        "rds:db.r7g.large:postgresql:multi-az:hour": ("0.478", "apw-rds-postgresql"),
        "rds:db.m4.large:postgresql:multi-az:hour": ("0.364", "apw-rds-postgresql"),
        "rds:db.m5.large:postgresql:multi-az:hour": ("0.356", "apw-rds-postgresql"),
        "rds:db.m7g.xlarge:postgresql:multi-az:hour": ("0.674", "apw-rds-postgresql"),
        "rds:gp2:gb-month": ("0.115", "apw-rds-storage"),
        "rds:snapshot:gb-month": ("0.095", "apw-rds-storage"),
        "ebs:gp2:gb-month": ("0.1", "shop-ebs"),
        "ebs:gp3:gb-month": ("0.08", "shop-ebs"),
        "ebs:io1:gb-month": ("0.125", "shop-ebs"),
        "ebs:io1:iops-month": ("0.065", "shop-ebs"),
        "ebs:gp3:iops-month": ("0.005", "shop-ebs"),
        "ebs:gp3:mibps-month": ("0.04", "shop-ebs"),
        "ebs:snapshot:gb-month": ("0.05", "shop-ebs"),
        "ec2:public-ipv4:hour": ("0.005", "apw-vpc"),
        "vpc:nat-gateway:hour": ("0.045", "pages"),
        "elb:application:hour": ("0.0225", "apw-elb"),
        "elb:network:hour": ("0.0225", "apw-elb"),
        "elb:classic:hour": ("0.025", "apw-elb"),
        "redshift:ra3.xlplus:hour": ("1.086", "apw-redshift"),
        "emr:m5.xlarge:hour": ("0.048", "apw-elasticmapreduce"),
        "elasticache:cache.t4g.medium:hour": ("0.065", "apw-elasticache"),
        "dynamodb:rcu:hour": ("0.00013", "apw-dynamodb"),
        "dynamodb:wcu:hour": ("0.00065", "apw-dynamodb"),
        "logs:storage:gb-month": ("0.03", "apw-cloudwatch"),
        "secretsmanager:secret:month": ("0.4", "apw-secretsmanager"),
        "kms:key:month": ("1", "apw-kms"),
        "ecr:storage:gb-month": ("0.1", "apw-ecr"),
        "cloudwatch:metric:month": ("0.3", "apw-cloudwatch"),
        "cloudwatch:alarm:month": ("0.10", "pages"),
        "efs:standard:gb-month": ("0.30", "pages"),
        "route53:hosted-zone:month": ("0.50", "pages"),
        "lambda:arm64:gb-second": ("0.0000133334", "apw-lambda"),
        "lambda:x86_64:gb-second": ("0.0000166667", "apw-lambda"),
        "s3:standard:gb-month": ("0.023", "apw-s3"),
    },
    "eu-west-1": {
        "eks:cluster:hour": ("0.1", "apw-eks"),
        "vpc:interface-endpoint:hour": ("0.011", "apw-vpc"),
        "vpc:tgw-attachment-vpc:hour": ("0.05", "apw-vpc"),
        "opensearch:m5.large.search:hour": ("0.158", "apw-es"),
        "sagemaker:ml.t3.medium:studio-notebook:hour": ("0.055", "apw-sagemaker"),
        "ec2:t4g.medium:linux:hour": ("0.0368", "apw-ec2"),
        "ec2:m8g.large:linux:hour": ("0.10004", "apw-ec2"),
        "ec2:m7g.large:linux:hour": ("0.091", "apw-ec2"),
        "ec2:c7g.xlarge:linux:hour": ("0.155", "apw-ec2"),
        "ec2:r7g.large:linux:hour": ("0.1199", "apw-ec2"),
        "ec2:m7g.xlarge:linux:hour": ("0.1819", "apw-ec2"),
        "ec2:m4.large:linux:hour": ("0.111", "apw-ec2"),
        "ec2:c4.xlarge:linux:hour": ("0.226", "apw-ec2"),
        "ec2:t2.medium:linux:hour": ("0.05", "apw-ec2"),
        "ec2:r4.large:linux:hour": ("0.1482", "apw-ec2"),
        "ec2:m6i.large:linux:hour": ("0.107", "apw-ec2"),
        "ec2:c6i.xlarge:linux:hour": ("0.1824", "apw-ec2"),
        "ec2:r6i.large:linux:hour": ("0.141", "apw-ec2"),
        "ec2:m5.xlarge:linux:hour": ("0.214", "apw-ec2"),
        "rds:db.t4g.medium:postgresql:hour": ("0.069", "apw-rds-postgresql"),
        "rds:db.m7g.large:postgresql:hour": ("0.186", "apw-rds-postgresql"),
        "rds:db.r7g.large:postgresql:hour": ("0.268", "apw-rds-postgresql"),
        "rds:db.m4.large:postgresql:hour": ("0.201", "apw-rds-postgresql"),
        "rds:db.m5.large:postgresql:hour": ("0.197", "apw-rds-postgresql"),
        "rds:db.m7g.xlarge:postgresql:hour": ("0.372", "apw-rds-postgresql"),
        "rds:db.t4g.medium:postgresql:multi-az:hour": ("0.138", "apw-rds-postgresql"),
        "rds:db.m7g.large:postgresql:multi-az:hour": ("0.372", "apw-rds-postgresql"),
        "rds:db.r7g.large:postgresql:multi-az:hour": ("0.536", "apw-rds-postgresql"),
        "rds:db.m4.large:postgresql:multi-az:hour": ("0.402", "apw-rds-postgresql"),
        "rds:db.m5.large:postgresql:multi-az:hour": ("0.394", "apw-rds-postgresql"),
        "rds:db.m7g.xlarge:postgresql:multi-az:hour": ("0.745", "apw-rds-postgresql"),
        "rds:gp2:gb-month": ("0.127", "apw-rds-storage"),
        "rds:snapshot:gb-month": ("0.095", "apw-rds-storage"),
        "ebs:gp2:gb-month": ("0.11", "shop-ebs"),
        "ebs:gp3:gb-month": ("0.088", "shop-ebs"),
        "ebs:io1:gb-month": ("0.138", "shop-ebs"),
        "ebs:io1:iops-month": ("0.072", "shop-ebs"),
        "ebs:gp3:iops-month": ("0.0055", "shop-ebs"),
        "ebs:gp3:mibps-month": ("0.044", "shop-ebs"),
        "ebs:snapshot:gb-month": ("0.05", "shop-ebs"),
        "ec2:public-ipv4:hour": ("0.005", "apw-vpc"),
        "vpc:nat-gateway:hour": ("0.048", "pages"),
        "elb:application:hour": ("0.0252", "apw-elb"),
        "elb:network:hour": ("0.0252", "apw-elb"),
        "elb:classic:hour": ("0.028", "apw-elb"),
        "redshift:ra3.xlplus:hour": ("1.202", "apw-redshift"),
        "emr:m5.xlarge:hour": ("0.048", "apw-elasticmapreduce"),
        "elasticache:cache.t4g.medium:hour": ("0.068", "apw-elasticache"),
        "dynamodb:rcu:hour": ("0.000147", "apw-dynamodb"),
        "dynamodb:wcu:hour": ("0.000735", "apw-dynamodb"),
        "logs:storage:gb-month": ("0.03", "apw-cloudwatch"),
        "secretsmanager:secret:month": ("0.4", "apw-secretsmanager"),
        "kms:key:month": ("1", "apw-kms"),
        "ecr:storage:gb-month": ("0.1", "apw-ecr"),
        "cloudwatch:metric:month": ("0.3", "apw-cloudwatch"),
        "cloudwatch:alarm:month": ("0.10", "pages"),
        "efs:standard:gb-month": ("0.33", "pages"),
        "route53:hosted-zone:month": ("0.50", "pages"),
        "lambda:arm64:gb-second": ("0.0000133334", "apw-lambda"),
        "lambda:x86_64:gb-second": ("0.0000166667", "apw-lambda"),
        "s3:standard:gb-month": ("0.023", "apw-s3"),
    },
}


def price(region: str, key: str) -> Decimal | None:
    """The list price of `key` in `region`, or None when the table has none."""
    entry = _TABLE.get(region, {}).get(key)
    return None if entry is None else Decimal(entry[0])


def source(region: str, key: str) -> str | None:
    """Where the price comes from: file and date of the snapshot."""
    entry = _TABLE.get(region, {}).get(key)
    return None if entry is None else SOURCE_FILES[entry[1]]


def regions() -> list[str]:
    return sorted(_TABLE)
