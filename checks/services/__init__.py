"""One module per AWS service: pages boto3 for one account and region and returns typed models.

No client is built at import time; a service object is created per `ScanContext`
(`ctx.service(EC2Service)`) and caches what it fetched, so several checks share one call.
"""
