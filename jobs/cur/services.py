"""Finding `service` (short, lower-case, as checks emit it) -> the CUR product code it is billed
under, for the account+region+service roll-up. A service missing here still matches a product code
equal to it case-insensitively (e.g. a check emitting `amazonec2`)."""

from __future__ import annotations

FINDING_SERVICE_CODES: dict[str, str] = {
    "ec2": "AmazonEC2",
    "ebs": "AmazonEC2",
    "eip": "AmazonEC2",
    "ami": "AmazonEC2",
    "natgateway": "AmazonEC2",
    "nat": "AmazonEC2",
    "vpc": "AmazonVPC",
    "rds": "AmazonRDS",
    "s3": "AmazonS3",
    "elb": "AWSELB",
    "elbv2": "AWSELB",
    "elasticloadbalancing": "AWSELB",
    "lambda": "AWSLambda",
    "logs": "AmazonCloudWatch",
    "cloudwatch": "AmazonCloudWatch",
    "dynamodb": "AmazonDynamoDB",
    "ecr": "AmazonECR",
    "secretsmanager": "AWSSecretsManager",
    "emr": "ElasticMapReduce",
    "elasticmapreduce": "ElasticMapReduce",
    "redshift": "AmazonRedshift",
    "elasticache": "AmazonElastiCache",
    "efs": "AmazonEFS",
    "sqs": "AWSQueueService",
    "sns": "AmazonSNS",
    "savingsplans": "ComputeSavingsPlans",
}
