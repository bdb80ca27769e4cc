"""boto3 clients for the seeder, one per (service, region, account), acting in that account.

moto routes a request to an account by the `x-moto-account-id` header; the seeder sets it on
every request instead of assuming roles, which keeps seeding independent of IAM/STS.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, max_pool_connections=4)


class ClientFactory:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, service: str, region: str, account_id: str) -> Any:
        key = (service, region, account_id)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._session.client(
                    service, region_name=region, endpoint_url=self.endpoint, config=_CONFIG
                )
                client.meta.events.register(
                    "before-sign.*.*", _account_header(account_id), unique_id="moto-account"
                )
                self._clients[key] = client
        return client


def _account_header(account_id: str) -> Any:
    def add(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account_id

    return add
