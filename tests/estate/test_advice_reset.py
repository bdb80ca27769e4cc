"""A new estate starts without the last one's AWS advice: `EstateServer.reset` empties
`advice.STORE` as it empties moto's backends and the RIs (its own module: a reset empties every
estate of the process)."""

from __future__ import annotations

import boto3

from estate import advice
from estate.server import EstateServer


def test_reset_forgets_the_advice() -> None:
    server = EstateServer(port=0)
    try:
        server.reset()
        advice.STORE.add("volume", "123456789012", "us-east-1", {
            "volumeArn": "arn:aws:ec2:us-east-1:123456789012:volume/vol-1",
            "accountId": "123456789012", "finding": "Optimized"})
        co = boto3.client("compute-optimizer", region_name="us-east-1",
                          endpoint_url=server.endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing")
        assert len(co.get_ebs_volume_recommendations()["volumeRecommendations"]) == 1
        server.reset()
        assert co.get_ebs_volume_recommendations()["volumeRecommendations"] == []
    finally:
        server.stop()
