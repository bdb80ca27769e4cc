"""Secrets Manager secrets with their last access date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checks.services.base import ServiceBase, cached, parse_items
from checks.services.ec2 import utc


@dataclass(frozen=True)
class Secret:
    name: str
    arn: str
    created: datetime
    last_accessed: datetime | None
    deleted: bool


def _secret(raw: dict[str, Any]) -> Secret:
    return Secret(
        name=raw["Name"],
        arn=raw["ARN"],
        created=utc(raw["CreatedDate"]),
        last_accessed=utc(raw["LastAccessedDate"]) if raw.get("LastAccessedDate") else None,
        deleted=bool(raw.get("DeletedDate")),
    )


class SecretsManagerService(ServiceBase):
    name = "secretsmanager"

    @cached
    def secrets(self) -> list[Secret]:
        raw = self.paginate("ListSecrets", "SecretList")
        return parse_items(self, "ListSecrets", raw, _secret, lambda r: r["Name"])
