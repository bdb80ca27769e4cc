"""Which accounts a scan covers and how to act in each: the caller's own account, a given list,
or every active account of the organization; member accounts through STS AssumeRole.

Sessions are per (account, region) so that an endpoint override (a local estate, a VPC
endpoint, a broken region in a test) can differ per region without touching the checks, which
build their clients from `ctx.session`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from producers.metrics import instrument_session

DEFAULT_ROLE = "OrganizationAccountAccessRole"
CREDENTIAL_TTL_S = 45 * 60  # assumed-role credentials last 1 h; renew well before


class AccountError(RuntimeError):
    """The accounts to scan could not be resolved (no credentials, Organizations denied...)."""


class EndpointSession(boto3.session.Session):
    """A session whose clients default to one endpoint: every client of it, whatever builds
    it, talks to the endpoint unless the caller names another one."""

    def __init__(self, *args: Any, endpoint_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.endpoint_url = endpoint_url
        instrument_session(self)  # API calls, errors, throttles by service (metrics)

    def client(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.endpoint_url and not kwargs.get("endpoint_url"):
            kwargs["endpoint_url"] = self.endpoint_url
        return super().client(*args, **kwargs)


@dataclass
class AccountDirectory:
    """Resolves accounts and hands out sessions acting in them (thread-safe, cached)."""

    base: boto3.session.Session
    role_name: str = DEFAULT_ROLE
    endpoint_url: str | None = None
    region_endpoints: dict[str, str] = field(default_factory=dict)
    _caller: str | None = field(default=None, init=False, repr=False)
    _creds: dict[str, tuple[float, dict[str, str]]] = field(default_factory=dict, init=False,
                                                            repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _endpoint(self, region: str) -> str | None:
        return self.region_endpoints.get(region, self.endpoint_url)

    def _client(self, service: str, region: str = "us-east-1") -> Any:
        return self.base.client(service, region_name=region, endpoint_url=self._endpoint(region))

    def caller_account(self) -> str:
        if self._caller is None:
            try:
                self._caller = str(self._client("sts").get_caller_identity()["Account"])
            except NoCredentialsError as exc:
                raise AccountError("no AWS credentials found") from exc
            except (BotoCoreError, ClientError) as exc:
                raise AccountError(f"sts:GetCallerIdentity failed: {exc}") from exc
        return self._caller

    def organization_accounts(self) -> list[str]:
        """Active accounts of the caller's organization (organizations:ListAccounts)."""
        try:
            pages = self._client("organizations").get_paginator("list_accounts").paginate()
            return sorted(a["Id"] for p in pages for a in p["Accounts"] if a["Status"] == "ACTIVE")
        except (BotoCoreError, ClientError) as exc:
            raise AccountError(f"organizations:ListAccounts failed: {exc}") from exc

    def resolve(self, accounts: list[str] | None, org: bool) -> list[str]:
        if org:
            return self.organization_accounts()
        if accounts:
            return sorted(set(accounts))
        return [self.caller_account()]

    def session(self, account_id: str, region: str) -> boto3.session.Session:
        """A session acting in `account_id`; its clients default to the region's endpoint."""
        if account_id == self.caller_account():
            creds = self._base_credentials()
        else:
            creds = self._assumed(account_id)
        return EndpointSession(region_name=region, endpoint_url=self._endpoint(region), **creds)

    def _base_credentials(self) -> dict[str, str]:
        c = self.base.get_credentials()
        if c is None:
            raise AccountError("no AWS credentials found")
        frozen = c.get_frozen_credentials()
        out = {"aws_access_key_id": frozen.access_key, "aws_secret_access_key": frozen.secret_key}
        if frozen.token:
            out["aws_session_token"] = frozen.token
        return out

    def _assumed(self, account_id: str) -> dict[str, str]:
        with self._lock:
            cached = self._creds.get(account_id)
            if cached and time.monotonic() - cached[0] < CREDENTIAL_TTL_S:
                return cached[1]
        arn = f"arn:aws:iam::{account_id}:role/{self.role_name}"
        try:
            c = self._client("sts").assume_role(RoleArn=arn, RoleSessionName="finops-scan")[
                "Credentials"]
        except (BotoCoreError, ClientError) as exc:
            raise AccountError(f"sts:AssumeRole {arn} failed: {exc}") from exc
        creds = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key":
                 c["SecretAccessKey"], "aws_session_token": c["SessionToken"]}
        with self._lock:
            self._creds[account_id] = (time.monotonic(), creds)
        return creds
